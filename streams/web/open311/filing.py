"""``POST requests``: a GeoReport v2 form turned into a LAPOR! complaint, or every problem with it.

The form (``application/x-www-form-urlencoded``, UTF-8) maps onto the complaint the JSON API
takes, and is then checked by the same rules (:func:`~lapor_hub.streams.intake.validation.validate_complaint`):

=================================  ==========================================================
GeoReport v2                       LAPOR! complaint
=================================  ==========================================================
``jurisdiction_id``                ``region_code`` (a province, regency/city or deeper code)
``service_code``                   ``category`` (a leaf of the category tree)
``lat`` + ``long``                 ``location.lat`` / ``location.lon``
``address_string``                 ``location.address``
``description``                    ``description``; ``title`` from ``attribute[title]`` or
                                   the description's first line
``first_name`` + ``last_name``     ``reporter.name``
``phone``, ``email``               ``reporter.phone``, ``reporter.email``
``media_url``                      one attachment (an ``https://`` link)
``attribute[privacy]``             ``privacy`` (required: the reporter's own choice)
``attribute[classification]``      ``classification`` (default ``complaint``)
(the channel)                      ``channel`` = ``open311``
=================================  ==========================================================

``device_id`` and ``account_id`` are accepted and not kept: the hub has no place for a
device's or an account's id, and keeping one would identify anonymous reporters. An
``address_id`` needs an address repository the hub does not have: it is refused with that
reason. Descriptions of problems name parameters, never the values sent (personal data).
"""

from __future__ import annotations

import math
import mimetypes
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from lapor_hub.streams.intake.validation import FieldError

__all__ = ["Form", "FormError", "parse_form", "complaint_body", "describe"]

_CORE = frozenset({"api_key", "jurisdiction_id", "service_code", "lat", "long", "address_string", "address_id",
                   "email", "device_id", "account_id", "first_name", "last_name", "phone", "description",
                   "media_url"})
_ATTRIBUTE = re.compile(r"^attribute\[([A-Za-z_][A-Za-z0-9_]{0,39})\](\[\])?$")
_MAX_FIELDS = 64
_TITLE_MAX = 150
_TITLE_MIN = 10
#: Where each complaint field came from in the form, for describing its problems.
_PARAMETERS = {
    "region_code": "jurisdiction_id", "category": "service_code", "description": "description",
    "title": "attribute[title]", "privacy": "attribute[privacy]", "classification": "attribute[classification]",
    "reporter.name": "first_name/last_name", "reporter.phone": "phone", "reporter.email": "email",
    "reporter": "phone or email", "location.lat": "lat", "location.lon": "long", "location": "lat/long",
    "location.address": "address_string", "attachments.0.url": "media_url", "attachments.0.name": "media_url",
    "attachments.0.content_type": "media_url",
}


class FormError(Exception):
    """The form cannot be read at all; ``problems`` say why, one sentence each."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Form:
    """The parameters of one POST, each at most once, blanks dropped (they count as absent)."""

    values: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        return self.values.get(name)


def parse_form(raw: bytes) -> Form:
    """The form in ``raw``; :class:`FormError` naming every parameter that cannot be taken."""
    try:
        text = raw.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=_MAX_FIELDS, errors="strict")
    except UnicodeDecodeError:
        raise FormError(["the form is not UTF-8"]) from None
    except ValueError:
        raise FormError([f"the form has more than {_MAX_FIELDS} parameters"]) from None
    problems: list[str] = []
    values: dict[str, str] = {}
    attributes: dict[str, str] = {}
    seen: set[str] = set()
    for name, value in pairs:
        if name in seen:
            problems.append(f"{_shown(name)} is given more than once; give it once")
            continue
        seen.add(name)
        match = _ATTRIBUTE.match(name)
        if match and match.group(2):
            problems.append(f"attribute[{match.group(1)}] takes one value: no service has a multivaluelist")
        elif match:
            if value.strip():
                attributes[match.group(1)] = value.strip()
        elif name in _CORE:
            if value.strip():
                values[name] = value.strip()
        else:
            problems.append(f"{_shown(name)} is not a parameter of POST requests (GeoReport v2)")
    if problems:
        raise FormError(problems)
    return Form(values, attributes)


def complaint_body(form: Form) -> dict[str, Any]:
    """The JSON-API complaint for a parsed form; :class:`FormError` for what cannot map at all."""
    problems: list[str] = []
    if form.get("address_id"):
        problems.append("address_id is not supported: the hub has no address repository; "
                        "send lat and long, or address_string")
    lat, lon = _coordinate(form, "lat", problems), _coordinate(form, "long", problems)
    address = form.get("address_string")
    if (lat is None) != (lon is None):
        problems.append("lat and long are sent together")
    elif lat is None and address is None and not form.get("address_id"):
        problems.append("a location is required: lat and long, or address_string")
    unknown = sorted(set(form.attributes) - {"privacy", "classification", "title"})
    problems += [f"attribute[{code}] is not an attribute of this service (see its service definition)"
                 for code in unknown]
    if problems:
        raise FormError(problems)
    description = form.get("description")
    name = " ".join(part for part in (form.get("first_name"), form.get("last_name")) if part) or None
    location = {"lat": lat, "lon": lon, "address": address}
    media = form.get("media_url")
    return {
        "title": form.attributes.get("title") or _title(description),
        "description": description,
        "category": form.get("service_code"),
        "region_code": form.get("jurisdiction_id"),
        "channel": "open311",
        "privacy": form.attributes.get("privacy"),
        "classification": form.attributes.get("classification"),
        "reporter": {"name": name, "phone": form.get("phone"), "email": form.get("email")},
        "location": location,
        "attachments": [_attachment(media)] if media else [],
    }


def describe(errors: Sequence[FieldError]) -> list[str]:
    """The complaint's field errors, in the form's words."""
    described = []
    for error in errors:
        parameter = _PARAMETERS.get(error.field)
        message = error.message if parameter is None else error.message.replace(error.field, parameter, 1)
        described.append(message if parameter is None or parameter in message else f"{parameter}: {message}")
    return described


def _coordinate(form: Form, name: str, problems: list[str]) -> float | None:
    raw = form.get(name)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        problems.append(f"{name} must be a number of decimal degrees (WGS84)")
        return None
    return value


def _title(description: str | None) -> str | None:
    """The first line of the description, cut at a word to fit a title; None without a description."""
    if description is None:
        return None
    flat = " ".join(description.split())
    first = " ".join(description.strip().splitlines()[0].split())
    text = first if len(first) >= _TITLE_MIN else flat
    if len(text) <= _TITLE_MAX:
        return text
    cut = text[: _TITLE_MAX - 1].rsplit(" ", 1)[0]
    return (cut if len(cut) >= _TITLE_MIN else text[: _TITLE_MAX - 1]) + "…"


def _attachment(url: str) -> dict[str, Any]:
    path = urlsplit(url).path if url.lower().startswith("https://") else ""
    name = path.rsplit("/", 1)[-1] or "media"
    return {"name": name[:255], "content_type": mimetypes.guess_type(name)[0] or "application/octet-stream",
            "url": url}


def _shown(name: str) -> str:
    # A parameter name is client input too: repeated only when it looks like one.
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_\[\]]{0,60}", name) else "a parameter"
