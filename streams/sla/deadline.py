"""One stage's deadline for one agency: start, pause, resume, forward, and how far along it is.

A :class:`StageClock` is an immutable value that lives inside the complaint's table entry, so it
round-trips through :meth:`StageClock.to_dict` / :meth:`StageClock.from_dict` as plain JSON.

Time is measured in the stage's :class:`Counting`: working time (see
:mod:`lapor_hub.streams.sla.calendar`) for working-day stages, plain elapsed time for the 60-day
settlement. The **budget** is the measured time from ``started_at`` to the original deadline;
pausing never changes it, because :func:`resume` pushes ``due_at`` by exactly the measured time
spent paused. The **used** time is what has elapsed since ``started_at`` outside pauses, and
``progress = used / budget`` (frozen while paused, above 1 once the deadline has passed).

Every function takes the instant of the event (``at``/``now``) rather than reading a clock, so
replaying the same events yields the same clocks.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from lapor_hub.errors import SkippableError
from lapor_hub.streams.directory import Agency
from lapor_hub.streams.sla.calendar import WorkingCalendar, as_utc, default_calendar
from lapor_hub.streams.sla.policy import Counting, SlaPolicy, Stage

__all__ = [
    "StageClock",
    "Forwarding",
    "start_clock",
    "pause",
    "resume",
    "forward",
    "used_time",
    "budget",
    "progress",
    "time_at_progress",
    "time_at_used",
]

_ZERO = timedelta(0)


@dataclass(frozen=True, slots=True)
class StageClock:
    stage: Stage
    agency_code: str
    #: The agency's IANA zone, kept so that the clock can be measured without the directory.
    time_zone: str
    counting: Counting
    started_at: datetime
    #: The deadline, already pushed back by every finished pause.
    due_at: datetime
    #: Set while the complaint waits on the reporter.
    paused_at: datetime | None = None
    #: Measured time (working or calendar) spent in finished pauses.
    paused_for: timedelta = _ZERO

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types only: ISO 8601 UTC instants and seconds as a number."""
        return {
            "stage": self.stage.value,
            "agency_code": self.agency_code,
            "time_zone": self.time_zone,
            "counting": self.counting.value,
            "started_at": self.started_at.isoformat(),
            "due_at": self.due_at.isoformat(),
            "paused_at": self.paused_at.isoformat() if self.paused_at else None,
            "paused_seconds": self.paused_for.total_seconds(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StageClock:
        """The clock saved by :meth:`to_dict`; anything malformed is a :class:`SkippableError`."""
        try:
            paused_at = data.get("paused_at")
            return cls(
                stage=Stage(data["stage"]),
                agency_code=str(data["agency_code"]),
                time_zone=str(data["time_zone"]),
                counting=Counting(data["counting"]),
                started_at=_instant(data["started_at"]),
                due_at=_instant(data["due_at"]),
                paused_at=_instant(paused_at) if paused_at else None,
                paused_for=timedelta(seconds=float(data.get("paused_seconds", 0.0))),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SkippableError(f"malformed SLA stage clock: {type(exc).__name__}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class Forwarding:
    """The result of :func:`forward` (pelimpahan): the receiving agency's fresh clock, and what
    the forwarding agency used of its own budget, for per-agency statistics."""

    clock: StageClock
    from_agency: str
    used: timedelta
    used_fraction: float


def start_clock(
    stage: Stage | str,
    agency: Agency,
    at: datetime,
    policy: SlaPolicy,
    calendar: WorkingCalendar | None = None,
) -> StageClock:
    """A running clock for ``stage`` at ``agency``, started at ``at``, due per ``policy``."""
    calendar = calendar or default_calendar()
    stage = Stage(stage)
    rule = policy.rule(stage)
    at = as_utc(at)
    zone = agency.time_zone.value
    if rule.counting is Counting.WORKING_DAYS:
        due = calendar.add_working_days(at, rule.days, zone)
    else:
        due = calendar.add_calendar_days(at, rule.days, zone)
    return StageClock(stage, agency.code, zone, rule.counting, at, due)


def pause(clock: StageClock, at: datetime) -> StageClock:
    """Stop the clock while the complaint waits on the reporter; pausing twice changes nothing
    (a redelivered event must not move the pause)."""
    at = as_utc(at)
    if clock.is_paused:
        return clock
    _not_before_start(clock, at)
    return replace(clock, paused_at=at)


def resume(clock: StageClock, at: datetime, calendar: WorkingCalendar | None = None) -> StageClock:
    """Restart a paused clock; the deadline moves by the measured time spent paused.
    Resuming a running clock changes nothing."""
    calendar = calendar or default_calendar()
    at = as_utc(at)
    if clock.paused_at is None:
        return clock
    if at < clock.paused_at:
        raise ValueError(f"resume at {at.isoformat()} is before the pause at {clock.paused_at.isoformat()}")
    paused = _measure(clock, clock.paused_at, at, calendar)
    return replace(
        clock,
        due_at=_advance(clock, clock.due_at, paused, calendar),
        paused_at=None,
        paused_for=clock.paused_for + paused,
    )


def forward(
    clock: StageClock,
    to_agency: Agency,
    at: datetime,
    policy: SlaPolicy,
    calendar: WorkingCalendar | None = None,
) -> Forwarding:
    """Forward the complaint: the receiving agency gets a fresh, running clock for the same stage
    (its own full budget, in its own time zone), and the report says what the forwarding agency
    used. Action keys belong to a clock, so the caller starts the new clock with no fired keys."""
    calendar = calendar or default_calendar()
    at = as_utc(at)
    used = used_time(clock, at, calendar)
    whole = budget(clock, calendar)
    fresh = start_clock(clock.stage, to_agency, at, policy, calendar)
    return Forwarding(fresh, clock.agency_code, used, used / whole if whole > _ZERO else 1.0)


def used_time(clock: StageClock, now: datetime, calendar: WorkingCalendar | None = None) -> timedelta:
    """Measured time elapsed since the start, outside pauses (never negative)."""
    calendar = calendar or default_calendar()
    now = as_utc(now)
    if clock.paused_at is not None and clock.paused_at < now:
        now = clock.paused_at
    if now <= clock.started_at:
        return _ZERO
    return max(_ZERO, _measure(clock, clock.started_at, now, calendar) - clock.paused_for)


def budget(clock: StageClock, calendar: WorkingCalendar | None = None) -> timedelta:
    """Measured time allowed for the stage; the same before and after any pause."""
    calendar = calendar or default_calendar()
    return _measure(clock, clock.started_at, clock.due_at, calendar) - clock.paused_for


def progress(clock: StageClock, now: datetime, calendar: WorkingCalendar | None = None) -> float:
    """How much of the budget is used at ``now``: 0 at the start, 1 at the deadline, above 1 after."""
    calendar = calendar or default_calendar()
    whole = budget(clock, calendar)
    used = used_time(clock, now, calendar)
    if whole <= _ZERO:
        return 1.0 if used > _ZERO or as_utc(now) >= clock.due_at else 0.0
    return used / whole


def time_at_progress(clock: StageClock, fraction: float, calendar: WorkingCalendar | None = None) -> datetime:
    """The instant a running clock reaches ``fraction`` of its budget.

    Exact while that instant is still ahead; for a fraction already passed before a later pause
    it is an upper bound (the pause is counted as if it came first).
    """
    calendar = calendar or default_calendar()
    return time_at_used(clock, budget(clock, calendar) * fraction, calendar)


def time_at_used(clock: StageClock, used: timedelta, calendar: WorkingCalendar | None = None) -> datetime:
    """The earliest instant at which a running clock has used ``used``: finished pauses come on
    top. ``used_time(clock, time_at_used(clock, x)) == x`` to the microsecond while running."""
    calendar = calendar or default_calendar()
    return _advance(clock, clock.started_at, used + clock.paused_for, calendar)


def _measure(clock: StageClock, a: datetime, b: datetime, calendar: WorkingCalendar) -> timedelta:
    if clock.counting is Counting.WORKING_DAYS:
        return calendar.working_time_between(a, b, clock.time_zone)
    return b - a


def _advance(clock: StageClock, start: datetime, amount: timedelta, calendar: WorkingCalendar) -> datetime:
    if clock.counting is Counting.WORKING_DAYS:
        return calendar.add_working_time(start, amount, clock.time_zone)
    return start + amount


def _not_before_start(clock: StageClock, at: datetime) -> None:
    if at < clock.started_at:
        raise ValueError(f"{at.isoformat()} is before the clock started at {clock.started_at.isoformat()}")


def _instant(raw: str) -> datetime:
    return as_utc(datetime.fromisoformat(raw))
