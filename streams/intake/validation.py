"""Checking a complaint before it enters the hub, and turning it into a ComplaintSubmitted value.

Two shapes arrive, checked by the same rules: the JSON body of ``POST /api/v1/complaints``
(:func:`validate_complaint`) and ComplaintSubmitted records that connectors write to
``complaints.intake`` (:func:`validate_submission_record`). The JSON body::

    {"title", "description", "category", "region_code", "agency"?, "channel", "privacy", "classification"?,
     "reporter": {"name"?, "nik"?, "phone"?, "email"?}, "location": {"lat"?, "lon"?, "address"?}?,
     "attachments": [{"name", "content_type", "url", "size_bytes"?}]?}

Decisions worth knowing:

- ``privacy`` is ``public``, ``confidential`` (rahasia) or ``anonymous`` (anonim). An anonymous
  report needs no identity at all. A public or confidential one needs a ``reporter.name`` and at
  least one way to reach the reporter (``phone`` or ``email``): the agency answers a named person
  and the national admin must be able to ask for missing information. The NIK is never required.
  Identity given with an anonymous report is checked and kept by the hub; agencies never see it.
- ``classification`` is what LAPOR! calls the report: ``complaint`` (pengaduan, the default),
  ``aspiration`` (aspirasi) or ``information_request`` (permintaan informasi, for the agency's PPID).
- Empty or blank optional fields count as absent (forms send ``""``); :func:`to_submission`
  turns them into ``None``. Unknown fields are rejected, so a misspelt one is not lost silently.
- ``region_code`` is a Kemendagri code: a province (``18``), a regency or city (``18.10``), or
  deeper (``18.10.05``, ``18.10.05.2001``) inside a regency the directory knows.
- A phone number is Indonesian: ``+62`` or ``0`` followed by 9 to 13 digits, the first not 0
  (mobile ``08…`` and landline ``021…`` alike); spaces and hyphens are ignored. It is stored in
  E.164 form (``+6281234567890``).
- A NIK is 16 digits: a province code of the directory first, then a possible birth day (+40 for
  women) and month in digits 7 to 10.
- Latitude and longitude: the globe's ranges, not Indonesia's (a ferry, a consulate); both or neither.
- Error messages NEVER repeat the submitted value: names, NIK, phone numbers and e-mail
  addresses are personal data, and messages end up in HTTP responses, logs and dead letters.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from lapor_hub.streams.directory import AgencyKind, Directory
from lapor_hub.streams.intake.tracking import is_tracking_id
from lapor_hub.streams.routing import CategoryTree

__all__ = [
    "FieldError",
    "CHANNELS",
    "PRIVACY_LEVELS",
    "CLASSIFICATIONS",
    "MAX_ATTACHMENTS",
    "MAX_ATTACHMENT_BYTES",
    "validate_complaint",
    "validate_submission_record",
    "to_submission",
    "normalize_phone",
]

#: The channels a complaint may come through.
CHANNELS = frozenset({"web", "sms", "twitter", "mobile", "open311", "agency_app", "email", "connector"})
PRIVACY_LEVELS = ("public", "confidential", "anonymous")
#: What LAPOR! calls a report; the first is the default.
CLASSIFICATIONS = ("complaint", "aspiration", "information_request")
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

_TITLE = (10, 150)
_DESCRIPTION = (20, 5000)
_NAME_MAX = 100
_ADDRESS_MAX = 300
_EMAIL_MAX = 254
_ATTACHMENT_NAME_MAX = 255
_URL_MAX = 2000

_FIELDS = frozenset({"title", "description", "category", "region_code", "agency", "channel", "privacy",
                     "classification", "reporter", "location", "attachments"})
_REPORTER_FIELDS = frozenset({"name", "nik", "phone", "email"})
_LOCATION_FIELDS = frozenset({"lat", "lon", "address"})
_ATTACHMENT_FIELDS = frozenset({"name", "content_type", "url", "size_bytes"})

_REGION = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
_NIK = re.compile(r"^\d{16}$")
_PHONE = re.compile(r"^(?:\+62|0)([1-9]\d{8,12})$")
_PHONE_SEPARATORS = re.compile(r"[\s\-]")
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
_CONTENT_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$", re.IGNORECASE)
_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,39}$")

_RECORD_PRIVACY = {"PUBLIC": "public", "CONFIDENTIAL": "confidential", "ANONYMOUS": "anonymous"}
#: Where a JSON-body field lives in a ComplaintSubmitted record, for errors about records.
_RECORD_PATHS = {"region_code": "location.region_code", "agency": "requested_agency"}
_INVALID = object()


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one field. ``message`` never contains the submitted value."""

    #: Dotted path of the field, e.g. ``reporter.phone`` or ``attachments.2.url``.
    field: str
    #: Stable machine code: required, type, too_short, too_long, unknown, not_leaf, invalid,
    #: implausible, out_of_range, incomplete, too_many, too_large, not_https, unknown_field.
    code: str
    message: str


