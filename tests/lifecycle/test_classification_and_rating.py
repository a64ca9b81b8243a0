"""Classifications reach the agency with the unit that handles them; the reporter rates a response."""

from __future__ import annotations

import pytest

from lapor_hub.streams.directory import NATIONAL_ADMIN
from lapor_hub.streams.lifecycle import NATIONAL_ADMIN_ACTOR, REPORTER, IllegalTransition, Status
from tests.lifecycle.builders import PRINGSEWU, Complaint, complaint_in, encode_all, submission


def _dispositioned(complaint: Complaint) -> dict:
    return [e.value for e in complaint.emitted if e.record_type == "ComplaintDispositioned"][-1]


def test_an_information_request_is_dispositioned_to_the_agency_s_ppid(ctx):
    complaint = Complaint.submitted(ctx, submission(classification="INFORMATION_REQUEST"))
    assignment = _dispositioned(complaint)
    assert assignment["agency"]["code"] == PRINGSEWU
    assert (assignment["classification"], assignment["unit"]) == ("INFORMATION_REQUEST", "PPID")
    assert "PPID" in assignment["reason"]
    encode_all(complaint.emitted)


@pytest.mark.parametrize("classification", ["COMPLAINT", "ASPIRATION"])
def test_complaints_and_aspirations_name_no_unit(ctx, classification):
    complaint = Complaint.submitted(ctx, submission(classification=classification))
    assignment = _dispositioned(complaint)
    assert (assignment["classification"], assignment["unit"]) == (classification, None)


def test_a_submission_stored_before_classifications_is_a_complaint(ctx):
    older = submission()  # the builder writes no classification, as producers before it
    assert "classification" not in older
    assignment = _dispositioned(Complaint.submitted(ctx, older))
    assert (assignment["classification"], assignment["unit"]) == ("COMPLAINT", None)


def test_the_national_admin_s_disposition_out_of_triage_keeps_the_ppid(ctx):
    complaint = Complaint.submitted(ctx, submission(category="other", classification="INFORMATION_REQUEST"))
    assert complaint.holder == NATIONAL_ADMIN and _dispositioned(complaint)["unit"] is None
    complaint.send("ComplaintForwarded", NATIONAL_ADMIN_ACTOR, at=complaint.later(), to_agency=PRINGSEWU)
    assignment = _dispositioned(complaint)
    assert (assignment["agency"]["code"], assignment["unit"]) == (PRINGSEWU, "PPID")


def test_a_forwarded_information_request_goes_to_the_next_agency_s_ppid(ctx):
    # Toll roads: KEMENPUPR owns them and KEMENBUMN shares the authority, so a decline moves it there.
    complaint = Complaint.submitted(ctx, submission(category="infrastructure.road.toll",
                                                    classification="INFORMATION_REQUEST"))
    assert (complaint.holder, _dispositioned(complaint)["unit"]) == ("KEMENPUPR", "PPID")
    complaint.send("ComplaintForwarded", "KEMENPUPR", at=complaint.later(), to_agency="")
    assignment = _dispositioned(complaint)
    assert (complaint.holder, assignment["agency"]["code"], assignment["unit"]) == ("KEMENBUMN", "KEMENBUMN", "PPID")


def test_the_reporter_rates_the_response_of_the_agency_that_gave_it(ctx):
    complaint = complaint_in(ctx, Status.RESPONDED)
    before = complaint.state
    outcome = complaint.send("ComplaintRated", REPORTER, at=complaint.later(), rating=5, comment="Cepat dan jelas")
    [rated] = outcome.emissions
    assert rated.record_type == "ComplaintRated" and rated.inboxes == ()
    assert (rated.value["agency"], rated.value["rating"], rated.value["comment"]) == (PRINGSEWU, 5, "Cepat dan jelas")
    assert rated.value["actor"] == REPORTER and rated.status is Status.RESPONDED
    # nothing about the complaint's course changes: same status, holder and clocks
    assert (outcome.state.status, outcome.state.agency, outcome.state.clocks) == (before.status, before.agency,
                                                                                   before.clocks)
    encode_all(outcome.emissions)


def test_a_closed_complaint_can_still_be_rated_and_a_later_rating_is_another_event(ctx):
    complaint = complaint_in(ctx, Status.CLOSED)
    first = complaint.send("ComplaintRated", REPORTER, at=complaint.later(), rating=2, comment=None)
    second = complaint.send("ComplaintRated", REPORTER, at=complaint.later(), rating=4, comment=None)
    assert [o.emissions[0].value["rating"] for o in (first, second)] == [2, 4]
    assert complaint.status is Status.CLOSED


@pytest.mark.parametrize("rating", [0, 6, -1, True, "5"])
def test_a_rating_outside_one_to_five_is_refused(ctx, rating):
    complaint = complaint_in(ctx, Status.RESPONDED)
    before = complaint.state
    with pytest.raises(IllegalTransition, match="1 to 5"):
        complaint.send("ComplaintRated", REPORTER, at=complaint.later(), rating=rating)
    assert complaint.state is before


@pytest.mark.parametrize("status", [Status.DISPOSITIONED, Status.ACCEPTED, Status.IN_PROGRESS])
def test_there_is_nothing_to_rate_before_a_response(ctx, status):
    complaint = complaint_in(ctx, status)
    with pytest.raises(IllegalTransition, match="no response to rate"):
        complaint.send("ComplaintRated", REPORTER, at=complaint.later())


def test_only_the_reporter_rates(ctx):
    complaint = complaint_in(ctx, Status.RESPONDED)
    for sender in (PRINGSEWU, NATIONAL_ADMIN_ACTOR, "18.71"):
        with pytest.raises(IllegalTransition, match="only the reporter"):
            complaint.send("ComplaintRated", sender, at=complaint.later())
