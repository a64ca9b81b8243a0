"""Complaints as public service requests (Open311): the filters, the latest step, and privacy."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from lapor_hub.streams.readmodel.servicerequests import RequestFilter
from tests.readmodel.factory import REPORTER, Hub

PRINGSEWU, BANDAR_LAMPUNG = "18.10", "18.71"
SINCE = datetime(2020, 7, 1, tzinfo=timezone.utc)
UNTIL = SINCE + timedelta(days=90)


def _ids(rows) -> list[str]:
    return [r["tracking_id"] for r in rows]


def _world(read_model) -> Hub:
    hub = Hub()
    hub.submitted("LAP-1", region="18.10.05")
    hub.dispositioned("LAP-1", PRINGSEWU)
    hub.accepted("LAP-1")
    hub.followed_up("LAP-1")
    hub.responded("LAP-1")
    hub.rated("LAP-1", 5)  # a rating is no step of the complaint
    hub.submitted("LAP-2", region="18.71", category="kesehatan")
    hub.dispositioned("LAP-2", BANDAR_LAMPUNG)
    hub.responded("LAP-2")
    hub.closed("LAP-2")
    hub.submitted("LAP-3", privacy="CONFIDENTIAL", title="Pungutan liar di kantor kelurahan")
    hub.dispositioned("LAP-3", PRINGSEWU, privacy="CONFIDENTIAL")
    hub.warned("LAP-3")  # an early warning is for the agency, not a step
    hub.submitted("LAP-4", region="32.04")
    read_model.apply(hub.events)
    return hub


def test_a_jurisdiction_takes_the_places_inside_it(read_model):
    _world(read_model)
    assert _ids(read_model.service_requests(RequestFilter("18", start=SINCE, end=UNTIL))) == ["LAP-3", "LAP-2",
                                                                                             "LAP-1"]
    assert _ids(read_model.service_requests(RequestFilter(PRINGSEWU, start=SINCE, end=UNTIL))) == ["LAP-3", "LAP-1"]
    assert _ids(read_model.service_requests(RequestFilter("18.1", start=SINCE, end=UNTIL))) == []
    assert _ids(read_model.service_requests(RequestFilter(None, start=SINCE, end=UNTIL))) == ["LAP-4", "LAP-3",
                                                                                             "LAP-2", "LAP-1"]


def test_status_service_and_dates_filter(read_model):
    _world(read_model)
    finished = read_model.service_requests(RequestFilter("18", finished=True, start=SINCE, end=UNTIL))
    assert _ids(finished) == ["LAP-2"]
    assert _ids(read_model.service_requests(RequestFilter("18", finished=False, start=SINCE, end=UNTIL))) == [
        "LAP-3", "LAP-1"]
    assert _ids(read_model.service_requests(RequestFilter("18", categories=["kesehatan"], start=SINCE,
                                                          end=UNTIL))) == ["LAP-2"]
    assert read_model.service_requests(RequestFilter("18", start=UNTIL, end=UNTIL + timedelta(days=1))) == []
    assert _ids(read_model.service_requests(RequestFilter("18", start=SINCE, end=UNTIL, limit=1))) == ["LAP-3"]


def test_tracking_ids_override_the_other_filters_but_not_the_jurisdiction(read_model):
    _world(read_model)
    wanted = RequestFilter("18", tracking_ids=["LAP-1", "LAP-2", "LAP-4", "LAP-X"], finished=True)
    assert sorted(_ids(read_model.service_requests(wanted))) == ["LAP-1", "LAP-2"]


def test_the_note_is_the_latest_step_and_confidential_content_is_hidden(read_model):
    _world(read_model)
    rows = {r["tracking_id"]: r for r in read_model.service_requests(RequestFilter(None, tracking_ids=[
        "LAP-1", "LAP-3"]))}
    responded, confidential = rows["LAP-1"], rows["LAP-3"]
    assert responded["status"] == "responded" and responded["agency"] == PRINGSEWU
    assert "respon" in responded["note"].lower()  # the response, not the rating after it
    assert "rat" not in responded["note"].lower()
    assert "warn" not in (confidential["note"] or "").lower()
    assert confidential["content_hidden"] is True
    assert confidential["title"] is None and confidential["description"] is None
    for row in rows.values():
        assert not any(REPORTER[key] in str(row) for key in ("name", "nik", "phone", "email"))
