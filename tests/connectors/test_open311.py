"""The open311 connector against a small GeoReport v2 city server (aiohttp, in the test)."""

from __future__ import annotations

import pytest

from lapor_hub.connectors.builtin.open311 import Open311Connector
from lapor_hub.connectors.testing import ConnectorConformance, Counterpart, RecordingContext, sample_delivery
from lapor_hub.errors import ConfigurationError, FatalError
from lapor_hub.streams.core import topics
from tests.connectors.agencies import Open311City
from tests.connectors.support import config_for, running, wait_until

API_KEY = "bdg-api-key-for-lapor"


class CityCounterpart(Counterpart):
    def __init__(self, city: Open311City) -> None:
        self.city = city

    def held(self):
        return [r["attributes"]["lapor_event_id"] for r in self.city.requests.values()]

    def record_follow_up(self, tracking_id, note, update_id):
        self.city.update(self.city.by_tracking_id(tracking_id)["service_request_id"], "open", note)

    def go_down(self):
        self.city.down = True

    def come_back(self):
        self.city.down = False

    def undeliverable(self, agency):
        return sample_delivery(agency, "LPR-unmapped", category="kesehatan.obat")


@pytest.fixture
def city():
    server = Open311City(API_KEY)
    yield server
    server.stop()


def _settings(city: Open311City, tmp_path, **overrides) -> dict:
    return {"base_url": city.base_url, "api_key": API_KEY, "jurisdiction_id": city.jurisdiction,
            "service_codes": {"infrastruktur.jalan": "POTHOLE"}, "state_path": str(tmp_path / "open311-state.json"),
            "timeout": 5, **overrides}


def _connector(city, tmp_path, agency="32.73", bootstrap="127.0.0.1:9", connector_id=None, **overrides):
    return Open311Connector(config_for("open311", agency, _settings(city, tmp_path, **overrides),
                                       bootstrap=bootstrap, connector_id=connector_id))


class TestOpen311Conformance(ConnectorConformance):
    @pytest.fixture
    def harness(self, city, tmp_path):
        return _connector(city, tmp_path), CityCounterpart(city)


def test_the_request_carries_service_code_location_and_tracking_id(city, tmp_path):
    connector = _connector(city, tmp_path)
    [reference] = list(connector.deliver([sample_delivery("32.73", "LPR-BDG-1")]))
    request = city.requests[reference]
    assert request["service_code"] == "POTHOLE" and request["address"] == "Jl. Ahmad Yani"
    assert (request["lat"], request["long"]) == ("-5.3582", "104.9747")
    assert request["description"].startswith("[LAPOR LPR-BDG-1] Jalan berlubang")


def test_status_mapping_open_follow_up_then_closed_response(city, tmp_path):
    connector = _connector(city, tmp_path, close_on_closed=True)
    connector.open(RecordingContext(connector.config))
    [srid] = list(connector.deliver([sample_delivery("32.73", "LPR-BDG-2")]))
    seen = []
    for status, notes in (("open", ""), ("open", "Tim dijadwalkan"), ("open", "Tim dijadwalkan"),
                          ("closed", "Sudah ditambal")):
        city.update(srid, status, notes)
        updates = connector.poll()
        connector.acknowledge(updates)
        seen.append([u.record_type for u in updates])
    assert seen == [["ComplaintAccepted"], ["FollowUpRecorded"], [], ["ResponseGiven", "ComplaintClosed"]]
    assert connector.poll() == [], "a closed request is not polled again"


def test_the_state_path_makes_redelivery_after_a_restart_idempotent(city, tmp_path):
    delivery = sample_delivery("32.73", "LPR-BDG-3")
    list(_connector(city, tmp_path, connector_id="bdg").deliver([delivery]))
    list(_connector(city, tmp_path, connector_id="bdg").deliver([delivery]))
    assert len(city.requests) == 1


def test_a_wrong_api_key_stops_the_connector(city, tmp_path):
    connector = _connector(city, tmp_path, api_key="wrong-key")
    with pytest.raises(FatalError, match="HTTP 403"):
        list(connector.deliver([sample_delivery("32.73", "LPR-BDG-4")]))


def test_check_names_service_codes_the_city_does_not_offer(city, tmp_path):
    connector = _connector(city, tmp_path, service_codes={"infrastruktur.jalan": "POTHOLES"})
    with pytest.raises(ConfigurationError, match="the city offers no service POTHOLES"):
        connector.check()


@pytest.mark.kafka
def test_end_to_end_request_created_and_closure_published(kafka_broker, hub, agency, city, tmp_path):
    connector = _connector(city, tmp_path, agency, kafka_broker.bootstrap)
    with running(connector):
        hub.assign(agency, "LPR-BDG-9")
        wait_until(lambda: len(city.requests) == 1, what="the city's request")
        city.update("BDG-1", "closed", "Lubang sudah ditambal")
        events = hub.read(topics.outbox(agency), lambda es: len(es) >= 2)
    assert [e.record_type for e in events] == ["ComplaintAccepted", "ResponseGiven"]
    assert events[1].value["response"] == "Lubang sudah ditambal" and events[1].key == b"LPR-BDG-9"
