"""An agency's update the hub's public view already shows to be wrong is refused at once (409)."""

from __future__ import annotations

import pytest
from aiohttp import web

from lapor_hub.connectors.hubview import HubView
from lapor_hub.connectors.sdk.inbound import InboundServer
from lapor_hub.connectors.sdk.model import AgencyUpdate, Delivery
from lapor_hub.connectors.sdk.updates import update_value

PRINGSEWU = "18.10"


class PublicView:
    """The hub's public view of a few complaints, served over real HTTP."""

    def __init__(self) -> None:
        self.complaints: dict[str, dict] = {}
        self.broken = False
        self.asked: list[str] = []
        self._server = InboundServer([web.get("/api/v1/complaints/{tracking_id}", self._view)], host="127.0.0.1",
                                     port=0)
        self.url = f"http://127.0.0.1:{self._server.start()}"

    async def _view(self, request):
        tracking_id = request.match_info["tracking_id"]
        self.asked.append(tracking_id)
        if self.broken:
            return web.json_response({"error": "down"}, status=503)
        view = self.complaints.get(tracking_id)
        if view is None:
            return web.json_response({"errors": [{"code": 404, "description": "no such complaint"}]}, status=404)
        return web.json_response(view)

    def stop(self) -> None:
        self._server.stop()


@pytest.fixture
def hub():
    view = PublicView()
    view.complaints = {
        "LPR-HELD": {"tracking_id": "LPR-HELD", "status": "dispositioned", "agency_code": PRINGSEWU},
        "LPR-ELSEWHERE": {"tracking_id": "LPR-ELSEWHERE", "status": "dispositioned", "agency_code": "18.11"},
        "LPR-ANSWERED": {"tracking_id": "LPR-ANSWERED", "status": "responded", "agency_code": PRINGSEWU},
    }
    yield view
    view.stop()


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


def _checked(record_type: str, tracking_id: str, **fields) -> tuple[AgencyUpdate, dict]:
    update = AgencyUpdate(record_type, tracking_id, f"u-{record_type}-{tracking_id}", fields)
    return update, update_value(update, connector_id="pringsewu-sipp", agency=PRINGSEWU)


def _reasons(view: HubView, *updates) -> list[str | None]:
    return [c.reason if c else None for c in view.check(list(updates))]


def test_what_the_view_shows_to_be_wrong_is_refused_with_the_lifecycle_s_reason(hub):
    view = HubView(hub.url, PRINGSEWU)
    assert _reasons(view, _checked("ComplaintAccepted", "LPR-HELD")) == [None]
    assert _reasons(view, _checked("FollowUpRecorded", "LPR-NOWHERE", note="x")) == [
        "the hub holds no complaint LPR-NOWHERE: check the tracking id"]
    assert _reasons(view, _checked("FollowUpRecorded", "LPR-ELSEWHERE", note="x")) == [
        "FollowUpRecorded from 18.10, which does not hold the complaint (complaint LPR-ELSEWHERE)"]
    assert _reasons(view, _checked("FollowUpRecorded", "LPR-ANSWERED", note="x")) == [
        "FollowUpRecorded is not allowed while responded (complaint LPR-ANSWERED)"]
    [conflict] = view.check([_checked("FollowUpRecorded", "LPR-ANSWERED", note="x")])
    assert conflict is not None and conflict.status == 409


def test_later_updates_of_a_batch_and_recently_touched_complaints_are_not_judged_on_a_stale_view(hub):
    clock = Clock()
    view = HubView(hub.url, PRINGSEWU, grace=60, clock=clock)
    # accepted, then followed up in one request: the view still says dispositioned
    assert _reasons(view, _checked("ComplaintAccepted", "LPR-HELD"),
                    _checked("FollowUpRecorded", "LPR-HELD", note="x")) == [None, None]
    view.published([_checked("ResponseGiven", "LPR-ANSWERED", response="ok")])
    view.delivered(Delivery("ComplaintDispositioned", {}, "LPR-NEW", "e-1"))
    assert _reasons(view, _checked("FollowUpRecorded", "LPR-ANSWERED", note="x"),
                    _checked("ComplaintAccepted", "LPR-NEW")) == [None, None]
    clock.now += 61  # the view has caught up by now
    assert _reasons(view, _checked("ComplaintAccepted", "LPR-NEW")) == [
        "the hub holds no complaint LPR-NEW: check the tracking id"]


def test_nothing_is_refused_while_the_hub_does_not_answer(hub):
    hub.broken = True
    assert _reasons(HubView(hub.url, PRINGSEWU), _checked("FollowUpRecorded", "LPR-NOWHERE", note="x")) == [None]
    assert _reasons(HubView("http://127.0.0.1:9", PRINGSEWU),
                    _checked("FollowUpRecorded", "LPR-NOWHERE", note="x")) == [None]


def test_one_request_per_complaint_per_batch(hub):
    HubView(hub.url, PRINGSEWU).check([_checked("FollowUpRecorded", "LPR-ELSEWHERE", note="a"),
                                       _checked("ComplaintAccepted", "LPR-HELD")])
    assert hub.asked == ["LPR-ELSEWHERE", "LPR-HELD"]