def validate_complaint(payload: Any, *, categories: CategoryTree, directory: Directory,
                       max_bytes: int = 64_000) -> list[FieldError]:
    """Every problem with the JSON body of a complaint; an empty list when it may be submitted."""
    if not isinstance(payload, Mapping):
        return [FieldError("payload", "type", "the complaint must be a JSON object")]
    if _size(payload) > max_bytes:
        return [FieldError("payload", "too_large", f"the complaint is larger than {max_bytes} bytes")]
    errors: list[FieldError] = []
    _unknown_fields(payload, _FIELDS, "", errors)
    _text(payload, "title", errors, required=True, bounds=_TITLE)
    _text(payload, "description", errors, required=True, bounds=_DESCRIPTION)
    _category(payload, categories, errors)
    _region(payload, directory, errors)
    agency = _text(payload, "agency", errors)
    if agency is not None and agency not in directory:
        errors.append(FieldError("agency", "unknown", "agency is not an agency code in the directory"))
    channel = _text(payload, "channel", errors, required=True)
    if channel is not None and channel not in CHANNELS:
        errors.append(FieldError("channel", "unknown", f"channel must be one of {', '.join(sorted(CHANNELS))}"))
    privacy = _text(payload, "privacy", errors, required=True)
    if privacy is not None and privacy not in PRIVACY_LEVELS:
        errors.append(FieldError("privacy", "unknown", f"privacy must be one of {', '.join(PRIVACY_LEVELS)}"))
    classification = _text(payload, "classification", errors)
    if classification is not None and classification not in CLASSIFICATIONS:
        errors.append(FieldError("classification", "unknown",
                                 f"classification must be one of {', '.join(CLASSIFICATIONS)}"))
    _reporter(payload.get("reporter"), privacy, directory, errors)
    _location(payload.get("location"), errors)
    _attachments(payload.get("attachments"), errors)
    return errors


def validate_submission_record(value: Mapping[str, Any], *, categories: CategoryTree,
                               directory: Directory) -> list[FieldError]:
    """Every problem with a ComplaintSubmitted record from ``complaints.intake`` (the Avro shape),
    by the rules of :func:`validate_complaint`; fields are named as in the record."""
    errors: list[FieldError] = []
    if not isinstance(value.get("event_id"), str) or not value["event_id"].strip():
        errors.append(FieldError("event_id", "required", "event_id is required"))
    tracking_id = value.get("tracking_id")
    if tracking_id and not is_tracking_id(tracking_id):
        errors.append(FieldError("tracking_id", "invalid",
                                 "tracking_id must be empty (the hub assigns it) or LPR-YYYYMMDD-XXXXXXXX"))
    location = value.get("location")
    where = dict(location) if isinstance(location, Mapping) else {}
    payload = {name: value.get(name) for name in ("title", "description", "category", "channel", "reporter",
                                                  "attachments")}
    payload |= {"region_code": where.pop("region_code", None), "agency": value.get("requested_agency"),
                "privacy": _RECORD_PRIVACY.get(value.get("privacy"), _INVALID),  # type: ignore[arg-type]
                "location": where if isinstance(location, Mapping) else location}
    found = validate_complaint(payload, categories=categories, directory=directory, max_bytes=10**9)
    for error in found:
        path = _RECORD_PATHS.get(error.field, error.field)
        if error.field == "privacy" and error.code == "type":
            error = FieldError("privacy", "unknown", "privacy must be one of PUBLIC, CONFIDENTIAL, ANONYMOUS")
        errors.append(FieldError(path, error.code, error.message.replace(error.field, path, 1)))
    return errors


