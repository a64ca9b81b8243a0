"""The complaint lifecycle as one pure function: ``(state, command) -> (new state, events)``.

Every command not allowed for the complaint's status, or sent by someone who may not send it,
raises :class:`IllegalTransition` with the reason (the rules are :mod:`.authority`); the agent
dead-letters it. Once a command is allowed, its handler here decides what changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from lapor_hub.streams.directory import NATIONAL_ADMIN
from lapor_hub.streams.lifecycle import authority, deadlines
from lapor_hub.streams.lifecycle.commands import (
    HUB,
    INTAKE,
    SLA_CHECK,
    Command,
    Emission,
    IllegalTransition,
    Outcome,
)
from lapor_hub.streams.lifecycle.context import LifecycleContext
from lapor_hub.streams.lifecycle.emissions import EventFactory, assignment
from lapor_hub.streams.lifecycle.state import ComplaintState, Facts
from lapor_hub.streams.lifecycle.status import Status
from lapor_hub.streams.routing import RouteDecision, RoutingRequest, decide_route, forward_target, with_unit
from lapor_hub.streams.sla import Stage

__all__ = ["transition", "NEEDS_SUBMISSION"]

S = Status


def transition(state: ComplaintState | None, command: Command, ctx: LifecycleContext, now: datetime,
               submission: Mapping[str, Any] | None = None) -> Outcome:
    """The next state of a complaint and the events to append, or IllegalTransition.

    ``submission`` is the complaint's submission as received: a forwarding delivers it to the
    next agency, so the caller passes it for :data:`NEEDS_SUBMISSION` commands (the state keeps
    only its :class:`~lapor_hub.streams.lifecycle.state.Facts`).
    """
    if state is not None and state.has_seen(command.key):
        return Outcome(state, duplicate=True)
    if state is not None and _same_submission(state, command):
        # A client's retry stored the submission twice, long after: same event id, same complaint.
        return Outcome(state, duplicate=True)
    if state is None:
        if command.record_type != "ComplaintSubmitted" or command.sender != INTAKE:
            raise IllegalTransition(f"{command.record_type} for a complaint the hub does not hold")
        return _submitted(command, ctx, now)
    authority.check(authority.Standing(state.status, state.agency), command.record_type, command.sender,
                    command.value, ctx.directory)
    _require_fields(command)
    events = EventFactory(command.key, state.tracking_id, now, command.sender, command.subject)
    if command.record_type in NEEDS_SUBMISSION:
        if submission is None:
            raise IllegalTransition(f"{command.record_type} needs the complaint's submission, which is not at hand")
        new_state, emissions = _forwarded(state, command, ctx, now, events, submission)
    else:
        new_state, emissions = _HANDLERS[command.record_type](state, command, ctx, now, events)
    if command.record_type != SLA_CHECK:
        # SLA checks are idempotent through the fired keys; remembering them would push real
        # commands out of the duplicate memory.
        new_state = new_state.remember(command.key)
    return Outcome(deadlines.with_next_due(new_state, now, ctx), tuple(emissions))


def _same_submission(state: ComplaintState, command: Command) -> bool:
    return (command.record_type == "ComplaintSubmitted" and command.sender == INTAKE
            and command.id == state.facts.event_id)


def _routing_request(state: ComplaintState) -> RoutingRequest:
    facts = state.facts
    return RoutingRequest(facts.category, facts.region_code, facts.requested_agency)


def _submitted(command: Command, ctx: LifecycleContext, now: datetime) -> Outcome:
    submission = command.value
    state = ComplaintState(tracking_id=submission["tracking_id"], status=S.DISPOSITIONED,
                           agency=NATIONAL_ADMIN, facts=Facts.of(submission))
    decision = decide_route(_routing_request(state), ctx.directory, ctx.rules)
    events = EventFactory(command.key, state.tracking_id, now, INTAKE)
    state = deadlines.start(state, Stage.SETTLEMENT, decision.agency_code, now, ctx)
    state, disposition = _disposition(state, decision, ctx, now, events, submission)
    # The submission keeps its own event id: it is the event the channel created.
    submitted = Emission("ComplaintSubmitted", submission, state.status, state.agency)
    state = deadlines.with_next_due(state.remember(command.key), now, ctx)
    return Outcome(state, (submitted, disposition))


def _disposition(state: ComplaintState, decision: RouteDecision, ctx: LifecycleContext, now: datetime,
                 events: EventFactory, submission: Mapping[str, Any]) -> tuple[ComplaintState, Emission]:
    """Hand the complaint to ``decision.agency_code``, and the unit its classification needs, with a fresh clock."""
    decision = with_unit(decision, submission.get("classification"))
    if decision.triage:
        state = replace(state, status=S.TRIAGE, agency=decision.agency_code)
        state = deadlines.start(deadlines.stop(state, Stage.FIRST_FOLLOW_UP), Stage.VERIFICATION,
                                decision.agency_code, now, ctx)
        due = state.clocks[Stage.VERIFICATION.value].due_at
    else:
        state = replace(state, status=S.DISPOSITIONED, agency=decision.agency_code)
        state = deadlines.start(deadlines.stop(state, Stage.VERIFICATION), Stage.FIRST_FOLLOW_UP,
                                decision.agency_code, now, ctx)
        due = state.clocks[Stage.FIRST_FOLLOW_UP.value].due_at
    fields = assignment(state, submission, decision, ctx.directory, due)
    return state, events.event("ComplaintDispositioned", fields, status=state.status, agency=state.agency,
                               inboxes=(state.agency,), actor=HUB)


#: The fields each command's handler reads; a command without one is refused before any change
#: (a bug in a handler stays a bug, instead of looking like a refused command).
_REQUIRED_FIELDS = {
    "ComplaintReturnedToReporter": ("reason",),
    "ReporterReplied": ("message",),
    "InformationAdded": ("message",),
    "FollowUpRecorded": ("note",),
    "ResponseGiven": ("response",),
    "ComplaintClosed": ("reason",),
    "ComplaintReopened": ("reason",),
    "ComplaintArchived": ("reason",),
    "ComplaintPutOnHold": ("reason",),
    "ComplaintRated": ("rating",),
}


def _require_fields(command: Command) -> None:
    missing = [name for name in _REQUIRED_FIELDS.get(command.record_type, ()) if name not in command.value]
    if missing:
        raise IllegalTransition(f"{command.record_type} lacks a field it needs: {', '.join(missing)}")


def _accepted(state, command, ctx, now, events):
    if state.status is S.TRIAGE:
        # The national admin keeps the complaint as KemenPANRB's own: verification is over and
        # the first follow-up is now due from it.
        state = deadlines.start(deadlines.stop(state, Stage.VERIFICATION), Stage.FIRST_FOLLOW_UP,
                                state.agency, now, ctx)
    state = replace(state, status=S.ACCEPTED)
    return state, [events.event("ComplaintAccepted", {"agency": state.agency}, status=state.status,
                                agency=state.agency)]


def _forwarded(state, command, ctx, now, events, submission):
    """A decline [bukan wewenang] is a forwarding [pelimpahan], never a dead end."""
    suggested = command.value.get("to_agency") or None
    by_admin = state.status is S.TRIAGE
    if by_admin:
        # The national admin dispositions by hand: its choice stands (authority checked it exists).
        assert suggested is not None  # authority._forwarded refused a disposition without to_agency
        decision = RouteDecision(suggested, "admin.disposition",
                                 "dispositioned by the national admin after triage", False, False)
    else:
        decision = forward_target(state.agency, suggested, _routing_request(state), ctx.directory, ctx.rules,
                                  state.history, ctx.max_hops)
    from_agency = state.agency
    state = replace(state, history=(*state.history, from_agency))
    state = deadlines.forward_all(state, decision.agency_code, now, ctx)
    forwarded = events.event(
        "ComplaintForwarded",
        {"from_agency": from_agency, "to_agency": decision.agency_code,
         "reason": command.value.get("reason") or decision.reason, "hop": state.hop,
         "suggested_by_agency": not by_admin and suggested is not None and suggested == decision.agency_code},
        status=S.TRIAGE if decision.triage else S.DISPOSITIONED, agency=decision.agency_code)
    state, disposition = _disposition(state, decision, ctx, now, events, submission)
    return state, [forwarded, disposition]


def _returned_to_reporter(state, command, ctx, now, events):
    state = replace(deadlines.pause_all(state, now), status=S.WAITING_FOR_REPORTER, resume_status=state.status)
    return state, [events.event("ComplaintReturnedToReporter", {"reason": command.value["reason"]},
                                status=state.status, agency=state.agency)]


def _reporter_answered(state, command, ctx, now, events):
    if state.status is S.WAITING_FOR_REPORTER:
        state = replace(deadlines.resume_all(state, now, ctx), status=state.resume_status or S.DISPOSITIONED,
                        resume_status=None)
    elif state.status is S.RESPONDED:
        # Any answer to the response is a reply: the agency has work again, no automatic close.
        state = replace(deadlines.stop(state, Stage.AWAITING_REPLY), status=S.IN_PROGRESS)
    fields = {"message": command.value["message"]}
    if command.record_type == "InformationAdded":
        # Attachments of anonymous reports are withheld: a photo once identified a reporter.
        fields["attachments"] = [] if state.facts.anonymous else list(command.value.get("attachments") or [])
    return state, [events.event(command.record_type, fields, status=state.status, agency=state.agency,
                                inboxes=(state.agency,))]


def _follow_up(state, command, ctx, now, events):
    state = replace(deadlines.stop(state, Stage.FIRST_FOLLOW_UP), status=S.IN_PROGRESS)
    fields = {"agency": state.agency, "note": command.value["note"],
              "attachments": list(command.value.get("attachments") or [])}
    return state, [events.event("FollowUpRecorded", fields, status=state.status, agency=state.agency)]


def _response(state, command, ctx, now, events):
    state = deadlines.stop(state, Stage.FIRST_FOLLOW_UP)
    state = replace(deadlines.start(state, Stage.AWAITING_REPLY, state.agency, now, ctx), status=S.RESPONDED)
    return state, [events.event("ResponseGiven", {"agency": state.agency, "response": command.value["response"]},
                                status=state.status, agency=state.agency)]


def _closed(state, command, ctx, now, events):
    return _close(state, command.value["reason"], command.value.get("note"), events)


def _close(state, reason, note, events):
    state = replace(deadlines.stop(state, *Stage), status=S.CLOSED, finished_at=events.now)
    return state, [events.event("ComplaintClosed", {"reason": reason, "note": note},
                                status=state.status, agency=state.agency)]


def _reopened(state, command, ctx, now, events):
    state = replace(state, finished_at=None, dormant=False)
    state = deadlines.stop(state, Stage.AWAITING_REPLY)
    state = deadlines.start(state, Stage.FIRST_FOLLOW_UP, state.agency, now, ctx)
    if Stage.SETTLEMENT.value not in state.clocks:
        state = deadlines.start(state, Stage.SETTLEMENT, state.agency, now, ctx)
    state = replace(state, status=S.ACCEPTED)
    return state, [events.event("ComplaintReopened", {"reason": command.value["reason"]}, status=state.status,
                                agency=state.agency, inboxes=(state.agency,))]


def _rated(state, command, ctx, now, events):
    """A rating changes nothing in the complaint's course: it is the reporter's verdict on the holder's response."""
    rating = command.value["rating"]
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise IllegalTransition("a rating is a whole number from 1 to 5")
    fields = {"agency": state.agency, "rating": rating, "comment": command.value.get("comment")}
    return state, [events.event("ComplaintRated", fields, status=state.status, agency=state.agency)]


