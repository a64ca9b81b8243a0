"""The state the hub keeps per complaint, in a changelog-backed table keyed by tracking id."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from lapor_hub.errors import SkippableError
from lapor_hub.streams.lifecycle.status import Status
from lapor_hub.streams.sla import StageClock

__all__ = ["ComplaintState", "SEEN_LIMIT"]

#: How many recent command ids a complaint remembers to drop redelivered duplicates.
SEEN_LIMIT = 32


@dataclass(frozen=True)
class ComplaintState:
    tracking_id: str
    status: Status
    #: The agency holding the complaint now (KEMENPANRB while it is in triage).
    agency: str
    #: The submission as received (with the reporter's identity: this table is the hub's own);
    #: every delivery applies the privacy rules to it again.
    submission: dict[str, Any]
    #: Agencies that held the complaint before ``agency``, oldest first.
    history: tuple[str, ...] = ()
    #: The running deadline clocks by stage, and the action keys already fired per stage.
    clocks: dict[str, StageClock] = field(default_factory=dict)
    fired: dict[str, frozenset[str]] = field(default_factory=dict)
    #: Where to return when the reporter answers a request for information.
    resume_status: Status | None = None
    #: When the next SLA action becomes due; None while nothing can become due.
    next_due_at: datetime | None = None
    seen: tuple[str, ...] = ()

    @property
    def hop(self) -> int:
        return len(self.history)

    def remember(self, command_key: str) -> ComplaintState:
        return replace(self, seen=(*self.seen, command_key)[-SEEN_LIMIT:])

    def to_dict(self) -> dict[str, Any]:
        """JSON types only: the table's changelog stores this."""
        return {
            "tracking_id": self.tracking_id,
            "status": self.status.value,
            "agency": self.agency,
            "submission": _jsonable(self.submission),
            "history": list(self.history),
            "clocks": {stage: clock.to_dict() for stage, clock in self.clocks.items()},
            "fired": {stage: sorted(keys) for stage, keys in self.fired.items()},
            "resume_status": self.resume_status.value if self.resume_status else None,
            "next_due_at": self.next_due_at.isoformat() if self.next_due_at else None,
            # Derived, for the SLA timer's scan: a float compares faster than parsing ISO text.
            "next_due_ts": self.next_due_at.timestamp() if self.next_due_at else None,
            "seen": list(self.seen),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ComplaintState:
        try:
            return cls(
                tracking_id=data["tracking_id"],
                status=Status(data["status"]),
                agency=data["agency"],
                submission=_from_jsonable(data["submission"]),
                history=tuple(data.get("history", ())),
                clocks={stage: StageClock.from_dict(c) for stage, c in data.get("clocks", {}).items()},
                fired={stage: frozenset(keys) for stage, keys in data.get("fired", {}).items()},
                resume_status=Status(data["resume_status"]) if data.get("resume_status") else None,
                next_due_at=datetime.fromisoformat(data["next_due_at"]) if data.get("next_due_at") else None,
                seen=tuple(data.get("seen", ())),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SkippableError(f"stored complaint state is malformed: {type(exc).__name__}") from exc


_INSTANT = "$instant"


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return {_INSTANT: value.isoformat()}
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _from_jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {_INSTANT}:
            return datetime.fromisoformat(value[_INSTANT])
        return {k: _from_jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_jsonable(v) for v in value]
    return value
