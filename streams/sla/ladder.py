"""What a stage clock asks for now: warnings before the deadline, then the escalation ladder.

For a stage that escalates (:attr:`OnBreach.ESCALATE`):

- a :class:`SlaWarning` to the agency at each ``policy.warnings`` fraction of the budget;
- at the deadline, :class:`SlaEscalation` tier 1 to the agency's own admin (``Admin Instansi``);
- tier 2, 3, ... to each step of ``agency.supervision_chain`` in order, each
  ``policy.days_between_tiers`` working days (agency zone) after the previous one, ending at
  Ombudsman RI. Nothing is planned after the last step.

For a stage that expires (the reporter never replied), a single :class:`SlaExpiry` at the
deadline: the caller closes the complaint.

Exactly-once is the caller's half of the contract: it records each fired action's ``key`` in
its state next to the clock, and passes the recorded keys back as ``fired``. :func:`due_actions`
returns every due action whose key is not in ``fired``, in ladder order, so a worker that was
down for days catches up with all missed tiers at once, and never repeats one. Keys are unique
within one clock (``"first_follow_up:warn:50"``, ``"first_follow_up:escalate:3"``); a
forwarded complaint gets a new clock and starts with no fired keys.

While a clock is paused nothing new becomes due.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Set
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from lapor_hub.streams.directory import Agency, Supervisor
from lapor_hub.streams.sla.calendar import WorkingCalendar, as_utc
from lapor_hub.streams.sla.deadline import StageClock, budget, time_at_used, used_time
from lapor_hub.streams.sla.policy import OnBreach, SlaPolicy, Stage, warning_label

__all__ = [
    "AGENCY_ADMIN_OFFICE",
    "SlaWarning",
    "SlaEscalation",
    "SlaExpiry",
    "SlaAction",
    "escalation_ladder",
    "planned_actions",
    "due_actions",
    "next_due_at",
    "mark_fired",
]

#: The office addressed at tier 1: the agency's own LAPOR! administrator.
AGENCY_ADMIN_OFFICE = "Admin Instansi"


@dataclass(frozen=True, slots=True)
class SlaWarning:
    key: str
    stage: Stage
    agency_code: str
    #: When the warning became (or becomes) due.
    due_at: datetime
    fraction: float

    def to_dict(self) -> dict[str, Any]:
        return {**_common(self, "warning"), "fraction": self.fraction}


@dataclass(frozen=True, slots=True)
class SlaEscalation:
    key: str
    stage: Stage
    agency_code: str
    due_at: datetime
    #: 1 = the agency's own admin, 2.. = the supervision chain in order.
    tier: int
    addressed_to: Supervisor

    def to_dict(self) -> dict[str, Any]:
        return {
            **_common(self, "escalation"),
            "tier": self.tier,
            "addressed_to": {"code": self.addressed_to.code, "office": self.addressed_to.office},
        }


@dataclass(frozen=True, slots=True)
class SlaExpiry:
    """The deadline of a stage that ends by itself (close after no reply) has passed."""

    key: str
    stage: Stage
    agency_code: str
    due_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return _common(self, "expiry")


SlaAction = SlaWarning | SlaEscalation | SlaExpiry

_IsDue = Callable[[datetime], bool]


def escalation_ladder(agency: Agency) -> tuple[Supervisor, ...]:
    """Who is addressed at tier 1, 2, ...: the agency's admin, then its supervision chain."""
    return (Supervisor(agency.code, AGENCY_ADMIN_OFFICE), *agency.supervision_chain)


def planned_actions(
    clock: StageClock, agency: Agency, policy: SlaPolicy, calendar: WorkingCalendar
) -> list[SlaAction]:
    """Every action the clock will ever ask for, in order, each with the instant it becomes due
    if the clock keeps running from now on."""
    return [action for action, _ in _plan(clock, agency, policy, calendar)]


