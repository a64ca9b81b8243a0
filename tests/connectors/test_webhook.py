"""The webhook connector: conformance against a real agency endpoint, then end to end on the broker."""

from __future__ import annotations

from collections import defaultdict

import pytest

from lapor_hub.connectors.builtin.webhook import WebhookConnector
from lapor_hub.connectors.sdk.signing import sign
from lapor_hub.connectors.testing import ConnectorConformance, Counterpart, sample_delivery
from lapor_hub.errors import FatalError, RetriableError
from lapor_hub.streams.core import topics
from tests.connectors.agencies import WebhookAgency
from tests.connectors.support import config_for, post_signed, running, wait_until

SECRET = "s3cret-shared-with-pringsewu"


class _AgencyEndpoint(Counterpart):
    def __init__(self, agency: WebhookAgency) -> None:
        self.agency = agency

    def held(self):
        return list(self.agency.cases)

    def record_follow_up(self, tracking_id, note, update_id):
        status, body = post_signed(f"{self.inbound_url}/updates", SECRET, {
            "update_id": update_id, "type": "FollowUpRecorded", "tracking_id": tracking_id, "note": note,
            "occurred_at": "2024-05-02T09:00:00+07:00"})
        assert status == 202, body

    def go_down(self):
        self.agency.down_with = 503

    def come_back(self):
        self.agency.down_with = None

    def undeliverable(self, agency):
        return sample_delivery(agency, "REJECT-unknown-category")


@pytest.fixture
def endpoint():
    agency = WebhookAgency(SECRET)
    yield agency
    agency.stop()


def _webhook(agency_code: str, url: str, bootstrap: str = "127.0.0.1:9", **settings):
    config = config_for("webhook", agency_code, {"url": url, "secret": SECRET, "timeout": 5, **settings},
                        bootstrap=bootstrap, inbound=True)
    return WebhookConnector(config)


class TestWebhookConformance(ConnectorConformance):
    @pytest.fixture
    def harness(self, endpoint):
        return _webhook("18.10", endpoint.url), _AgencyEndpoint(endpoint)


def test_a_wrong_secret_stops_the_connector_instead_of_dead_lettering(endpoint):
    connector = WebhookConnector(config_for("webhook", "18.10", {"url": endpoint.url, "secret": "x" * 20},
                                            inbound=True))
    with pytest.raises(FatalError, match="credentials rejected"):
        list(connector.deliver([sample_delivery("18.10", "LPR-1")]))


def test_retry_after_is_passed_on(endpoint):
    endpoint.down_with, endpoint.retry_after = 429, "7"
    connector = _webhook("18.10", endpoint.url)
    with pytest.raises(RetriableError) as failure:
        list(connector.deliver([sample_delivery("18.10", "LPR-1")]))
    assert failure.value.retry_after == 7.0


# -- end to end on the real broker ----------------------------------------------------------


@pytest.mark.kafka
def test_assignments_reach_the_agency_with_receipts(kafka_broker, hub, agency, endpoint):
    connector = _webhook(agency, endpoint.url, kafka_broker.bootstrap)
    with running(connector):
        ids = [hub.assign(agency, f"LPR-{agency}-{n}") for n in range(3)]
        wait_until(lambda: len(endpoint.cases) == 3, what="3 cases at the agency")
        receipts = hub.read(topics.CONNECTOR_HEALTH, lambda es: len(es) >= 3,
                            where=lambda e: e.record_type == "DeliveryReceipt"
                            and e.value["connector_id"] == connector.config.id)
        hub.read(topics.CONNECTOR_HEALTH, bool, where=lambda e: e.record_type == "ConnectorHeartbeat"
                 and e.key == connector.config.id.encode())
    assert sorted(endpoint.cases) == sorted(ids)
    assert {r.value["delivered_event_id"] for r in receipts} == set(ids)
    assert {r.value["status"] for r in receipts} == {"DELIVERED"}
    assert all(r.value["external_ref"].startswith("CASE-") for r in receipts)
    case = endpoint.cases[ids[0]]
    assert case["type"] == "ComplaintDispositioned" and case["data"]["agency"]["code"] == agency


@pytest.mark.kafka
def test_a_follow_up_posted_by_the_agency_appears_on_the_outbox(kafka_broker, hub, agency, endpoint):
    connector = _webhook(agency, endpoint.url, kafka_broker.bootstrap)
    with running(connector) as runtime:
        url = f"http://127.0.0.1:{runtime.inbound_port}/updates"
        update = {"update_id": "tl-001", "type": "FollowUpRecorded", "tracking_id": "LPR-77",
                  "note": "Tim sudah turun ke lokasi", "occurred_at": "2024-05-02T09:00:00+07:00"}
        status, answer = post_signed(url, SECRET, update)
        assert status == 202, answer
        events = hub.read(topics.outbox(agency), lambda es: len(es) >= 1)
    [event] = events
    assert event.record_type == "FollowUpRecorded"
    assert event.value["note"] == "Tim sudah turun ke lokasi" and event.value["actor"] == agency
    assert event.key == b"LPR-77"
    assert event.headers["ce_id"] == answer["event_ids"][0] == event.value["event_id"]
    assert event.headers["ce_source"] == f"/agency/{agency}/connector/{connector.config.id}"
    assert event.headers["ce_subject"] == "LPR-77"


