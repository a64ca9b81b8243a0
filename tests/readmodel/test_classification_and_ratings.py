"""Classifications and the reporters' ratings in the read model: per agency, nationally, in the case file."""

from __future__ import annotations

from tests.readmodel.factory import Hub, dump

PRINGSEWU, BANDAR_LAMPUNG = "18.10", "18.71"


def _responded(hub: Hub, tid: str, code: str = PRINGSEWU, classification: str = "COMPLAINT") -> None:
    hub.submitted(tid, classification=classification)
    hub.dispositioned(tid, code)
    hub.accepted(tid)
    hub.responded(tid)


def test_received_reports_are_counted_by_classification_per_agency_and_nationally(read_model):
    hub = Hub()
    for n, classification in enumerate(["COMPLAINT", "COMPLAINT", "ASPIRATION", "INFORMATION_REQUEST"]):
        hub.submitted(f"LAP-{n}", classification=classification)
        hub.dispositioned(f"LAP-{n}", PRINGSEWU)
    hub.submitted("LAP-9", classification="INFORMATION_REQUEST")
    hub.dispositioned("LAP-9", BANDAR_LAMPUNG)
    read_model.apply(hub.events)

    assert read_model.agency_stats(PRINGSEWU)["by_classification"] == {
        "aspiration": 1, "complaint": 2, "information_request": 1}
    assert read_model.agency_stats(BANDAR_LAMPUNG)["by_classification"] == {"information_request": 1}
    assert read_model.national_stats()["by_classification"] == {
        "aspiration": 1, "complaint": 2, "information_request": 2}
    assert read_model.public_view("LAP-3")["classification"] == "information_request"
    assert {c["tracking_id"]: c["classification"] for c in read_model.agency_complaints(PRINGSEWU)}["LAP-2"] \
        == "aspiration"


def test_a_forwarded_report_counts_for_every_agency_that_received_it(read_model):
    hub = Hub()
    hub.submitted("LAP-1", classification="ASPIRATION")
    hub.dispositioned("LAP-1", PRINGSEWU)
    hub.forwarded("LAP-1", BANDAR_LAMPUNG)
    read_model.apply(hub.events)
    for code in (PRINGSEWU, BANDAR_LAMPUNG):
        assert read_model.agency_stats(code)["by_classification"] == {"aspiration": 1}


def test_ratings_show_in_the_agency_s_statistics_and_the_latest_rating_of_a_response_counts(read_model):
    hub = Hub()
    for n in range(3):
        _responded(hub, f"LAP-{n}")
    hub.rated("LAP-0", 2, "Lambat sekali")
    hub.rated("LAP-0", 4, "Akhirnya diperbaiki")  # the reporter changed their mind: it replaces the 2
    hub.rated("LAP-1", 5)
    _responded(hub, "LAP-7", code=BANDAR_LAMPUNG)
    hub.rated("LAP-7", 1)
    read_model.apply(hub.events)

    ratings = read_model.agency_stats(PRINGSEWU)["ratings"]
    assert ratings == {"count": 2, "average": 4.5, "by_score": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1}}
    assert read_model.agency_stats(BANDAR_LAMPUNG)["ratings"]["average"] == 1.0
    national = read_model.national_stats()["ratings"]
    assert (national["count"], national["average"]) == (3, round((4 + 5 + 1) / 3, 2))
    assert read_model.lowest_rated_agencies(5) == [{"agency": BANDAR_LAMPUNG, "average": 1.0, "count": 1},
                                                  {"agency": PRINGSEWU, "average": 4.5, "count": 2}]
    assert read_model.agency_stats("KEMENKES")["ratings"] == {
        "count": 0, "average": None, "by_score": {str(n): 0 for n in range(1, 6)}}


def test_the_comment_is_for_the_case_file_and_the_public_sees_only_the_score(read_model):
    hub = Hub()
    _responded(hub, "LAP-1")
    hub.rated("LAP-1", 3, "Petugas ramah, Pak Joko (0812-1111-2222) membantu")
    read_model.apply(hub.events)

    case = read_model.case_file("LAP-1")
    assert [(r["agency"], r["rating"], r["comment"]) for r in case["ratings"]] == [
        (PRINGSEWU, 3, "Petugas ramah, Pak Joko (0812-1111-2222) membantu")]
    public = read_model.public_view("LAP-1")
    assert public["timeline"][-1]["summary"] == "The reporter rated the response of KAB. PRINGSEWU 3 of 5"
    assert "0812" not in str(public) and "Joko" not in str(public)
    assert public["status"] == "responded"  # a rating moves nothing on


def test_replaying_the_ratings_changes_nothing(read_model):
    hub = Hub()
    _responded(hub, "LAP-1")
    hub.rated("LAP-1", 2)
    hub.rated("LAP-1", 5)
    read_model.apply(hub.events)
    before = dump(read_model)
    assert read_model.apply(hub.events) == 0
    assert dump(read_model) == before
    assert before["ratings"][0][2] == 5
