"""The complaint's deadline clocks: which run in which status, and what a timer check fires."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from lapor_hub.streams.lifecycle.commands import Emission, derived_event_id
from lapor_hub.streams.lifecycle.context import LifecycleContext
from lapor_hub.streams.lifecycle.emissions import EventFactory
from lapor_hub.streams.lifecycle.state import ComplaintState
from lapor_hub.streams.sla import (
    SlaEscalation,
    SlaExpiry,
    SlaWarning,
    Stage,
    StageClock,
    due_actions,
    forward,
    mark_fired,
    next_due_at,
    pause,
    resume,
    start_clock,
)

__all__ = ["start", "stop", "pause_all", "resume_all", "forward_all", "check", "with_next_due"]


def start(state: ComplaintState, stage: Stage, agency_code: str, now: datetime,
          ctx: LifecycleContext) -> ComplaintState:
    clock = start_clock(stage, ctx.directory.get(agency_code), now, ctx.policy, ctx.calendar)
    return replace(state, clocks={**state.clocks, stage.value: clock},
                   fired={**state.fired, stage.value: frozenset()})


def stop(state: ComplaintState, *stages: Stage) -> ComplaintState:
    names = {s.value for s in stages}
    return replace(state, clocks={k: v for k, v in state.clocks.items() if k not in names},
                   fired={k: v for k, v in state.fired.items() if k not in names})


def pause_all(state: ComplaintState, now: datetime) -> ComplaintState:
    return replace(state, clocks={k: pause(c, now) for k, c in state.clocks.items()})


def resume_all(state: ComplaintState, now: datetime, ctx: LifecycleContext) -> ComplaintState:
    return replace(state, clocks={k: resume(c, now, ctx.calendar) for k, c in state.clocks.items()})


def forward_all(state: ComplaintState, to_agency: str, now: datetime, ctx: LifecycleContext) -> ComplaintState:
    """A forwarding starts the stage clocks afresh for the receiving agency (fired keys too).

    Settlement is the exception: it runs from the complete file whoever holds the complaint,
    so it only changes hands, and tiers already fired stay fired.
    """
    agency = ctx.directory.get(to_agency)
    clocks, fired = {}, {}
    for stage, clock in state.clocks.items():
        if stage == Stage.SETTLEMENT.value:
            clocks[stage] = replace(clock, agency_code=agency.code, time_zone=agency.time_zone.value)
            fired[stage] = state.fired.get(stage, frozenset())
        else:
            clocks[stage] = forward(clock, agency, now, ctx.policy, ctx.calendar).clock
            fired[stage] = frozenset()
    return replace(state, clocks=clocks, fired=fired)


def with_next_due(state: ComplaintState, now: datetime, ctx: LifecycleContext) -> ComplaintState:
    """When the SLA timer must look at the complaint next; a finished one, when it goes dormant."""
    if state.finished_at is not None:
        return replace(state, next_due_at=None if state.dormant else state.finished_at + ctx.reopen_window)
    candidates = [
        next_due_at(clock, ctx.directory.get(clock.agency_code), ctx.policy,
                    state.fired.get(stage, frozenset()), now, ctx.calendar)
        for stage, clock in state.clocks.items()
    ]
    due = [c for c in candidates if c is not None]
    return replace(state, next_due_at=min(due) if due else None)


def check(state: ComplaintState, now: datetime, ctx: LifecycleContext,
          events: EventFactory) -> tuple[ComplaintState, list[Emission], bool]:
    """Fire every due warning and escalation exactly once; True in the result means "expired"."""
    emissions: list[Emission] = []
    expired = False
    fired = dict(state.fired)
    for stage, clock in state.clocks.items():
        agency = ctx.directory.get(clock.agency_code)
        actions = due_actions(clock, agency, ctx.policy, fired.get(stage, frozenset()), now, ctx.calendar)
        for action in actions:
            # Ids from the action key: the same warning is the same event, whoever fires it.
            event_id = _sla_event_id(state.tracking_id, clock, action.key)
            if isinstance(action, SlaWarning):
                emissions.append(events.event(
                    "SlaWarning",
                    {"stage": stage, "agency": clock.agency_code, "percent": round(action.fraction * 100),
                     "deadline_at": clock.due_at},
                    status=state.status, agency=state.agency, inboxes=(clock.agency_code,),
                    escalation=True, event_id=event_id))
            elif isinstance(action, SlaEscalation):
                addressed = ctx.directory.get(action.addressed_to.code)
                emissions.append(events.event(
                    "ComplaintEscalated",
                    {"stage": stage, "agency": clock.agency_code, "tier": action.tier,
                     "addressed_to": {"code": addressed.code, "name": addressed.name},
                     "office": action.addressed_to.office, "deadline_at": clock.due_at,
                     "breached_at": action.due_at},
                    status=state.status, agency=state.agency, inboxes=(addressed.code,),
                    escalation=True, event_id=event_id))
            elif isinstance(action, SlaExpiry):
                expired = True
        fired[stage] = mark_fired(fired.get(stage, frozenset()), actions)
    return replace(state, fired=fired), emissions, expired


def _sla_event_id(tracking_id: str, clock: StageClock, key: str) -> str:
    return derived_event_id(tracking_id, clock.agency_code, clock.started_at.isoformat(), key)
