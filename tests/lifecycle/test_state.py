"""The complaint state survives the changelog: to_dict / from_dict, and through JSON text."""

from __future__ import annotations

import json

import pytest

from lapor_hub.streams.lifecycle import ComplaintState, Status, transition
from lapor_hub.streams.lifecycle.state import SEEN_LIMIT
from tests.lifecycle.builders import PRINGSEWU, Complaint, at_wib, complaint_in, submission


def _round_trips(state: ComplaintState) -> None:
    assert ComplaintState.from_dict(state.to_dict()) == state
    assert ComplaintState.from_dict(json.loads(json.dumps(state.to_dict()))) == state


@pytest.mark.parametrize("status", list(Status))
def test_every_status_round_trips(ctx, status):
    _round_trips(complaint_in(ctx, status).state)


def test_fired_keys_paused_clocks_and_history_round_trip(ctx):
    complaint = Complaint.submitted(ctx, submission(category="social_aid.blt"))
    complaint.check_sla(at_wib(11))
    complaint.send("ComplaintForwarded", PRINGSEWU, at=at_wib(13), to_agency="KEMENSOS")
    complaint.check_sla(at_wib(16))
    complaint.send("ComplaintReturnedToReporter", "KEMENSOS", at=at_wib(16, 10))
    state = complaint.state
    assert state.fired["first_follow_up"] and state.history == (PRINGSEWU,)
    assert state.clocks["first_follow_up"].is_paused and state.resume_status is Status.DISPOSITIONED
    _round_trips(state)


def test_a_restored_state_decides_exactly_like_the_original(ctx):
    complaint = Complaint.submitted(ctx)
    complaint.check_sla(at_wib(9, 12))
    restored = ComplaintState.from_dict(json.loads(json.dumps(complaint.state.to_dict())))
    command = complaint.command("SlaCheck", "hub")
    original = transition(complaint.state, command, ctx, at_wib(20))
    again = transition(restored, command, ctx, at_wib(20))
    assert original.emissions == again.emissions and original.emissions
    assert original.state == again.state


def test_hub_timer_checks_do_not_push_agency_commands_out_of_the_duplicate_memory(ctx):
    complaint = complaint_in(ctx, Status.DISPOSITIONED)
    follow_up = complaint.command("FollowUpRecorded", PRINGSEWU)
    complaint.apply(follow_up, at=complaint.later())
    for _day in range(SEEN_LIMIT + 1):
        complaint.check_sla(complaint.later(24))
    assert complaint.apply(follow_up, at=complaint.later()).duplicate