def _archived(state, command, ctx, now, events):
    state = replace(deadlines.stop(state, *Stage), status=S.ARCHIVED, finished_at=now)
    return state, [events.event("ComplaintArchived", {"reason": command.value["reason"],
                                                      "notes": command.value.get("notes")},
                                status=state.status, agency=state.agency)]


def _on_hold(state, command, ctx, now, events):
    state = replace(deadlines.pause_all(state, now), status=S.ON_HOLD)
    return state, [events.event("ComplaintPutOnHold", {"reason": command.value["reason"]},
                                status=state.status, agency=state.agency)]


def _verified(state, command, ctx, now, events):
    state = replace(deadlines.resume_all(state, now, ctx), status=S.TRIAGE)
    return state, [events.event("ComplaintVerified", {"notes": command.value.get("notes")},
                                status=state.status, agency=state.agency)]


def _sla_check(state, command, ctx, now, events):
    if state.finished_at is not None:
        # A finished complaint's only due action: going dormant once the reopen window passed.
        dormant = not state.dormant and now >= state.finished_at + ctx.reopen_window
        return (state.gone_dormant() if dormant else state), []
    state, emissions, expired = deadlines.check(state, now, ctx, events)
    if expired and state.status is S.RESPONDED:
        state, closed = _close(state, "NO_REPLY", "closed automatically: no reply from the reporter", events)
        emissions += closed
    return state, emissions


#: Commands that deliver the complaint again, and so need its submission.
NEEDS_SUBMISSION = frozenset({"ComplaintForwarded"})

_Handler = Callable[..., tuple[ComplaintState, list[Emission]]]
_HANDLERS: dict[str, _Handler] = {
    "ComplaintAccepted": _accepted,
    "ComplaintReturnedToReporter": _returned_to_reporter,
    "ReporterReplied": _reporter_answered,
    "InformationAdded": _reporter_answered,
    "FollowUpRecorded": _follow_up,
    "ResponseGiven": _response,
    "ComplaintClosed": _closed,
    "ComplaintReopened": _reopened,
    "ComplaintRated": _rated,
    "ComplaintArchived": _archived,
    "ComplaintPutOnHold": _on_hold,
    "ComplaintVerified": _verified,
    SLA_CHECK: _sla_check,
}