@pytest.mark.kafka
def test_a_bad_signature_is_rejected_and_nothing_is_produced(kafka_broker, hub, agency, endpoint):
    connector = _webhook(agency, endpoint.url, kafka_broker.bootstrap)
    with running(connector) as runtime:
        url = f"http://127.0.0.1:{runtime.inbound_port}/updates"
        forged = {"update_id": "forged", "type": "ComplaintClosed", "tracking_id": "LPR-1"}
        status, _ = post_signed(url, "not-the-secret-at-all", forged)
        assert status == 401
        stale = sign(SECRET, b'{"x": 1}', timestamp=1_000_000_000)
        assert post_signed(url, SECRET, forged, signature=stale)[0] == 401
        assert post_signed(url, SECRET, {"type": "FollowUpRecorded", "tracking_id": "LPR-1"})[0] == 422
        # a valid update afterwards is the only thing on the outbox
        valid = {"update_id": "ok", "type": "ComplaintAccepted", "tracking_id": "LPR-2"}
        assert post_signed(url, SECRET, valid)[0] == 202
        events = hub.read(topics.outbox(agency), lambda es: len(es) >= 1)
    assert [(e.record_type, e.value["tracking_id"]) for e in events] == [("ComplaintAccepted", "LPR-2")]


@pytest.mark.kafka
def test_rejected_and_corrupt_records_are_dead_lettered_and_delivery_goes_on(kafka_broker, hub, agency, endpoint):
    connector = _webhook(agency, endpoint.url, kafka_broker.bootstrap)
    with running(connector):
        rejected = hub.assign(agency, "REJECT-1", title="Pak Budi 081234567890")
        hub.send(topics.inbox(agency), "ComplaintDispositioned",
                 {"event_id": "corrupt-1", "tracking_id": "REJECT-1"}, raw=b"\x00garbage")
        after = hub.assign(agency, "LPR-after-the-rejections")
        letters = hub.read(topics.DEADLETTER, lambda es: len(es) >= 2,
                           where=lambda e: e.value["source_topic"] == topics.inbox(agency))
        wait_until(lambda: after in endpoint.cases, what="the next assignment to be delivered")
    assert {e.value["stage"] for e in letters} == {"connector.webhook"}
    by_class = {e.value["error_class"]: e for e in letters}
    assert set(by_class) == {"SkippableError", "SerializationError"}
    http = by_class["SkippableError"]
    assert "HTTP 422" in http.value["reason"] and "081234567890" not in http.value["reason"]
    assert http.headers["lapor-source-topic"] == topics.inbox(agency)
    assert http.headers["lapor-stage"] == "connector.webhook"
    assert int(http.headers["lapor-source-offset"]) == http.value["source_offset"]
    # The original headers travel along, so that `lapor-hub dlq replay` restores the record as it was.
    assert http.headers["lapor-original-ce_subject"] == "REJECT-1"
    assert rejected not in endpoint.cases
    assert http.value["payload"] and http.value["key"] == b"REJECT-1"


@pytest.mark.kafka
def test_an_outage_and_a_restart_lose_nothing_keep_order_and_duplicate_nothing(kafka_broker, hub, agency, endpoint):
    endpoint.down_with = 503
    connector_id = f"pringsewu-{agency}"
    complaints = [f"LPR-{agency}-{n}" for n in range(4)]
    sent = defaultdict(list)
    for step in range(3):  # three lifecycle events per complaint, interleaved
        for tracking_id in complaints:
            sent[tracking_id].append(hub.assign(agency, tracking_id, title=f"step {step}"))

    def connector():
        config = config_for("webhook", agency, {"url": endpoint.url, "secret": SECRET, "timeout": 5},
                            bootstrap=kafka_broker.bootstrap, inbound=True, connector_id=connector_id)
        return WebhookConnector(config)

    with running(connector()) as first:
        wait_until(lambda: first.counters.total["failed"] >= 2, what="failed attempts while the agency is down")
    assert endpoint.cases == {}
    with running(connector()) as second:  # a restart: same consumer group, records still uncommitted
        wait_until(lambda: second.counters.total["failed"] >= 1, what="the restarted connector to retry")
        endpoint.down_with = None
        wait_until(lambda: len(endpoint.cases) == 12, what="every assignment at the agency")
    arrived = defaultdict(list)
    for key, tracking_id in endpoint.posts:
        arrived[tracking_id].append(key)
    assert dict(arrived) == dict(sent), "every assignment arrives, in order per complaint"
    keys = [key for key, _ in endpoint.posts]
    assert len(keys) == len(set(keys)) == 12, "no idempotency key reached the agency twice"
