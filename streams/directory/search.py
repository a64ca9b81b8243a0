"""Finding an agency by what a person types: part of its name, its code, or its province.

The national admin picks the agency of a disposition, and an officer the agency to suggest when
declining, out of 678; they type "pringsewu", "Kabupaten Pringsewu", "18.10", "kemenkes" or
"lampung". Matching ignores case, accents and punctuation, and knows that "Kabupaten" is
written "KAB." in the directory. Every word typed must match (a word of the name, the English
name or the abbreviation starts with it, the code starts with it, or the province's name has
it); the best matches come first: the exact code, then names that start with what was typed,
then names with every word, then agencies that match only by their province.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from lapor_hub.streams.directory.directory import Directory
from lapor_hub.streams.directory.model import Agency, AgencyKind

__all__ = ["AgencyMatch", "search_agencies", "MAX_QUERY_LENGTH"]

#: Longer queries are refused by the API: no agency name is near this long.
MAX_QUERY_LENGTH = 100
#: How the directory writes what people type in full.
_SYNONYMS = {"kabupaten": "kab", "kab.": "kab", "provinsi": "provinsi", "prov": "provinsi"}
_WORD = re.compile(r"[0-9a-z]+(?:\.[0-9]+)*")


@dataclass(frozen=True)
class AgencyMatch:
    agency: Agency
    #: The province the agency lies in (None for national agencies and for a province itself).
    province: Agency | None
    #: Lower is better; equal ranks keep the directory's order.
    rank: int


def search_agencies(directory: Directory, query: str, *, province: str | None = None,
                    kind: AgencyKind | None = None, limit: int = 20) -> list[AgencyMatch]:
    """The agencies matching ``query`` (all of them, in directory order, when it is blank),
    optionally only those in ``province`` (a province code: the province and its regencies) or
    of one ``kind``; at most ``limit``, best first."""
    words = _words(query)
    found: list[AgencyMatch] = []
    for agency in directory:
        if kind is not None and agency.kind is not kind:
            continue
        if province is not None and agency.province_code != province:
            continue
        home = directory.province_of(agency) if agency.kind is not AgencyKind.PROVINCE else None
        rank = _rank(agency, home, words, query)
        if rank is not None:
            found.append(AgencyMatch(agency, home, rank))
    found.sort(key=lambda m: m.rank)  # stable: ties keep the directory's order
    return found[:limit]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _words(text: str) -> list[str]:
    out = []
    for word in _fold(text).split():
        word = _SYNONYMS.get(word, word)
        out.extend(_WORD.findall(word))
    return out


def _rank(agency: Agency, home: Agency | None, words: list[str], query: str) -> int | None:
    if not words:
        return 0
    code = agency.code.casefold()
    names = [_words(n) for n in (agency.name, agency.abbreviation or "", agency.name_en or "")]
    if _fold(query.strip()) == code or words == names[1]:
        return 0
    if any(_starts_with(n[skip:], words) for n in names for skip in (0, 1)):
        return 1  # "pringsewu" and "kab pringsewu" for KAB. PRINGSEWU; "kemenkes" for Kemenkes
    own = [w for n in names for w in n]
    if all(code.startswith(typed) or any(w.startswith(typed) for w in own) for typed in words):
        return 2
    if home is not None:
        around = [*own, *_words(home.name)]
        if all(any(w.startswith(typed) for w in around) for typed in words):
            return 3  # "lampung" finds every regency and city of PROVINSI LAMPUNG, after the names
    return None


def _starts_with(name: list[str], words: list[str]) -> bool:
    """The name's words begin with the typed words (the last one typed may be unfinished)."""
    if not name or len(words) > len(name):
        return False
    *whole, last = words
    return name[: len(whole)] == whole and name[len(whole)].startswith(last)
