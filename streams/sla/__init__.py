"""SLA deadlines and escalation: the pure core (no Kafka, no faust, no I/O).

The faust wiring keeps, per complaint and stage, a :class:`StageClock` (as ``clock.to_dict()``)
and the set of fired action keys, and calls these functions:

Time
    ``clock.now()`` from a :class:`Clock`: :class:`SystemClock`, :class:`ScaledClock` for
    ``LAPOR_TIME_SCALE`` (``clock_for_scale(settings.time_scale)``), :class:`FrozenClock` in tests.

Which days count
    :class:`WorkingCalendar` (``WorkingCalendar.from_mapping(yaml["calendar"])``): Monday to
    Friday minus Indonesian public holidays and configured extra dates (cuti bersama), in the
    agency's zone. A working day is the whole local day; "N working days after t" ends at local
    midnight after the N-th working day following t's local date, so WIT deadlines fall two hours
    before WIB ones. All instants in and out are timezone-aware UTC.

How long
    :class:`SlaPolicy` (``SlaPolicy.from_mapping(yaml["sla"])``, bad values raise
    ``ConfigurationError``); ``policy.rule(stage)`` for a :class:`Stage`.

Per stage
    ``start_clock(stage, agency, at, policy, calendar) -> StageClock`` when the stage begins;
    ``pause(clock, at)`` when the complaint waits on the reporter;
    ``resume(clock, at, calendar)`` when the reporter answers (deadline pushed by the paused
    working time); ``forward(clock, to_agency, at, policy, calendar) -> Forwarding`` on
    pelimpahan (fresh clock for the receiving agency, plus the time the forwarding one used);
    ``progress(clock, now, calendar) -> float``.

What to do now
    ``due_actions(clock, agency, policy, fired, now, calendar) -> list[SlaAction]``: send each
    (a :class:`SlaWarning`, :class:`SlaEscalation` or :class:`SlaExpiry`), then store
    ``mark_fired(fired, actions)``. ``next_due_at(...)`` says when to look again (``None``: only
    a new event can change anything).

A timer loop therefore reads::

    actions = due_actions(clock, agency, policy, fired, hub_clock.now(), calendar)
    for action in actions:
        send(action.to_dict())
    fired = mark_fired(fired, actions)
    wake = next_due_at(clock, agency, policy, fired, hub_clock.now(), calendar)
"""

from lapor_hub.streams.sla.calendar import WorkingCalendar, default_calendar
from lapor_hub.streams.sla.clock import Clock, FrozenClock, ScaledClock, SystemClock, clock_for_scale
from lapor_hub.streams.sla.deadline import (
    Forwarding,
    StageClock,
    budget,
    forward,
    pause,
    progress,
    resume,
    start_clock,
    time_at_progress,
    time_at_used,
    used_time,
)
from lapor_hub.streams.sla.ladder import (
    AGENCY_ADMIN_OFFICE,
    SlaAction,
    SlaEscalation,
    SlaExpiry,
    SlaWarning,
    due_actions,
    escalation_ladder,
    mark_fired,
    next_due_at,
    planned_actions,
)
from lapor_hub.streams.sla.policy import Counting, OnBreach, SlaPolicy, Stage, StageRule

__all__ = [
    "AGENCY_ADMIN_OFFICE",
    "Clock",
    "Counting",
    "Forwarding",
    "FrozenClock",
    "OnBreach",
    "ScaledClock",
    "SlaAction",
    "SlaEscalation",
    "SlaExpiry",
    "SlaPolicy",
    "SlaWarning",
    "Stage",
    "StageClock",
    "StageRule",
    "SystemClock",
    "WorkingCalendar",
    "budget",
    "clock_for_scale",
    "default_calendar",
    "due_actions",
    "escalation_ladder",
    "forward",
    "mark_fired",
    "next_due_at",
    "pause",
    "planned_actions",
    "progress",
    "resume",
    "start_clock",
    "time_at_progress",
    "time_at_used",
    "used_time",
]
