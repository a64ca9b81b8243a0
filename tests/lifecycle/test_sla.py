"""Deadlines through the lifecycle: SLA_CHECK commands day by day, with real July 2026 dates."""

from __future__ import annotations

from datetime import datetime, timedelta

from lapor_hub.streams.lifecycle import Emission, Status
from tests.lifecycle.builders import PRINGSEWU, Complaint, at_wib, encode_all, submission

#: Pringsewu's ladder: its own admin, its Inspektorat, the province, Kemendagri, the national admin, ORI.
PRINGSEWU_LADDER = [(PRINGSEWU, "Admin Instansi"), (PRINGSEWU, "Inspektorat Kabupaten PRINGSEWU"),
                    ("18", "Pemerintah Provinsi LAMPUNG"), ("KEMENDAGRI", "Kementerian Dalam Negeri"),
                    ("KEMENPANRB", "Admin Nasional SP4N-LAPOR! (KemenPANRB)"),
                    ("ORI", "Ombudsman Republik Indonesia")]


def _daily_checks(complaint: Complaint, first: datetime, days: int) -> list[tuple[datetime, Emission]]:
    """One SLA check a day at ``first``'s time of day; (check time, emission) for every event."""
    fired: list[tuple[datetime, Emission]] = []
    for day in range(days):
        at = first + timedelta(days=day)
        outcome = complaint.check_sla(at)
        encode_all(outcome.emissions)
        fired += [(at, e) for e in outcome.emissions]
    return fired


def _stage(fired, stage):
    return [(at, e) for at, e in fired if e.value.get("stage") == stage]


def _label(emission) -> str:
    if emission.record_type == "SlaWarning":
        return f"warn {emission.value['percent']}"
    return f"tier {emission.value['tier']}"


def test_an_agency_that_never_answers_is_warned_then_escalated_up_to_the_ombudsman(ctx):
    complaint = Complaint.submitted(ctx)  # Monday 6 July, 10:00 WIB; first follow-up due end of Monday 13 July
    fired = _stage(_daily_checks(complaint, at_wib(7), days=28), "first_follow_up")
    assert [_label(e) for _, e in fired] == ["warn 50", "warn 75", "tier 1", "tier 2", "tier 3", "tier 4",
                                             "tier 5", "tier 6"]
    # 50% of (14 h + 5 days) is Thursday 05:00, 75% Friday 14:30 (seen at Saturday's check); the breach is
    # at midnight after Monday 13 July, then a tier every 2 working days.
    assert [at.day for at, _ in fired] == [9, 11, 14, 16, 18, 22, 24, 28]
    warnings, escalations = [e for _, e in fired[:2]], [e for _, e in fired[2:]]
    assert all(w.inboxes == (PRINGSEWU,) and w.escalation for w in warnings)
    assert all(w.value["deadline_at"] == at_wib(14, 0) for w in warnings)
    assert [(e.value["addressed_to"]["code"], e.value["office"]) for e in escalations] == PRINGSEWU_LADDER
    assert [e.inboxes for e in escalations] == [(code,) for code, _ in PRINGSEWU_LADDER]
    assert all(e.escalation and e.value["agency"] == PRINGSEWU for e in escalations)
    assert escalations[0].value["breached_at"] == at_wib(14, 0)
    assert escalations[-1].value["addressed_to"]["code"] == "ORI"
    assert complaint.status is Status.DISPOSITIONED  # escalation does not move the complaint


def test_nothing_is_due_before_next_due_at_and_something_is_at_it(ctx):
    complaint = Complaint.submitted(ctx)
    due = complaint.state.next_due_at
    assert due == at_wib(9, 5)  # the 50% warning
    assert complaint.check_sla(due - timedelta(seconds=1)).emissions == ()
    assert [e.value["percent"] for e in complaint.check_sla(due).emissions] == [50]
    next_due = complaint.state.next_due_at
    assert next_due is not None and next_due > due


def test_a_follow_up_before_the_deadline_stops_the_follow_up_ladder(ctx):
    complaint = Complaint.submitted(ctx)
    early = _daily_checks(complaint, at_wib(7), days=3)
    assert [_label(e) for _, e in _stage(early, "first_follow_up")] == ["warn 50"]
    complaint.send("FollowUpRecorded", PRINGSEWU, at=at_wib(10))
    assert "first_follow_up" not in complaint.state.clocks
    later = _daily_checks(complaint, at_wib(11), days=25)
    assert _stage(later, "first_follow_up") == []
    assert complaint.status is Status.IN_PROGRESS


def test_a_response_followed_by_ten_working_days_of_silence_closes_with_no_reply(ctx):
    complaint = Complaint.submitted(ctx)
    complaint.send("ResponseGiven", PRINGSEWU, at=at_wib(7, 10))
    # Ten working days after Tuesday 7 July: the end of Tuesday 21 July.
    fired = _daily_checks(complaint, at_wib(8), days=13)  # up to Monday 20 July
    assert complaint.status is Status.RESPONDED
    assert _stage(fired, "awaiting_reply") == []  # nobody is warned about the reporter's silence
    assert complaint.check_sla(at_wib(21, 23)).emissions == ()
    outcome = complaint.check_sla(at_wib(22, 0))
    (closed,) = [e for e in outcome.emissions if e.record_type == "ComplaintClosed"]
    assert closed.value["reason"] == "NO_REPLY" and closed.value["actor"] == "hub"
    assert complaint.status is Status.CLOSED and complaint.state.clocks == {}
    assert complaint.check_sla(at_wib(23)).emissions == ()


def test_a_reply_from_the_reporter_stops_the_automatic_closing(ctx):
    complaint = Complaint.submitted(ctx)
    complaint.send("ResponseGiven", PRINGSEWU, at=at_wib(7, 10))
    complaint.send("ReporterReplied", "reporter", at=at_wib(15))
    assert complaint.status is Status.IN_PROGRESS
    _daily_checks(complaint, at_wib(16), days=20)
    assert complaint.status is Status.IN_PROGRESS


def test_catch_up_after_a_long_gap_fires_every_missed_action_once(ctx):
    complaint = Complaint.submitted(ctx)
    outcome = complaint.check_sla(at_wib(30, 12))  # nobody checked for three and a half weeks
    follow_up = [e for e in outcome.emissions if e.value["stage"] == "first_follow_up"]
    assert [_label(e) for e in follow_up] == ["warn 50", "warn 75", "tier 1", "tier 2", "tier 3", "tier 4",
                                              "tier 5", "tier 6"]
    encode_all(outcome.emissions)
    assert complaint.check_sla(at_wib(30, 13)).emissions == ()


def test_a_missed_action_is_the_same_event_whether_caught_up_or_fired_on_time(ctx):
    on_time = Complaint.submitted(ctx)
    fired = _stage(_daily_checks(on_time, at_wib(7), days=28), "first_follow_up")
    late = Complaint.submitted(ctx)
    caught_up = [e for e in late.check_sla(at_wib(30, 12)).emissions if e.value["stage"] == "first_follow_up"]
    assert [e.value["event_id"] for _, e in fired] == [e.value["event_id"] for e in caught_up]


def test_the_verification_clock_escalates_at_the_national_admin(ctx):
    complaint = Complaint.submitted(ctx, submission(category="other"))
    fired = _stage(_daily_checks(complaint, at_wib(7), days=20), "verification")
    assert [_label(e) for _, e in fired][:3] == ["warn 50", "warn 75", "tier 1"]
    assert fired[-1][1].value["addressed_to"]["code"] == "ORI"
    assert all(e.value["agency"] == "KEMENPANRB" for _, e in fired)
