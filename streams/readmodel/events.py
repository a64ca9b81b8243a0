"""What the projector hands the read model: one decoded record plus the hub's extension headers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from lapor_hub.errors import SkippableError

__all__ = ["ProjectedEvent", "PROJECTED_RECORD_TYPES", "AUDIT_RECORD_TYPE", "as_utc"]

#: Record types of ``complaints.events`` that the read model understands; others are ignored
#: (a heartbeat or dead letter has no place in a complaint's history).
PROJECTED_RECORD_TYPES = frozenset(
    {
        "ComplaintSubmitted",
        "ComplaintVerified",
        "ComplaintReturnedToReporter",
        "InformationAdded",
        "ComplaintPutOnHold",
        "ComplaintArchived",
        "ComplaintDispositioned",
        "ComplaintAccepted",
        "ComplaintForwarded",
        "FollowUpRecorded",
        "ResponseGiven",
        "ReporterReplied",
        "ComplaintReopened",
        "ComplaintClosed",
        "ComplaintRated",
        "SlaWarning",
        "ComplaintEscalated",
        "DeliveryReceipt",
    }
)

#: Entries of the audit trail (topic ``hub.audit``), projected into their own table.
AUDIT_RECORD_TYPE = "AuditEntry"

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True, slots=True)
class ProjectedEvent:
    """One record of ``complaints.events``.

    ``value`` is the record as :func:`lapor_hub.schemas.decode` returns it. ``status`` and ``agency``
    are the ``ce_complaintstatus`` and ``ce_agency`` headers: the complaint's status and
    holder *after* this event, as the lifecycle agent decided them. ``None`` means the header
    was absent (the read model then derives them from the record); an empty ``agency`` means
    no agency holds the complaint (triage, national admin).
    """

    record_type: str
    value: dict
    status: str | None = None
    agency: str | None = None
    #: The ``ce_actorsubject`` header: the person who acted for the event's actor, if known.
    subject: str | None = None

    @property
    def event_id(self) -> str:
        return self.value.get("event_id") or ""

    @property
    def tracking_id(self) -> str:
        return self.value.get("tracking_id") or ""

    def check(self, position: int) -> None:
        """Raise :class:`SkippableError` when this record cannot be projected at all.

        The reason names the record type and batch position only: values are personal data.
        """
        if not self.event_id:
            raise SkippableError(f"{self.record_type} at batch position {position} has no event_id")
        if not self.tracking_id:
            raise SkippableError(f"{self.record_type} at batch position {position} has no tracking_id")
        if self.value.get("occurred_at") is None:
            raise SkippableError(f"{self.record_type} at batch position {position} has no occurred_at")


def as_utc(value: Any) -> datetime | None:
    """A timezone-aware UTC datetime from a decoded Avro timestamp (datetime or epoch micros)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
    if isinstance(value, int):
        return _EPOCH + timedelta(microseconds=value)
    raise TypeError(f"not a timestamp: {type(value).__name__}")
