"""First disposition (no wrong door), forwarding [pelimpahan], ping-pong, and the national admin's triage."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from lapor_hub.streams.directory import NATIONAL_ADMIN
from lapor_hub.streams.lifecycle import HUB, NATIONAL_ADMIN_ACTOR, IllegalTransition, Status
from tests.lifecycle.builders import PRINGSEWU, Complaint, at_wib, encode_all, submission, submit


def _events(outcome, record_type):
    return [e for e in outcome.emissions if e.record_type == record_type]


def test_a_civil_registry_complaint_from_pringsewu_goes_to_pringsewu(ctx):
    complaint = Complaint(ctx)
    outcome = complaint.apply(submit(submission()))
    (dispositioned,) = _events(outcome, "ComplaintDispositioned")
    assert dispositioned.value["agency"] == {"code": PRINGSEWU, "name": "KAB. PRINGSEWU"}
    assert dispositioned.value["rule"] == "civil_registry"
    assert dispositioned.value["hop"] == 0
    assert dispositioned.inboxes == (PRINGSEWU,)
    # First follow-up within 5 working days: Monday 13 July ends at midnight WIB.
    assert dispositioned.value["due_at"] == at_wib(14, 0)
    assert complaint.state.clocks["first_follow_up"].agency_code == PRINGSEWU
    assert "verification" not in complaint.state.clocks


def test_a_wrong_pick_by_the_reporter_is_corrected(ctx):
    outcome = Complaint(ctx).apply(submit(submission(requested_agency="18")))
    (dispositioned,) = _events(outcome, "ComplaintDispositioned")
    assert dispositioned.value["agency"]["code"] == PRINGSEWU
    assert "corrected" in dispositioned.value["reason"]


@pytest.mark.parametrize(("category", "rule"), [("civil_registry.passport", "triage.unknown_category"),
                                                ("other", "other")])
def test_an_unknown_or_unclassified_category_goes_to_triage_with_the_verification_clock(ctx, category, rule):
    complaint = Complaint(ctx)
    outcome = complaint.apply(submit(submission(category=category)))
    assert complaint.status is Status.TRIAGE
    assert complaint.holder == NATIONAL_ADMIN
    (dispositioned,) = _events(outcome, "ComplaintDispositioned")
    assert dispositioned.value["agency"]["code"] == NATIONAL_ADMIN
    assert dispositioned.value["rule"] == rule
    assert dispositioned.inboxes == (NATIONAL_ADMIN,)
    clock = complaint.state.clocks["verification"]
    assert clock.agency_code == NATIONAL_ADMIN
    # Verification within 3 working days: Thursday 9 July ends at midnight WIB.
    assert clock.due_at == dispositioned.value["due_at"] == at_wib(10, 0)
    assert "first_follow_up" not in complaint.state.clocks
    encode_all(outcome.emissions)


def test_deadlines_fall_at_midnight_in_the_agency_s_own_time_zone(ctx):
    merauke = Complaint(ctx)
    merauke.apply(submit(submission(region_code="91.01")))
    assert merauke.holder == "91.01"
    # Midnight WIT (UTC+9) is two hours before midnight WIB.
    assert merauke.state.clocks["first_follow_up"].due_at == at_wib(14, 0) - timedelta(hours=2)


def test_a_decline_with_a_suggestion_goes_to_the_suggested_agency_when_it_has_authority(ctx):
    complaint = Complaint.submitted(ctx, submission(category="social_aid.blt"))  # shared with KEMENSOS
    outcome = complaint.send("ComplaintForwarded", PRINGSEWU, at=complaint.later(), to_agency="KEMENSOS")
    (forwarded,) = _events(outcome, "ComplaintForwarded")
    assert forwarded.value["from_agency"] == PRINGSEWU and forwarded.value["to_agency"] == "KEMENSOS"
    assert forwarded.value["hop"] == 1 and forwarded.value["suggested_by_agency"] is True
    (dispositioned,) = _events(outcome, "ComplaintDispositioned")
    assert dispositioned.inboxes == ("KEMENSOS",) and dispositioned.value["hop"] == 1
    assert complaint.status is Status.DISPOSITIONED and complaint.holder == "KEMENSOS"
    assert complaint.state.history == (PRINGSEWU,)
    encode_all(outcome.emissions)


def test_a_suggestion_without_authority_is_corrected(ctx):
    complaint = Complaint.submitted(ctx, submission(category="social_aid.blt"))
    outcome = complaint.send("ComplaintForwarded", PRINGSEWU, at=complaint.later(), to_agency="KEMENKES")
    (forwarded,) = _events(outcome, "ComplaintForwarded")
    assert forwarded.value["to_agency"] == "KEMENSOS"
    assert forwarded.value["suggested_by_agency"] is False


def test_the_only_agency_with_authority_declining_goes_to_triage(ctx):
    complaint = Complaint.submitted(ctx)
    complaint.send("ComplaintForwarded", PRINGSEWU, at=complaint.later(), to_agency="18.71")
    assert complaint.status is Status.TRIAGE and complaint.holder == NATIONAL_ADMIN
    assert set(complaint.state.clocks) == {"settlement", "verification"}


def test_ping_pong_between_two_agencies_ends_in_triage(ctx):
    complaint = Complaint.submitted(ctx, submission(category="social_aid.blt"))
    complaint.send("ComplaintForwarded", PRINGSEWU, at=complaint.later(), to_agency="KEMENSOS")
    outcome = complaint.send("ComplaintForwarded", "KEMENSOS", at=complaint.later(), to_agency=PRINGSEWU)
    (forwarded,) = _events(outcome, "ComplaintForwarded")
    assert forwarded.value["to_agency"] == NATIONAL_ADMIN and forwarded.value["hop"] == 2
    (dispositioned,) = _events(outcome, "ComplaintDispositioned")
    assert dispositioned.value["rule"] == "triage.forwarding_loop"
    assert complaint.status is Status.TRIAGE and complaint.holder == NATIONAL_ADMIN
    assert "verification" in complaint.state.clocks and "first_follow_up" not in complaint.state.clocks


def test_too_many_forwardings_end_in_triage(ctx):
    complaint = Complaint.submitted(replace(ctx, max_hops=1), submission(category="social_aid.blt"))
    complaint.send("ComplaintForwarded", PRINGSEWU, at=complaint.later(), to_agency="KEMENSOS")
    outcome = complaint.send("ComplaintForwarded", "KEMENSOS", at=complaint.later())
    (dispositioned,) = _events(outcome, "ComplaintDispositioned")
    assert dispositioned.value["rule"] == "triage.max_hops"
    assert complaint.status is Status.TRIAGE


def test_the_new_agency_gets_a_fresh_first_follow_up_clock(ctx):
    complaint = Complaint.submitted(ctx, submission(category="social_aid.blt"))
    warned = complaint.check_sla(at_wib(10))  # Pringsewu has used half of its time and more
    assert [e.value["percent"] for e in warned.emissions] == [50]
    forwarded_at = at_wib(10, 10)
    complaint.send("ComplaintForwarded", PRINGSEWU, at=forwarded_at, to_agency="KEMENSOS")
    clock = complaint.state.clocks["first_follow_up"]
    assert clock.agency_code == "KEMENSOS" and clock.started_at == forwarded_at
    # Five working days from Friday 10 July: Friday 17 July ends at midnight.
    assert clock.due_at == at_wib(18, 0)
    assert complaint.state.fired["first_follow_up"] == frozenset()
    assert complaint.check_sla(at_wib(13)).emissions == ()  # KEMENSOS is not warned for Pringsewu's delay
    next_due = complaint.state.next_due_at
    assert next_due is not None and next_due > at_wib(13)


def test_the_national_admin_dispositions_from_triage_through_kemenpanrb(ctx):
    complaint = Complaint.submitted(ctx, submission(category="other"))
    outcome = complaint.send("ComplaintForwarded", NATIONAL_ADMIN, at=complaint.later(), to_agency=PRINGSEWU)
    (forwarded,) = _events(outcome, "ComplaintForwarded")
    assert forwarded.value["from_agency"] == NATIONAL_ADMIN and forwarded.value["to_agency"] == PRINGSEWU
    (dispositioned,) = _events(outcome, "ComplaintDispositioned")
    assert dispositioned.value["rule"] == "admin.disposition" and dispositioned.inboxes == (PRINGSEWU,)
    assert complaint.status is Status.DISPOSITIONED and complaint.holder == PRINGSEWU
    assert set(complaint.state.clocks) == {"settlement", "first_follow_up"}
    encode_all(outcome.emissions)


def test_the_national_admin_dispositions_from_triage(ctx):
    complaint = Complaint.submitted(ctx, submission(category="other"))
    outcome = complaint.send("ComplaintForwarded", NATIONAL_ADMIN_ACTOR, at=complaint.later(), to_agency=PRINGSEWU)
    (forwarded,) = _events(outcome, "ComplaintForwarded")
    assert forwarded.value["to_agency"] == PRINGSEWU
    assert complaint.status is Status.DISPOSITIONED and complaint.holder == PRINGSEWU


def test_an_admin_disposition_is_not_marked_as_suggested_by_an_agency(ctx):
    complaint = Complaint.submitted(ctx, submission(category="other"))
    outcome = complaint.send("ComplaintForwarded", NATIONAL_ADMIN, at=complaint.later(), to_agency=PRINGSEWU)
    (forwarded,) = _events(outcome, "ComplaintForwarded")
    assert forwarded.value["suggested_by_agency"] is False


@pytest.mark.parametrize("to_agency", ["", "NOPE", NATIONAL_ADMIN])
def test_an_admin_disposition_must_name_a_known_agency(ctx, to_agency):
    complaint = Complaint.submitted(ctx, submission(category="other"))
    with pytest.raises(IllegalTransition):
        complaint.send("ComplaintForwarded", NATIONAL_ADMIN, at=complaint.later(), to_agency=to_agency)


def test_accepting_from_triage_ends_the_verification_clock(ctx):
    complaint = Complaint.submitted(ctx, submission(category="other"))
    complaint.send("ComplaintAccepted", NATIONAL_ADMIN, at=complaint.later())
    assert complaint.status is Status.ACCEPTED
    assert "verification" not in complaint.state.clocks
    escalated = complaint.check_sla(at_wib(20))
    assert not [e for e in escalated.emissions if e.value.get("stage") == "verification"]


def test_a_hub_sla_check_never_forwards(ctx):
    complaint = Complaint.submitted(ctx)
    with pytest.raises(IllegalTransition):
        complaint.send("ComplaintForwarded", HUB, at=complaint.later())
