"""CloudEvents 1.0 attributes as Kafka headers (Kafka protocol binding, binary content mode).

The record value stays the Avro payload; the event's attributes travel as ``ce_*`` headers and
``content-type``. ``(ce_source, ce_id)`` is the duplicate key every consumer dedupes on.

``ce_type`` is derived from the record type mechanically, one word per CamelCase word:
``ComplaintSubmitted`` → ``id.go.lapor.complaint.submitted``,
``FollowUpRecorded`` → ``id.go.lapor.follow.up.recorded``. :func:`record_type_of` inverts it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any, Union

from lapor_hub.schemas.codec import SerializationError

__all__ = [
    "CONTENT_TYPE",
    "SPECVERSION",
    "ce_type",
    "record_type_of",
    "cloudevent_headers",
    "read_cloudevent_headers",
]

CONTENT_TYPE = "application/avro"
SPECVERSION = "1.0"
_TYPE_PREFIX = "id.go.lapor."
_WORD = re.compile(r"[A-Z][a-z0-9]*|[a-z0-9]+")
_REQUIRED = ("id", "source", "type", "specversion")

Headers = Union[Mapping[Any, Any], Iterable[tuple[Any, Any]], None]


def ce_type(record_type: str) -> str:
    """``ComplaintSubmitted`` → ``id.go.lapor.complaint.submitted``."""
    words = _WORD.findall(record_type.rpartition(".")[2])
    if not words:
        raise ValueError(f"cannot derive a CloudEvents type from {record_type!r}")
    return _TYPE_PREFIX + ".".join(word.lower() for word in words)


def record_type_of(event_type: str) -> str | None:
    """``id.go.lapor.complaint.submitted`` → ``ComplaintSubmitted``; None for foreign types."""
    if not event_type.startswith(_TYPE_PREFIX):
        return None
    return "".join(word.capitalize() for word in event_type[len(_TYPE_PREFIX) :].split("."))


def cloudevent_headers(
    record_type: str, event_id: str, source: str, subject: str, time: datetime
) -> list[tuple[str, bytes]]:
    """Kafka headers for one event; ``subject`` is the tracking id, ``time`` timezone-aware.

    ``source`` is a URI-reference naming the producer, e.g. ``/hub/routing`` or
    ``/agency/KEMENKES/connector/simpel-1``.
    """
    if not event_id or not source:
        raise ValueError("a CloudEvent needs a non-empty id and source (the duplicate key)")
    if time.utcoffset() is None:
        raise ValueError("ce_time must be timezone-aware: pass a UTC datetime")
    headers = [
        ("ce_specversion", SPECVERSION),
        ("ce_id", event_id),
        ("ce_source", source),
        ("ce_type", ce_type(record_type)),
        ("ce_time", _rfc3339(time)),
    ]
    if subject:  # an intake submission may not have its tracking id yet
        headers.append(("ce_subject", subject))
    headers.append(("content-type", CONTENT_TYPE))
    return [(name, value.encode("utf-8")) for name, value in headers]


def read_cloudevent_headers(headers: Headers) -> dict[str, Any]:
    """The CloudEvents attributes in Kafka headers, by attribute name.

    Keys: ``id``, ``source``, ``type``, ``specversion``, ``time`` (an aware UTC datetime, or
    absent), ``subject`` (absent if not sent), ``datacontenttype``, plus any extension
    attribute as a string. Header names may be bytes or str, in any case; values bytes or
    str. Raises :class:`SerializationError` when a required attribute is missing.
    """
    items = headers.items() if isinstance(headers, Mapping) else (headers or ())
    attributes: dict[str, Any] = {}
    for raw_name, raw_value in items:
        name = _text(raw_name).lower()
        if raw_value is None:
            continue
        if name == "content-type":
            attributes["datacontenttype"] = _text(raw_value)
        elif name.startswith("ce_"):
            attributes[name[3:]] = _text(raw_value)
    missing = [f"ce_{name}" for name in _REQUIRED if not attributes.get(name)]
    if missing:
        raise SerializationError(
            f"missing CloudEvents headers {', '.join(missing)}: the producer must use the "
            "Kafka binary content mode (see schemas.cloudevent.cloudevent_headers)"
        )
    if attributes["specversion"] != SPECVERSION:
        raise SerializationError(f"unsupported CloudEvents specversion {attributes['specversion']!r}: expected 1.0")
    if "time" in attributes:
        attributes["time"] = _parse_time(attributes["time"])
    return attributes


def _text(value: Any) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def _rfc3339(time: datetime) -> str:
    utc = time.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S") + (f".{utc.microsecond:06d}" if utc.microsecond else "") + "Z"


def _parse_time(text: str) -> datetime:
    try:
        # fromisoformat (3.11) takes "Z" and any offset; RFC 3339 allows a lowercase "t"/"z"
        parsed = datetime.fromisoformat(text.upper())
    except ValueError:
        raise SerializationError("ce_time is not an RFC 3339 timestamp") from None
    if parsed.utcoffset() is None:
        raise SerializationError("ce_time has no UTC offset: RFC 3339 requires one")
    return parsed.astimezone(timezone.utc)
