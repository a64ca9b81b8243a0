"""The state the hub keeps per complaint, in a changelog-backed table keyed by tracking id.

It holds what the lifecycle decides with, and nothing more: the national history is more than
half a million complaints, and this record is written (and its changelog replicated) for every
event. The submission itself (title, description, reporter, location, attachments) is kept
apart, in the complaint-submissions table (:mod:`lapor_hub.streams.lifecycle.agent`), and read
only when a forwarding must deliver it again; of it the state keeps its :class:`Facts`.

The stored form (:meth:`ComplaintState.to_dict`) is compact JSON: instants as epoch seconds,
remembered command keys as short hashes. A complaint closed (or archived) longer than the reopen
window goes dormant (:meth:`ComplaintState.dormant`): it keeps what a late reopening needs and
nothing that can no longer matter.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from lapor_hub.errors import SkippableError
from lapor_hub.streams.lifecycle.status import Status
from lapor_hub.streams.sla import Counting, Stage, StageClock

__all__ = ["ComplaintState", "Facts", "SEEN_LIMIT", "FORMAT"]

#: How many recent command ids a complaint remembers to drop redelivered duplicates.
SEEN_LIMIT = 32
#: The version of the stored form; records of the first form (with the whole submission) still read.
FORMAT = 2


@dataclass(frozen=True)
class Facts:
    """What the lifecycle needs of the submission: routing, the privacy rules, duplicates."""

    #: The submission's event id: the same submission again is a duplicate, however late.
    event_id: str
    category: str
    region_code: str
    requested_agency: str | None
    privacy: str
    submitted_at: datetime

    @property
    def anonymous(self) -> bool:
        return self.privacy == "ANONYMOUS"

    @classmethod
    def of(cls, submission: dict[str, Any]) -> Facts:
        location = submission.get("location") or {}
        return cls(submission["event_id"], submission["category"], location.get("region_code", ""),
                   submission.get("requested_agency"), submission["privacy"], submission["occurred_at"])


@dataclass(frozen=True)
class ComplaintState:
    tracking_id: str
    status: Status
    #: The agency holding the complaint now (KEMENPANRB while it is in triage).
    agency: str
    facts: Facts
    #: Agencies that held the complaint before ``agency``, oldest first.
    history: tuple[str, ...] = ()
    #: The running deadline clocks by stage, and the action keys already fired per stage.
    clocks: dict[str, StageClock] = field(default_factory=dict)
    fired: dict[str, frozenset[str]] = field(default_factory=dict)
    #: Where to return when the reporter answers a request for information.
    resume_status: Status | None = None
    #: When the next SLA action becomes due (or, for a finished complaint, when it goes dormant);
    #: None while nothing can become due.
    next_due_at: datetime | None = None
    #: Short hashes of the most recent command keys (see :meth:`remember`).
    seen: tuple[str, ...] = ()
    #: When the complaint was last closed or archived; None while it is open.
    finished_at: datetime | None = None
    #: True once it went dormant: closed for longer than the reopen window.
    dormant: bool = False

    @property
    def hop(self) -> int:
        return len(self.history)

    def remember(self, command_key: str) -> ComplaintState:
        return replace(self, seen=(*self.seen, _short(command_key))[-SEEN_LIMIT:])

    def has_seen(self, command_key: str) -> bool:
        return _short(command_key) in self.seen

    def gone_dormant(self) -> ComplaintState:
        """What a finished complaint keeps once its reopen window has passed: who held it, its facts."""
        return replace(self, clocks={}, fired={}, seen=(), next_due_at=None, resume_status=None, dormant=True)

    def to_dict(self) -> dict[str, Any]:
        """Compact JSON types only: the table's changelog stores this for every event."""
        facts = self.facts
        data: dict[str, Any] = {
            "v": FORMAT,
            "tracking_id": self.tracking_id,
            "status": self.status.value,
            "agency": self.agency,
            "facts": [facts.event_id, facts.category, facts.region_code, facts.requested_agency, facts.privacy,
                      _ts(facts.submitted_at)],
            # Read by the SLA index without decoding the rest.
            "next_due_ts": _ts(self.next_due_at) if self.next_due_at else None,
        }
        if self.history:
            data["history"] = list(self.history)
        if self.clocks:
            # A running clock and the action keys it fired, together: they start and stop together.
            data["clocks"] = {stage: [*_clock(c), sorted(self.fired.get(stage, ()))]
                              for stage, c in self.clocks.items()}
        if self.resume_status:
            data["resume_status"] = self.resume_status.value
        if self.seen:
            data["seen"] = list(self.seen)
        if self.finished_at:
            data["finished_ts"] = _ts(self.finished_at)
        if self.dormant:
            data["dormant"] = True
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ComplaintState:
        try:
            if data.get("v") != FORMAT:
                return _from_first_form(data)
            event_id, category, region, requested, privacy, submitted = data["facts"]
            return cls(
                tracking_id=data["tracking_id"],
                status=Status(data["status"]),
                agency=data["agency"],
                facts=Facts(event_id, category, region, requested, privacy, _instant(submitted)),
                history=tuple(data.get("history", ())),
                clocks={stage: _from_clock(stage, c[:7]) for stage, c in data.get("clocks", {}).items()},
                fired={stage: frozenset(c[7]) for stage, c in data.get("clocks", {}).items()},
                resume_status=Status(data["resume_status"]) if data.get("resume_status") else None,
                next_due_at=_instant(data["next_due_ts"]) if data.get("next_due_ts") is not None else None,
                seen=tuple(data.get("seen", ())),
                finished_at=_instant(data["finished_ts"]) if data.get("finished_ts") else None,
                dormant=bool(data.get("dormant", False)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SkippableError(f"stored complaint state is malformed: {type(exc).__name__}") from exc


def _short(command_key: str) -> str:
    """16 hex characters of a command key's hash: a collision among 32 keys is beyond reason."""
    return hashlib.blake2b(command_key.encode(), digest_size=8).hexdigest()


def _ts(at: datetime) -> float:
    return round(at.timestamp(), 6)


def _instant(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def _clock(clock: StageClock) -> list:
    return [clock.agency_code, clock.time_zone, clock.counting.value, _ts(clock.started_at), _ts(clock.due_at),
            _ts(clock.paused_at) if clock.paused_at else None, clock.paused_for.total_seconds()]


def _from_clock(stage: str, data: list) -> StageClock:
    agency, zone, counting, started, due, paused_at, paused_s = data
    return StageClock(Stage(stage), agency, zone, Counting(counting), _instant(started), _instant(due),
                      _instant(paused_at) if paused_at is not None else None, timedelta(seconds=paused_s))


def _from_first_form(data: dict[str, Any]) -> ComplaintState:
    """A record written before the compact form (it held the whole submission)."""
    submission = _from_jsonable(data["submission"])
    return ComplaintState(
        tracking_id=data["tracking_id"],
        status=Status(data["status"]),
        agency=data["agency"],
        facts=Facts.of(submission),
        history=tuple(data.get("history", ())),
        clocks={stage: StageClock.from_dict(c) for stage, c in data.get("clocks", {}).items()},
        fired={stage: frozenset(keys) for stage, keys in data.get("fired", {}).items()},
        resume_status=Status(data["resume_status"]) if data.get("resume_status") else None,
        next_due_at=datetime.fromisoformat(data["next_due_at"]) if data.get("next_due_at") else None,
        seen=tuple(_short(key) for key in data.get("seen", ())),
    )


_INSTANT = "$instant"


def _from_jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {_INSTANT}:
            return datetime.fromisoformat(value[_INSTANT])
        return {k: _from_jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_jsonable(v) for v in value]
    return value
