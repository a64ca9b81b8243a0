"""The hash chain of ``complaints.events``: what each record commits to (pure).

Every record the lifecycle appends to a partition of ``complaints.events`` carries three headers:
its place in that partition's chain (``lapor-chain-seq``, 0 for the first), the link of the record
before it (``lapor-chain-prev``, 64 zeros for the first) and its own link (``lapor-chain-link``):

    digest = SHA-256("lapor-chain/1" | partition | seq | key | SHA-256(value, headers))
    link   = SHA-256(prev | digest)

The headers hashed are every header but the three chain headers, in their order. Changing a
byte of a record, removing one, inserting one or swapping two breaks a link at that offset; a
consistent rewrite of every later link is caught by the signed heads (:mod:`.heads`). The
content is hashed apart from its position (``body_digest``) so that an export can prove the
chain through other complaints' records without disclosing them (:mod:`.export`).
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["SEQ_HEADER", "PREV_HEADER", "LINK_HEADER", "CHAIN_HEADERS", "GENESIS", "Link",
           "body_digest", "record_digest", "link_of", "stamp", "read_link", "unchained_headers"]

SEQ_HEADER = "lapor-chain-seq"
PREV_HEADER = "lapor-chain-prev"
LINK_HEADER = "lapor-chain-link"
CHAIN_HEADERS = frozenset({SEQ_HEADER, PREV_HEADER, LINK_HEADER})
#: The ``prev`` of a partition's first record.
GENESIS = "0" * 64
_DOMAIN = b"lapor-chain/1"

HeaderList = Sequence[tuple[str | bytes, bytes | None]]


@dataclass(frozen=True)
class Link:
    """A record's place in its partition's chain, as its headers state it."""

    seq: int
    prev: str
    link: str


def _text(name: str | bytes) -> str:
    return name.decode("utf-8", errors="replace") if isinstance(name, (bytes, bytearray)) else name


def _framed(parts: Iterable[bytes]) -> bytes:
    return b"".join(struct.pack(">I", len(part)) + part for part in parts)


def unchained_headers(headers: HeaderList | None) -> list[tuple[str, bytes]]:
    """The headers a link covers: all but the chain's own, in their order."""
    kept = []
    for name, value in headers or ():
        text = name if isinstance(name, str) else _text(name)
        if text not in CHAIN_HEADERS:
            kept.append((text, value if isinstance(value, bytes) else bytes(value or b"")))
    return kept


def body_digest(value: bytes | None, headers: HeaderList | None) -> str:
    """SHA-256 of a record's value and headers (the chain headers left out), hex."""
    return _body_digest(value, unchained_headers(headers))


def _body_digest(value: bytes | None, kept: list[tuple[str, bytes]]) -> str:
    parts = [value or b""]
    for name, item in kept:
        parts += [name.encode(), item]
    return hashlib.sha256(_framed(parts)).hexdigest()


def record_digest(partition: int, seq: int, key: bytes | None, body: str) -> str:
    """What a record at ``seq`` of ``partition`` commits to, from its key and :func:`body_digest`."""
    position = struct.pack(">IQ", partition, seq)
    return hashlib.sha256(_framed([_DOMAIN, position, key or b"", bytes.fromhex(body)])).hexdigest()


def link_of(prev: str, digest: str) -> str:
    return hashlib.sha256(bytes.fromhex(prev) + bytes.fromhex(digest)).hexdigest()


def stamp(partition: int, seq: int, prev: str, key: bytes | None, value: bytes | None,
          headers: HeaderList) -> tuple[list[tuple[str, bytes]], str]:
    """The record's headers with its chain headers added, and its link."""
    kept = unchained_headers(headers)
    link = link_of(prev, record_digest(partition, seq, key, _body_digest(value, kept)))
    kept += [(SEQ_HEADER, str(seq).encode()), (PREV_HEADER, prev.encode()), (LINK_HEADER, link.encode())]
    return kept, link


_HEX64 = re.compile(r"[0-9a-f]{64}")


def _hex64(text: str) -> bool:
    return _HEX64.fullmatch(text) is not None


def read_link(headers: HeaderList | None) -> Link | None:
    """The chain headers of a record; None when it has none or they are malformed."""
    found: dict[str, str] = {}
    for name, value in headers or ():
        name = name if isinstance(name, str) else _text(name)
        if name in CHAIN_HEADERS:
            if name in found or value is None:
                return None
            found[name] = bytes(value).decode("ascii", errors="replace")
    if set(found) != CHAIN_HEADERS or not found[SEQ_HEADER].isdigit():
        return None
    if not (_hex64(found[PREV_HEADER]) and _hex64(found[LINK_HEADER])):
        return None
    return Link(int(found[SEQ_HEADER]), found[PREV_HEADER], found[LINK_HEADER])
