"""A hub worker with traffic for the stream-health tests against the real broker.

The broker is shared with the whole session, so other modules' complaints, dead letters and
connector groups are visible too: the tests look for their own (unique connector ids, the
dead letter at a known source offset) and compare the API with /metrics and the page rather
than with fixed totals. Complaints go to Kota Banjarmasin (63.71), which no other hub test
counts.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.structs import OffsetAndMetadata

from lapor_hub.schemas import cloudevent_headers, encode
from lapor_hub.streams.core import topics
from lapor_hub.streams.core.admin import admin_client
from tests.hub.complaints import complaint_body
from tests.hub.harness import Credentials, bearer, http, start_hub, wait_for

REGION = "63.71"
COMPLAINTS = 3
#: Records the lagging connector has not read yet.
CONNECTOR_LAG = 3
#: What the first complaint's reporter thinks of Banjarmasin's response.
RATING = 2


@dataclass
class Traffic:
    tracking_ids: list[str]
    #: (partition, offset) of the garbage record on complaints.intake.
    garbage_at: tuple[int, int]
    live_connector: str
    quiet_connector: str


def _heartbeat(connector_id: str, status: str, *, delivered: int, failed: int) -> dict:
    now = datetime.now(timezone.utc)
    return {"event_id": str(uuid.uuid4()), "tracking_id": "", "occurred_at": now, "actor": "63.71",
            "connector_id": connector_id, "agency": "63.71", "connector_type": "webhook", "status": status,
            "delivered": delivered, "failed": failed, "polled": 0, "lag": 0, "sent_at": now}


def _send_heartbeat(producer: KafkaProducer, value: dict, *, age_s: float = 0.0) -> None:
    source = f"/agency/63.71/connector/{value['connector_id']}"
    headers = cloudevent_headers("ConnectorHeartbeat", value["event_id"], source, "", value["occurred_at"])
    producer.send(topics.CONNECTOR_HEALTH, key=value["connector_id"].encode(),
                  value=encode("ConnectorHeartbeat", value), headers=headers,
                  timestamp_ms=int((time.time() - age_s) * 1000)).get(timeout=30)


def _lagging_group(settings, connector_id: str) -> None:
    """A connector group that has read all but CONNECTOR_LAG records of a topic of its own."""
    topic = f"health-test.{connector_id}"
    admin = admin_client(settings)
    admin.create_topics([NewTopic(topic, 1, 1)])
    admin.close()
    producer = KafkaProducer(bootstrap_servers=settings.broker)
    for n in range(5):
        producer.send(topic, f"record {n}".encode()).get(timeout=30)
    producer.close()
    consumer = KafkaConsumer(bootstrap_servers=settings.broker, group_id=f"lapor-connect.{connector_id}",
                             enable_auto_commit=False)
    consumer.commit({TopicPartition(topic, 0): OffsetAndMetadata(5 - CONNECTOR_LAG, "", -1)})
    consumer.close()


def _respond_and_rate(hub, tracking_id: str, reporter_token: str, rating: int) -> None:
    """Banjarmasin accepts and responds to the complaint through the staff API; its reporter rates the response."""
    officer = bearer(Credentials(hub.data_dir).token("health-officer", "agency-officer", REGION))
    base = f"{hub.base_url}/api/v1/agencies/{REGION}/complaints/{tracking_id}/actions"

    def status_is(expected: str) -> bool:
        return http("GET", f"{hub.base_url}/api/v1/complaints/{tracking_id}")[1].get("status") == expected

    wait_for(lambda: status_is("dispositioned"), timeout=60, what=f"{tracking_id} at Banjarmasin")
    for action in ({"type": "accept"}, {"type": "respond", "response": "Lampu jalan sudah diganti."}):
        status, body = http("POST", base, action, officer)
        assert status == 202, body
        wait_for(lambda a=action: status_is("accepted" if a["type"] == "accept" else "responded"), timeout=60,
                 what=f"{tracking_id} after {action['type']}")
    status, body = http("POST", f"{hub.base_url}/api/v1/complaints/{tracking_id}/rating",
                        {"rating": rating, "comment": "Lama sekali baru diganti"}, bearer(reporter_token))
    assert status == 202, body


@pytest.fixture(scope="module")
def health_hub(kafka_broker, hub_topics, tmp_path_factory):
    process = start_hub(kafka_broker.bootstrap, tmp_path_factory.mktemp("health-hub"))
    yield process
    assert process.stop() == 0, process.log()[-3000:]


@pytest.fixture(scope="module")
def operator(health_hub) -> dict:
    """Headers of an operator program (as Prometheus scrapes): the overview and /metrics need them."""
    return bearer(Credentials(health_hub.data_dir).api_key("prometheus", role="operator"))


@pytest.fixture(scope="module")
def traffic(health_hub, hub_topics, operator) -> Traffic:
    tracking_ids, tokens = [], []
    for n in range(COMPLAINTS):
        status, body = http("POST", f"{health_hub.base_url}/api/v1/complaints",
                            complaint_body(region_code=REGION, title=f"Lampu jalan padam di kelurahan {n}",
                                           classification="aspiration" if n == 1 else "complaint"))
        assert status == 202, body
        tracking_ids.append(body["tracking_id"])
        tokens.append(body["reporter_token"])
    _respond_and_rate(health_hub, tracking_ids[0], tokens[0], RATING)
    producer = KafkaProducer(bootstrap_servers=health_hub.bootstrap, acks="all")
    garbage = producer.send(topics.INTAKE, key=b"health-garbage", value=b"\x07not avro at all",
                            headers=cloudevent_headers("ComplaintSubmitted", str(uuid.uuid4()), "/test/health",
                                                       "", datetime.now(timezone.utc))).get(timeout=30)
    suffix = uuid.uuid4().hex[:6]
    live, quiet = f"health-live-{suffix}", f"health-quiet-{suffix}"
    _send_heartbeat(producer, _heartbeat(live, "UP", delivered=7, failed=1))
    _send_heartbeat(producer, _heartbeat(live, "UP", delivered=5, failed=0))
    # Written ten minutes ago, as the last word of a connector that went away.
    _send_heartbeat(producer, _heartbeat(quiet, "UP", delivered=1, failed=0), age_s=600.0)
    producer.close()
    _lagging_group(hub_topics, live)
    traffic = Traffic(tracking_ids, (garbage.partition, garbage.offset), live, quiet)

    def settled():
        _, o = http("GET", f"{health_hub.base_url}/api/v1/health/overview", headers=operator)
        ids = {c["connector_id"]: c for c in o["connectors"]["items"]}
        return (o["sla"] and o["sla"]["funnel"]["received"] >= COMPLAINTS and o["sla"]["ratings"]["count"] >= 1
                and all(http("GET", f"{health_hub.base_url}/api/v1/complaints/{t}")[0] == 200 for t in tracking_ids)
                and any(e["source_offset"] == garbage.offset and e["source_topic"] == topics.INTAKE
                        for e in o["dead_letters"]["latest"])
                and ids.get(live, {}).get("group_lag") == CONNECTOR_LAG and quiet in ids
                and len(o["throughput"]["series"][0]["history"]) >= 3 and o)

    wait_for(settled, timeout=120, interval=1.0, what="the traffic to show in the overview")
    return traffic