def due_actions(
    clock: StageClock,
    agency: Agency,
    policy: SlaPolicy,
    fired: Set[str],
    now: datetime,
    calendar: WorkingCalendar,
) -> list[SlaAction]:
    """Every action due at ``now`` whose key is not in ``fired``, in ladder order.

    ``due_at`` of a returned action is never after ``now``; for a warning passed before a later
    pause it counts that pause as if it came first, so it may be later than the true crossing.
    """
    now = as_utc(now)
    due = []
    for action, is_due in _plan(clock, agency, policy, calendar):
        if action.key in fired:
            continue
        if not is_due(now):
            break  # the plan is in time order: nothing after a pending action is due yet
        due.append(action)
    return due


def next_due_at(
    clock: StageClock,
    agency: Agency,
    policy: SlaPolicy,
    fired: Set[str],
    now: datetime,
    calendar: WorkingCalendar,
) -> datetime | None:
    """When the earliest unfired action becomes due: an instant not after ``now`` when one is due
    already, ``None`` when nothing is left or the clock is paused (resuming is an event, so the
    caller asks again then)."""
    now = as_utc(now)
    # The plan is in time order, so the first unfired action is the earliest; planning stops
    # there, which keeps this cheap on every transition.
    for action, is_due in _plan(clock, agency, policy, calendar):
        if action.key in fired:
            continue
        if is_due(now):
            return action.due_at
        return None if clock.is_paused else action.due_at
    return None


def mark_fired(fired: Iterable[str], actions: Iterable[SlaAction]) -> frozenset[str]:
    """The fired keys after the caller has sent ``actions``: what it stores next to the clock."""
    return frozenset(fired) | {action.key for action in actions}


# -- planning ---------------------------------------------------------------------------------


def _plan(
    clock: StageClock, agency: Agency, policy: SlaPolicy, calendar: WorkingCalendar
) -> Iterator[tuple[SlaAction, _IsDue]]:
    """(action, is_due(now)) pairs in ladder order, which is time order; computed lazily.

    Thresholds are exact timedeltas so that "due at ``due_at``" and "is_due(due_at)" agree to
    the microsecond: a timer woken at ``next_due_at`` always finds something to do.
    """
    if agency.code != clock.agency_code:
        raise ValueError(f"the clock belongs to agency {clock.agency_code!r}, not {agency.code!r}")
    stage, code = clock.stage, clock.agency_code
    rule = policy.rule(stage)
    if rule.on_breach is OnBreach.EXPIRE:
        yield SlaExpiry(f"{stage.value}:expire", stage, code, clock.due_at), _breached(clock)
        return

    whole = budget(clock, calendar)
    for fraction in policy.warnings:
        threshold = whole * fraction
        at = time_at_used(clock, threshold, calendar)
        key = f"{stage.value}:warn:{warning_label(fraction)}"
        yield SlaWarning(key, stage, code, at, fraction), _used_reaches(clock, threshold, calendar)

    step = timedelta(days=policy.days_between_tiers)
    for tier, supervisor in enumerate(escalation_ladder(agency), start=1):
        overdue = step * (tier - 1)
        at = calendar.add_working_time(clock.due_at, overdue, clock.time_zone)
        key = f"{stage.value}:escalate:{tier}"
        yield SlaEscalation(key, stage, code, at, tier, supervisor), _overdue_reaches(clock, overdue, calendar)


def _effective(clock: StageClock, now: datetime) -> datetime:
    # A paused clock stands still at the pause.
    return min(now, clock.paused_at) if clock.paused_at is not None else now


def _breached(clock: StageClock) -> _IsDue:
    return lambda now: _effective(clock, now) >= clock.due_at


def _used_reaches(clock: StageClock, threshold: timedelta, calendar: WorkingCalendar) -> _IsDue:
    return lambda now: used_time(clock, now, calendar) >= threshold


def _overdue_reaches(clock: StageClock, overdue: timedelta, calendar: WorkingCalendar) -> _IsDue:
    def is_due(now: datetime) -> bool:
        now = _effective(clock, now)
        return now >= clock.due_at and calendar.working_time_between(clock.due_at, now, clock.time_zone) >= overdue

    return is_due


def _common(action: SlaAction, kind: str) -> dict[str, Any]:
    return {
        "key": action.key,
        "kind": kind,
        "stage": action.stage.value,
        "agency_code": action.agency_code,
        "due_at": action.due_at.isoformat(),
    }
