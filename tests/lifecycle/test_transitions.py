"""Submission, duplicates, deterministic event ids, forged updates and the events of a whole life."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lapor_hub.streams.lifecycle import (
    INTAKE,
    NATIONAL_ADMIN_ACTOR,
    REPORTER,
    Command,
    IllegalTransition,
    Status,
    transition,
)
from tests.lifecycle.builders import (
    PRINGSEWU,
    T0,
    TRACKING_ID,
    Complaint,
    complaint_in,
    encode_all,
    submission,
    submit,
)


def test_a_submission_is_recorded_and_dispositioned(ctx):
    value = submission()
    outcome = transition(None, submit(value), ctx, T0)
    assert [e.record_type for e in outcome.emissions] == ["ComplaintSubmitted", "ComplaintDispositioned"]
    submitted, dispositioned = outcome.emissions
    assert submitted.value == value  # the channel's own event, unchanged
    assert submitted.inboxes == ()  # the full submission (identity included) goes to no agency
    assert dispositioned.inboxes == (PRINGSEWU,)
    assert dispositioned.value["actor"] == "hub"
    assert outcome.state.tracking_id == TRACKING_ID
    assert outcome.state.status is Status.DISPOSITIONED
    assert outcome.state.next_due_at is not None
    encode_all(outcome.emissions)


@pytest.mark.parametrize("record_type", ["ComplaintAccepted", "ResponseGiven", "ReporterReplied"])
def test_only_a_submission_from_intake_creates_a_complaint(ctx, record_type):
    with pytest.raises(IllegalTransition):
        transition(None, Command("c-1", "/x", record_type, {}, REPORTER), ctx, T0)
    with pytest.raises(IllegalTransition):
        transition(None, Command("c-1", "/x", "ComplaintSubmitted", submission(), REPORTER), ctx, T0)


def test_a_resubmission_under_a_new_id_is_refused(ctx):
    complaint = Complaint.submitted(ctx)
    with pytest.raises(IllegalTransition):
        complaint.apply(Command("sub-0002", "/channels/web", "ComplaintSubmitted", submission(), INTAKE))


def test_a_resubmission_with_the_original_event_id_is_a_duplicate_however_late(ctx):
    complaint = complaint_in(ctx, Status.IN_PROGRESS)
    original = complaint.submission
    for _ in range(40):  # pushes the submission's command out of the duplicate memory
        complaint.send("InformationAdded", REPORTER, at=complaint.later())
    retry = Command(original["event_id"], "/lapor-hub/api", "ComplaintSubmitted", original, INTAKE)
    outcome = complaint.apply(retry, at=complaint.later())
    assert outcome.duplicate and outcome.emissions == ()


def test_a_duplicate_command_is_a_no_op_marked_duplicate(ctx):
    complaint = complaint_in(ctx, Status.DISPOSITIONED)
    accept = complaint.command("ComplaintAccepted", PRINGSEWU)
    first = complaint.apply(accept, at=complaint.later())
    again = complaint.apply(accept, at=complaint.later(5))
    assert not first.duplicate and first.emissions
    assert again.duplicate and again.emissions == () and again.state is first.state


def test_a_redelivered_submission_is_a_duplicate(ctx):
    complaint = Complaint.submitted(ctx)
    outcome = complaint.apply(submit(), at=complaint.later())
    assert outcome.duplicate and outcome.emissions == ()


def test_a_duplicate_is_recognised_even_when_it_would_now_be_illegal(ctx):
    complaint = complaint_in(ctx, Status.DISPOSITIONED)
    respond = complaint.command("ResponseGiven", PRINGSEWU)
    complaint.apply(respond, at=complaint.later())
    complaint.send("ComplaintClosed", REPORTER, at=complaint.later())
    assert complaint.apply(respond, at=complaint.later()).duplicate


def test_same_id_from_another_source_is_not_a_duplicate(ctx):
    complaint = complaint_in(ctx, Status.ACCEPTED)
    one = Command("same-id", "/agency/18.10/simpeg", "FollowUpRecorded", {"note": "a", "attachments": []}, PRINGSEWU)
    two = Command("same-id", "/agency/18.10/email", "FollowUpRecorded", {"note": "b", "attachments": []}, PRINGSEWU)
    assert not complaint.apply(one, at=complaint.later()).duplicate
    assert not complaint.apply(two, at=complaint.later()).duplicate


def test_event_ids_are_deterministic(ctx):
    complaint = complaint_in(ctx, Status.ACCEPTED)
    command = complaint.command("ComplaintForwarded", PRINGSEWU, to_agency="KEMENDAGRI")
    at = complaint.later()
    first = transition(complaint.state, command, ctx, at, complaint.submission)
    second = transition(complaint.state, command, ctx, at, complaint.submission)
    assert [e.value["event_id"] for e in first.emissions] == [e.value["event_id"] for e in second.emissions]
    assert first.emissions == second.emissions
    assert first.state == second.state
    ids = [e.value["event_id"] for e in first.emissions]
    assert len(set(ids)) == len(ids)


def test_event_ids_differ_between_commands(ctx):
    complaint = complaint_in(ctx, Status.ACCEPTED)
    a = transition(complaint.state, complaint.command("FollowUpRecorded", PRINGSEWU), ctx, complaint.later())
    b = transition(complaint.state, complaint.command("FollowUpRecorded", PRINGSEWU), ctx, complaint.later())
    assert a.emissions[0].value["event_id"] != b.emissions[0].value["event_id"]


def test_submission_ids_are_deterministic_too(ctx):
    first = transition(None, submit(), ctx, T0)
    second = transition(None, submit(), ctx, T0)
    assert first.emissions == second.emissions and first.state == second.state


@pytest.mark.parametrize("record_type", ["ComplaintAccepted", "FollowUpRecorded", "ResponseGiven",
                                         "ComplaintForwarded", "ComplaintReturnedToReporter"])
@pytest.mark.parametrize("forger", ["18.71", "18", "KEMENDAGRI", "ORI"])
def test_a_forged_update_from_another_agency_is_rejected(ctx, record_type, forger):
    complaint = complaint_in(ctx, Status.DISPOSITIONED)
    before = complaint.state
    with pytest.raises(IllegalTransition, match="does not hold"):
        complaint.send(record_type, forger, at=complaint.later())
    assert complaint.state is before


def test_an_agency_that_forwarded_a_complaint_can_no_longer_update_it(ctx):
    value = submission(category="social_aid.blt")
    complaint = Complaint.submitted(ctx, value)
    complaint.send("ComplaintForwarded", PRINGSEWU, at=complaint.later(), to_agency="KEMENSOS")
    assert complaint.holder == "KEMENSOS"
    with pytest.raises(IllegalTransition):
        complaint.send("ComplaintAccepted", PRINGSEWU, at=complaint.later())


def test_the_sender_comes_from_the_wiring_not_the_payload(ctx):
    complaint = complaint_in(ctx, Status.DISPOSITIONED)
    forged = Command("c-x", "/agency/18.71", "ComplaintAccepted", {"agency": PRINGSEWU, "actor": PRINGSEWU}, "18.71")
    with pytest.raises(IllegalTransition):
        complaint.apply(forged, at=complaint.later())


@pytest.mark.parametrize(("sender", "reason"), [
    (REPORTER, "ADMIN_CLOSED"), (REPORTER, "NO_REPLY"), (NATIONAL_ADMIN_ACTOR, "REPORTER_SATISFIED"),
    (PRINGSEWU, "REPORTER_SATISFIED"), (PRINGSEWU, "NO_REPLY"),
])
def test_closing_reasons_belong_to_their_sender(ctx, sender, reason):
    complaint = complaint_in(ctx, Status.RESPONDED)
    with pytest.raises(IllegalTransition):
        complaint.send("ComplaintClosed", sender, at=complaint.later(), reason=reason)


def test_every_event_of_a_whole_life_encodes(ctx):
    complaint = complaint_in(ctx, Status.ACCEPTED)
    for _ in range(12):  # the agency is late: warnings and escalations
        complaint.check_sla(complaint.now + timedelta(days=1))
    for record_type, sender in [("FollowUpRecorded", PRINGSEWU),
                                ("ComplaintReturnedToReporter", PRINGSEWU), ("InformationAdded", REPORTER),
                                ("ResponseGiven", PRINGSEWU), ("ReporterReplied", REPORTER),
                                ("ResponseGiven", PRINGSEWU), ("ComplaintClosed", REPORTER),
                                ("ComplaintReopened", REPORTER), ("ResponseGiven", PRINGSEWU)]:
        complaint.send(record_type, sender, at=complaint.later(3))
    for _ in range(20):  # the reporter stays silent: closed without reply
        complaint.check_sla(complaint.now + timedelta(days=1))
    assert complaint.status is Status.CLOSED
    kinds = {e.record_type for e in complaint.emitted}
    assert {"ComplaintReopened", "ComplaintClosed", "SlaWarning", "ComplaintEscalated", "InformationAdded"} <= kinds
    encode_all(complaint.emitted)
    ids = [e.value["event_id"] for e in complaint.emitted]
    assert len(ids) == len(set(ids)), "no two events share an id"


def test_a_reopened_complaint_gets_a_fresh_first_follow_up_clock(ctx):
    complaint = complaint_in(ctx, Status.CLOSED)
    outcome = complaint.send("ComplaintReopened", REPORTER, at=complaint.now + timedelta(days=2))
    assert outcome.state.status is Status.ACCEPTED
    assert set(outcome.state.clocks) == {"first_follow_up", "settlement"}
    assert outcome.state.clocks["first_follow_up"].started_at == complaint.now
    assert outcome.emissions[0].inboxes == (PRINGSEWU,)


def test_archiving_and_closing_stop_every_clock(ctx):
    for status in (Status.ARCHIVED, Status.CLOSED):
        complaint = complaint_in(ctx, status)
        assert complaint.state.clocks == {}
        # the only thing still due: going dormant once the reopen window has passed
        assert complaint.state.next_due_at == complaint.state.finished_at + ctx.reopen_window
        assert complaint.check_sla(complaint.now + timedelta(days=90)).emissions == ()


def test_a_finished_complaint_goes_dormant_after_the_reopen_window_and_can_still_be_reopened(ctx):
    complaint = complaint_in(ctx, Status.CLOSED)
    before = len(str(complaint.state.to_dict()))
    assert not complaint.check_sla(complaint.now + ctx.reopen_window - timedelta(hours=1)).state.dormant
    dormant = complaint.check_sla(complaint.now + ctx.reopen_window + timedelta(hours=1)).state
    assert dormant.dormant and dormant.next_due_at is None and dormant.seen == ()
    assert len(str(dormant.to_dict())) < before
    reopened = complaint.send("ComplaintReopened", REPORTER, at=complaint.later(), reason="Jalan rusak lagi")
    assert reopened.state.status is Status.ACCEPTED and not reopened.state.dormant
    assert reopened.state.next_due_at is not None and reopened.state.history == dormant.history
