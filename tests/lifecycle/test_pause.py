"""Returned to the reporter: every clock pauses, the reporter's answer resumes them and the status."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lapor_hub.streams.directory import NATIONAL_ADMIN
from lapor_hub.streams.lifecycle import NATIONAL_ADMIN_ACTOR, REPORTER, IllegalTransition, Status
from tests.lifecycle.builders import PRINGSEWU, Complaint, at_wib, complaint_in


def test_returning_to_the_reporter_pauses_every_clock_and_the_answer_resumes_them(ctx):
    complaint = Complaint.submitted(ctx)
    complaint.send("ComplaintAccepted", PRINGSEWU, at=at_wib(6, 11))
    follow_up_due = complaint.state.clocks["first_follow_up"].due_at
    settlement_due = complaint.state.clocks["settlement"].due_at
    complaint.send("ComplaintReturnedToReporter", PRINGSEWU, at=at_wib(8, 10))
    assert complaint.status is Status.WAITING_FOR_REPORTER
    assert all(clock.is_paused for clock in complaint.state.clocks.values())
    assert complaint.state.next_due_at is None
    for day in range(9, 20):  # the deadline passes on the calendar, but the clock stands still
        assert complaint.check_sla(at_wib(day)).emissions == ()

    outcome = complaint.send("InformationAdded", REPORTER, at=at_wib(20, 10))
    assert complaint.status is Status.ACCEPTED and complaint.state.resume_status is None
    assert outcome.emissions[0].inboxes == (PRINGSEWU,)
    assert not any(clock.is_paused for clock in complaint.state.clocks.values())
    # Paused from Wednesday 8 July 10:00 to Monday 20 July 10:00 WIB: 8 working days, 12 calendar days.
    assert complaint.state.clocks["first_follow_up"].due_at == follow_up_due + timedelta(days=10)
    assert complaint.state.clocks["first_follow_up"].due_at == at_wib(24, 0)
    assert complaint.state.clocks["settlement"].due_at == settlement_due + timedelta(days=12)
    assert complaint.state.next_due_at is not None


@pytest.mark.parametrize(("status", "sender"), [
    (Status.DISPOSITIONED, "holder"), (Status.ACCEPTED, "holder"), (Status.IN_PROGRESS, "holder"),
    (Status.TRIAGE, NATIONAL_ADMIN_ACTOR), (Status.RESPONDED, NATIONAL_ADMIN_ACTOR),
])
@pytest.mark.parametrize("answer", ["InformationAdded", "ReporterReplied"])
def test_the_answer_restores_the_status_the_complaint_had(ctx, status, sender, answer):
    complaint = complaint_in(ctx, status)
    complaint.send("ComplaintReturnedToReporter", complaint.holder if sender == "holder" else sender,
                   at=complaint.later())
    assert complaint.state.resume_status is status
    complaint.send(answer, REPORTER, at=complaint.later(24))
    assert complaint.status is status
    assert not any(clock.is_paused for clock in complaint.state.clocks.values())


def test_a_complaint_waiting_for_the_reporter_cannot_be_returned_again(ctx):
    complaint = complaint_in(ctx, Status.WAITING_FOR_REPORTER)
    with pytest.raises(IllegalTransition):
        complaint.send("ComplaintReturnedToReporter", NATIONAL_ADMIN_ACTOR, at=complaint.later())


def test_on_hold_pauses_the_verification_clock_until_verified(ctx):
    complaint = complaint_in(ctx, Status.ON_HOLD)
    assert complaint.holder == NATIONAL_ADMIN
    assert complaint.state.clocks["verification"].is_paused
    assert complaint.check_sla(complaint.now + timedelta(days=20)).emissions == ()
    complaint.send("ComplaintVerified", NATIONAL_ADMIN_ACTOR, at=complaint.later())
    assert complaint.status is Status.TRIAGE
    assert not complaint.state.clocks["verification"].is_paused
