"""Agency updates: from the agency's own words (JSON, CSV, rows) to outbox records.

:func:`parse_update` reads one flat mapping (an inbound JSON object, a CSV row); :func:`update_value`
turns an :class:`AgencyUpdate` into the Avro value the outbox carries, or raises
:class:`InvalidUpdate` naming the field at fault (never its value: it may be personal data).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from lapor_hub import schemas
from lapor_hub.connectors.sdk.model import AgencyUpdate, event_id_for
from lapor_hub.errors import SkippableError
from lapor_hub.schemas.agency_updates import AGENCY_UPDATES
from lapor_hub.streams.directory import Directory, default_directory

__all__ = ["InvalidUpdate", "UpdateConflict", "parse_update", "update_value", "AGENCY_UPDATES", "UPDATE_FIELDS",
           "TEXT_FIELD"]

_CLOSURE_REASONS = ("REPORTER_SATISFIED", "NO_REPLY", "AGENCY_CLOSED", "ADMIN_CLOSED")

#: Per record type of :data:`AGENCY_UPDATES` (the contract's list, shared with the hub): (required
#: text fields, optional fields with their defaults). The national admin's decisions are not here.
UPDATE_FIELDS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "ComplaintAccepted": ((), {}),
    "ComplaintForwarded": (("reason",), {"to_agency": "", "hop": 0}),
    "ComplaintReturnedToReporter": (("reason",), {}),
    "FollowUpRecorded": (("note",), {"attachments": []}),
    "ResponseGiven": (("response",), {}),
    "ComplaintClosed": ((), {"reason": "AGENCY_CLOSED", "note": None}),
}
_ENVELOPE = ("update_id", "type", "tracking_id", "occurred_at")
#: Where a generic ``text`` field goes: legacy tables and files often have one free-text column
#: whose meaning depends on the update type.
TEXT_FIELD = {"ComplaintForwarded": "reason", "ComplaintReturnedToReporter": "reason",
              "FollowUpRecorded": "note", "ResponseGiven": "response", "ComplaintClosed": "note"}


class InvalidUpdate(SkippableError):
    """An agency update that cannot become an outbox record; ``reason`` names the field.

    ``status`` is how an inbound endpoint answers it: 422, the update is malformed."""

    status = 422


class UpdateConflict(InvalidUpdate):
    """A well-formed update the hub can already tell it would refuse: a complaint it does not
    hold, one the agency does not hold, or a transition the complaint's status does not allow."""

    status = 409


def parse_update(raw: Mapping[str, Any]) -> AgencyUpdate:
    """One update from a flat mapping: ``type``, ``tracking_id``, optional ``update_id`` and
    ``occurred_at`` (RFC 3339), plus the record's own fields. Empty strings count as absent
    (CSV cells). A ``text`` field goes to the type's free-text field (:data:`TEXT_FIELD`).
    Without ``update_id`` the id is a hash of the content, so the same update read
    twice still gets the same event id."""
    if not isinstance(raw, Mapping):
        raise InvalidUpdate("an update must be an object with 'type' and 'tracking_id'")
    present = {str(k): v for k, v in raw.items() if v is not None and v != ""}
    record_type = present.get("type")
    if not isinstance(record_type, str) or record_type not in AGENCY_UPDATES:
        raise InvalidUpdate(f"'type' must be one of {', '.join(sorted(AGENCY_UPDATES))}")
    tracking_id = present.get("tracking_id")
    if not isinstance(tracking_id, str) or not tracking_id.strip():
        raise InvalidUpdate("'tracking_id' is missing: every update names the complaint's tracking id")
    occurred_at = _parse_time(present["occurred_at"]) if "occurred_at" in present else None
    update_id = present.get("update_id")
    if update_id is None:
        canonical = json.dumps(present, sort_keys=True, default=str).encode("utf-8")
        update_id = "sha256:" + hashlib.sha256(canonical).hexdigest()
    fields = {k: v for k, v in present.items() if k not in _ENVELOPE}
    return AgencyUpdate(record_type, tracking_id.strip(), str(update_id), fields, occurred_at)


