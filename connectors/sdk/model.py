"""What flows through a connector: deliveries (hub → agency) and agency updates (agency → hub).

Which record types an update may have is the event contract's list,
:data:`lapor_hub.schemas.agency_updates.AGENCY_UPDATES`, shared with the hub.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

__all__ = [
    "Delivery",
    "AgencyUpdate",
    "INBOX_TYPES",
    "event_id_for",
    "json_safe",
]

#: What the hub puts in ``agency.<code>.inbox``: the assignment, the reporter's words about it
#: (added information, a reply, a reopening), deadline notices and the notice that the lifecycle
#: refused one of the agency's updates. Keep in step with every emission with ``inboxes=`` in
#: :mod:`lapor_hub.streams.lifecycle` and its notices: a type missing here is dead-lettered.
INBOX_TYPES = frozenset({
    "ComplaintDispositioned",
    "InformationAdded",
    "ReporterReplied",
    "ComplaintReopened",
    "SlaWarning",
    "ComplaintEscalated",
    "UpdateRejected",
})

# Fixed forever: changing it would give every re-polled update a new id and defeat the hub's
# (ce_source, ce_id) duplicate check.
_UPDATE_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://lapor.go.id/hub/connectors/updates")


@dataclass(frozen=True)
class Delivery:
    """One inbox event for the agency system.

    ``idempotency_key`` is the event's CloudEvents id: pass it to the agency system so that a
    redelivery (at-least-once) is recognised there. ``topic``/``partition``/``offset`` say where
    the record came from; connectors do not need them.
    """

    record_type: str
    value: Mapping[str, Any]
    tracking_id: str
    idempotency_key: str
    topic: str = ""
    partition: int = -1
    offset: int = -1
    #: The agency it is for (the connector's).
    agency: str = ""

    @property
    def is_assignment(self) -> bool:
        return self.record_type == "ComplaintDispositioned"

    def as_json(self) -> dict[str, Any]:
        """The delivery as the contract's JSON (docs/agency-integration.md): what the webhook
        connector posts and the file-drop connector writes; use it in your own connector too."""
        return {"id": self.idempotency_key, "type": self.record_type, "tracking_id": self.tracking_id,
                "agency": self.agency, "data": json_safe(self.value)}


@dataclass(frozen=True)
class AgencyUpdate:
    """One update made in the agency system, to be published to the agency's outbox.

    ``update_id`` is the agency system's own id for this update (a row id, a file name and row,
    a request id and its change time); it must be the same every time the same update is read,
    because the event id is derived from it. ``fields`` are the record's own fields
    (``note``, ``response``, ``reason``, ``to_agency``...); the runtime fills in the rest.
    """

    record_type: str
    tracking_id: str
    update_id: str
    fields: Mapping[str, Any] = field(default_factory=dict)
    occurred_at: datetime | None = None


def event_id_for(connector_id: str, update_id: str) -> str:
    """The deterministic event id of one agency-side update seen by one connector."""
    return str(uuid.uuid5(_UPDATE_NAMESPACE, f"{connector_id}\x1f{update_id}"))


def json_safe(value: Any) -> Any:
    """A decoded Avro value as plain JSON: datetimes as RFC 3339 UTC, bytes as base64."""
    if isinstance(value, datetime):
        utc = value.astimezone(timezone.utc)
        return utc.isoformat().replace("+00:00", "Z")
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value