def to_submission(payload: Mapping[str, Any], *, tracking_id: str, event_id: str, now: datetime,
                  source_actor: str = "reporter", reporter_token_hash: str | None = None) -> dict[str, Any]:
    """The ComplaintSubmitted value for a body that passed :func:`validate_complaint`.

    Text is trimmed, empty optional fields become None, privacy and classification are upper-cased
    (an absent classification is a complaint), the phone number
    is put in E.164 form, and ``region_code`` becomes ``location.region_code``.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("a submission is stamped with a timezone-aware datetime")
    reporter = payload.get("reporter") or {}
    location = payload.get("location") or {}
    phone = _optional(reporter.get("phone"))
    return {
        "event_id": event_id,
        "tracking_id": tracking_id,
        "occurred_at": now.astimezone(UTC),
        "actor": source_actor,
        "title": payload["title"].strip(),
        "description": payload["description"].strip(),
        "category": payload["category"].strip(),
        "channel": payload["channel"].strip(),
        "privacy": payload["privacy"].strip().upper(),
        "reporter": {
            "name": _optional(reporter.get("name")),
            "nik": _optional(reporter.get("nik")),
            "phone": normalize_phone(phone) if phone else None,
            "email": _optional(reporter.get("email")),
        },
        "location": {
            "region_code": payload["region_code"].strip(),
            "lat": None if location.get("lat") is None else float(location["lat"]),
            "lon": None if location.get("lon") is None else float(location["lon"]),
            "address": _optional(location.get("address")),
        },
        "attachments": [
            {"name": a["name"].strip(), "content_type": a["content_type"].strip(), "url": a["url"].strip(),
             "size_bytes": a.get("size_bytes")}
            for a in payload.get("attachments") or []
        ],
        "requested_agency": _optional(payload.get("agency")),
        "reporter_token_hash": reporter_token_hash,
        "classification": (_optional(payload.get("classification")) or CLASSIFICATIONS[0]).upper(),
    }


def normalize_phone(text: str) -> str | None:
    """An Indonesian phone number in E.164 form (``+62…``), or None when it is not one."""
    match = _PHONE.match(_PHONE_SEPARATORS.sub("", text))
    return f"+62{match.group(1)}" if match else None


# -- field rules ------------------------------------------------------------------------------


def _text(obj: Mapping[str, Any], name: str, errors: list[FieldError], *, required: bool = False,
          bounds: tuple[int, int] | None = None, max_length: int | None = None, path: str = "") -> str | None:
    """The trimmed text of ``obj[name]``, or None when absent or wrong (the error is recorded)."""
    field = path + name
    raw = obj.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            errors.append(FieldError(field, "required", f"{field} is required"))
        return None
    if not isinstance(raw, str):
        errors.append(FieldError(field, "type", f"{field} must be text"))
        return None
    text = raw.strip()
    low, high = bounds if bounds else (0, max_length)
    if len(text) < low:
        errors.append(FieldError(field, "too_short", f"{field} must be at least {low} characters"))
    elif high is not None and len(text) > high:
        errors.append(FieldError(field, "too_long", f"{field} must be at most {high} characters"))
    return text


def _category(payload: Mapping[str, Any], categories: CategoryTree, errors: list[FieldError]) -> None:
    code = _text(payload, "category", errors, required=True)
    if code is None:
        return
    if code not in categories:
        errors.append(FieldError("category", "unknown",
                                 "category is not in the category tree (GET /api/v1/categories)"))
    elif not categories.is_leaf(code):
        errors.append(FieldError("category", "not_leaf", "category is a group: pick one of its leaf categories"))


def _region(payload: Mapping[str, Any], directory: Directory, errors: list[FieldError]) -> None:
    code = _text(payload, "region_code", errors, required=True)
    if code is None:
        return
    if not _REGION.match(code):
        errors.append(FieldError("region_code", "invalid",
                                 "region_code must be a Kemendagri code such as 18, 18.10 or 18.10.05"))
        return
    parts = code.split(".")
    known = ".".join(parts[:2])
    if known not in directory or not directory.get(known).is_regional:
        errors.append(FieldError("region_code", "unknown",
                                 "region_code names no province or regency/city in the directory"))


def _reporter(reporter: Any, privacy: str | None, directory: Directory, errors: list[FieldError]) -> None:
    if reporter is None:
        reporter = {}
    if not isinstance(reporter, Mapping):
        errors.append(FieldError("reporter", "type", "reporter must be an object"))
        return
    _unknown_fields(reporter, _REPORTER_FIELDS, "reporter.", errors)
    name = _text(reporter, "name", errors, max_length=_NAME_MAX, path="reporter.")
    nik = _text(reporter, "nik", errors, path="reporter.")
    if nik is not None:
        _nik(nik, directory, errors)
    phone = _text(reporter, "phone", errors, path="reporter.")
    if phone is not None and normalize_phone(phone) is None:
        errors.append(FieldError("reporter.phone", "invalid",
                                 "reporter.phone must be an Indonesian number: +62 or 0 followed by 9 to 13 digits"))
    email = _text(reporter, "email", errors, max_length=_EMAIL_MAX, path="reporter.")
    if email is not None and not _EMAIL.match(email):
        errors.append(FieldError("reporter.email", "invalid", "reporter.email is not an e-mail address"))
    if privacy in ("public", "confidential"):
        if name is None and not _has(reporter, "name"):
            errors.append(FieldError("reporter.name", "required",
                                     "reporter.name is required unless the report is anonymous"))
        if not (_has(reporter, "phone") or _has(reporter, "email")):
            errors.append(FieldError("reporter", "contact_required",
                                     "a phone number or an e-mail address is required unless the report is anonymous"))


_PAPUA_2022 = frozenset({"93", "94", "95", "96"})


def _nik(nik: str, directory: Directory, errors: list[FieldError]) -> None:
    if not _NIK.match(nik):
        errors.append(FieldError("reporter.nik", "invalid", "reporter.nik must be exactly 16 digits"))
        return
    province = nik[:2]
    day, month = int(nik[6:8]), int(nik[8:10])
    known = province in directory and directory.get(province).kind is AgencyKind.PROVINCE
    # The 2022 Papua provinces (93-96) issue NIKs but are not in the 2020 directory yet.
    if not (known or province in _PAPUA_2022):
        errors.append(FieldError("reporter.nik", "implausible", "reporter.nik starts with no known province code"))
    elif not (1 <= day % 40 <= 31 and day <= 71 and 1 <= month <= 12):
        errors.append(FieldError("reporter.nik", "implausible", "reporter.nik holds no possible date of birth"))


def _location(location: Any, errors: list[FieldError]) -> None:
    if location is None:
        return
    if not isinstance(location, Mapping):
        errors.append(FieldError("location", "type", "location must be an object"))
        return
    _unknown_fields(location, _LOCATION_FIELDS, "location.", errors)
    lat = _coordinate(location, "lat", 90.0, errors)
    lon = _coordinate(location, "lon", 180.0, errors)
    if (lat is None) != (lon is None) and _INVALID not in (lat, lon):
        errors.append(FieldError("location", "incomplete", "location needs both lat and lon, or neither"))
    _text(location, "address", errors, max_length=_ADDRESS_MAX, path="location.")


def _coordinate(location: Mapping[str, Any], name: str, limit: float, errors: list[FieldError]) -> Any:
    raw = location.get(name)
    field = f"location.{name}"
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
        errors.append(FieldError(field, "type", f"{field} must be a number of decimal degrees"))
        return _INVALID
    if not -limit <= raw <= limit:
        errors.append(FieldError(field, "out_of_range", f"{field} must be between -{limit:g} and {limit:g}"))
        return _INVALID
    return raw


def _attachments(attachments: Any, errors: list[FieldError]) -> None:
    if attachments is None:
        return
    if not isinstance(attachments, list):
        errors.append(FieldError("attachments", "type", "attachments must be a list"))
        return
    if len(attachments) > MAX_ATTACHMENTS:
        errors.append(FieldError("attachments", "too_many", f"at most {MAX_ATTACHMENTS} attachments"))
    for index, attachment in enumerate(attachments[:MAX_ATTACHMENTS]):
        path = f"attachments.{index}."
        if not isinstance(attachment, Mapping):
            errors.append(FieldError(path[:-1], "type", f"{path[:-1]} must be an object"))
            continue
        _unknown_fields(attachment, _ATTACHMENT_FIELDS, path, errors)
        _text(attachment, "name", errors, required=True, max_length=_ATTACHMENT_NAME_MAX, path=path)
        content_type = _text(attachment, "content_type", errors, required=True, path=path)
        if content_type is not None and not _CONTENT_TYPE.match(content_type):
            errors.append(FieldError(path + "content_type", "invalid", "content_type must be a MIME type"))
        url = _text(attachment, "url", errors, required=True, max_length=_URL_MAX, path=path)
        if url is not None:
            _https(url, path + "url", errors)
        _size_bytes(attachment.get("size_bytes"), path + "size_bytes", errors)


def _https(url: str, field: str, errors: list[FieldError]) -> None:
    try:
        parts = urlsplit(url)
        secure = parts.scheme.lower() == "https" and bool(parts.hostname)
    except ValueError:
        secure = False
    if not secure:
        errors.append(FieldError(field, "not_https", f"{field} must be an https:// link"))


def _size_bytes(size: Any, field: str, errors: list[FieldError]) -> None:
    if size is None:
        return
    if isinstance(size, bool) or not isinstance(size, int):
        errors.append(FieldError(field, "type", f"{field} must be a whole number"))
    elif size < 0:
        errors.append(FieldError(field, "out_of_range", f"{field} cannot be negative"))
    elif size > MAX_ATTACHMENT_BYTES:
        errors.append(FieldError(field, "too_large", f"an attachment is at most {MAX_ATTACHMENT_BYTES} bytes"))


# -- helpers ----------------------------------------------------------------------------------


def _unknown_fields(obj: Mapping[str, Any], allowed: frozenset[str], path: str, errors: list[FieldError]) -> None:
    for key in obj:
        if key not in allowed:
            # A key is client input too: it is only repeated when it looks like a field name.
            name = key if isinstance(key, str) and _FIELD_NAME.match(key) else "(unnamed)"
            errors.append(FieldError(path + name, "unknown_field",
                                     f"{path}{name} is not a field of a complaint"))


def _has(obj: Mapping[str, Any], name: str) -> bool:
    value = obj.get(name)
    return value is not None and not (isinstance(value, str) and not value.strip())


def _optional(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return value


def _size(payload: Mapping[str, Any]) -> int:
    """Bytes of the payload as compact UTF-8 JSON: what the body is at least on the wire."""
    return len(json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8"))