def update_value(
    update: AgencyUpdate,
    *,
    connector_id: str,
    agency: str,
    directory: Directory | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The outbox record value for ``update`` published by ``agency`` through ``connector_id``."""
    spec = UPDATE_FIELDS.get(update.record_type)
    if spec is None:
        raise InvalidUpdate(f"{update.record_type!r} is not an agency update: "
                            f"use one of {', '.join(sorted(AGENCY_UPDATES))}")
    required, optional = spec
    fields = dict(update.fields)
    if "text" in fields:
        text = fields.pop("text")
        if update.record_type in TEXT_FIELD:
            fields.setdefault(TEXT_FIELD[update.record_type], text)
    unknown = sorted(set(fields) - set(required) - set(optional))
    if unknown:
        allowed = ", ".join((*required, *optional)) or "none"
        raise InvalidUpdate(f"{update.record_type} has no field {', '.join(map(repr, unknown))} (allowed: {allowed})")
    for name in required:
        text = fields.get(name)
        if not isinstance(text, str) or not text.strip():
            raise InvalidUpdate(f"{update.record_type} needs a non-empty text field {name!r}")
    if not update.tracking_id:
        raise InvalidUpdate(f"{update.record_type} has no tracking id")
    occurred_at = update.occurred_at or now or datetime.now(timezone.utc)
    if occurred_at.utcoffset() is None:
        raise InvalidUpdate("'occurred_at' has no UTC offset: send RFC 3339 with 'Z' or '+07:00'")
    value: dict[str, Any] = {
        "event_id": event_id_for(connector_id, update.update_id),
        "tracking_id": update.tracking_id,
        "occurred_at": occurred_at.astimezone(timezone.utc),
        "actor": agency,
    }
    fields = {**optional, **fields}
    kind = update.record_type
    if kind == "ComplaintForwarded":
        to_agency = str(fields["to_agency"] or "")
        if to_agency:
            if to_agency == agency:
                raise InvalidUpdate("'to_agency' is the declining agency itself: name another agency or leave it empty")
            if to_agency not in (directory or default_directory()):
                raise InvalidUpdate("'to_agency' is not an agency code in the directory: "
                                    "use e.g. 'KEMENKES' or '18.10', or leave it empty")
        value.update(from_agency=agency, to_agency=to_agency, reason=fields["reason"],
                     hop=_int(fields["hop"], "hop"), suggested_by_agency=bool(to_agency))
    elif kind == "ComplaintReturnedToReporter":
        value.update(reason=fields["reason"])
    elif kind == "FollowUpRecorded":
        value.update(agency=agency, note=fields["note"], attachments=_attachments(fields["attachments"]))
    elif kind == "ResponseGiven":
        value.update(agency=agency, response=fields["response"])
    elif kind == "ComplaintClosed":
        reason = str(fields["reason"]).upper()
        if reason not in _CLOSURE_REASONS:
            raise InvalidUpdate(f"ComplaintClosed 'reason' must be one of {', '.join(_CLOSURE_REASONS)}")
        value.update(reason=reason, note=fields["note"])
    else:  # ComplaintAccepted
        value.update(agency=agency)
    schemas.encode(kind, value)  # the contract decides: SerializationError names the field
    return value


def _parse_time(raw: Any) -> datetime:
    if isinstance(raw, datetime):
        parsed = raw
    else:
        try:
            parsed = datetime.fromisoformat(str(raw).strip().upper())
        except ValueError:
            raise InvalidUpdate("'occurred_at' is not an RFC 3339 timestamp "
                                "such as 2024-05-01T08:30:00+07:00") from None
    if parsed.utcoffset() is None:
        raise InvalidUpdate("'occurred_at' has no UTC offset: send RFC 3339 with 'Z' or '+07:00'")
    return parsed.astimezone(timezone.utc)


def _int(raw: Any, name: str) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise InvalidUpdate(f"{name!r} must be a whole number") from None


def _attachments(raw: Any) -> list:
    if isinstance(raw, str):  # a CSV cell carries the list as JSON
        try:
            raw = json.loads(raw)
        except ValueError:
            raise InvalidUpdate("'attachments' must be a JSON list of {name, content_type, url}") from None
    if not isinstance(raw, list):
        raise InvalidUpdate("'attachments' must be a list of {name, content_type, url}")
    return raw
