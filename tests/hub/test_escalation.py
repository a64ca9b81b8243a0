"""Deadlines on the real broker, with the hub's clock running one day per second."""

import time
import uuid
from datetime import datetime, timezone

import pytest

from lapor_hub.streams.core import topics
from tests.hub.complaints import agency_update, complaint_body
from tests.hub.harness import InboxReader, http, produce_record, start_hub, wait_for

pytestmark = pytest.mark.kafka

DAY_PER_SECOND = str(24 * 3600)
HALF_DAY_PER_SECOND = str(12 * 3600)
LADDER = ["18.10", "18.10", "18", "KEMENDAGRI", "KEMENPANRB", "ORI"]  # tier 1 .. tier 6


def _scaled_hub(kafka_broker, data_dir, app_id, epoch, scale=DAY_PER_SECOND):
    return start_hub(kafka_broker.bootstrap, data_dir, app_id=app_id,
                     extra_env={"LAPOR_TIME_SCALE": scale, "LAPOR_TIME_EPOCH": epoch})


def _submit(hub) -> str:
    status, body = http("POST", f"{hub.base_url}/api/v1/complaints", complaint_body())
    assert status == 202, body
    return body["tracking_id"]


def _follow_up_escalations(reader: InboxReader, tracking_id: str) -> list[dict]:
    return [v for t, v, _ in reader.poll()
            if v["tracking_id"] == tracking_id and t == "ComplaintEscalated" and v["stage"] == "first_follow_up"]


def _distinct(events: list[dict]) -> list[dict]:
    """At-least-once: a record may repeat after a crash, always with the same event id."""
    return list({e["event_id"]: e for e in events}.values())


def test_an_agency_that_never_answers_climbs_every_tier_once_across_a_worker_crash(
        kafka_broker, hub_topics, tmp_path):
    epoch = datetime.now(timezone.utc).isoformat()
    app_id = f"hub-sla-{uuid.uuid4().hex[:6]}"
    hub = _scaled_hub(kafka_broker, tmp_path / "hub", app_id, epoch)
    tracking_id = _submit(hub)
    reader = InboxReader(kafka_broker.bootstrap, topics.ESCALATIONS)
    try:
        wait_for(lambda: len(_distinct(_follow_up_escalations(reader, tracking_id))) >= 2, timeout=120,
                 what="the first two tiers")
        hub.kill()  # a crash midway: no shutdown, no final commit
        hub = _scaled_hub(kafka_broker, tmp_path / "hub", app_id, epoch)
        wait_for(lambda: len(_distinct(_follow_up_escalations(reader, tracking_id))) >= 6, timeout=180,
                 what="all six tiers")
        escalations = _follow_up_escalations(reader, tracking_id)
    finally:
        reader.close()
        hub.stop()
    distinct = sorted(_distinct(escalations), key=lambda e: e["tier"])
    assert [e["tier"] for e in distinct] == [1, 2, 3, 4, 5, 6]  # none missing, none fired twice
    assert [e["addressed_to"]["code"] for e in distinct] == LADDER
    assert distinct[-1]["office"] == "Ombudsman Republik Indonesia"
    assert [e["breached_at"] for e in distinct] == sorted(e["breached_at"] for e in distinct)
    # Each tier also reached the inbox of the office it is addressed to.
    ombudsman = InboxReader(kafka_broker.bootstrap, topics.inbox("ORI"))
    assert ombudsman.find(lambda t, v, h: v["tracking_id"] == tracking_id and t == "ComplaintEscalated")
    ombudsman.close()


def test_a_follow_up_in_time_stops_the_ladder(kafka_broker, hub_topics, tmp_path):
    # Half a day per second: the follow-up, sent at the 50% warning, has seconds to spare.
    hub = _scaled_hub(kafka_broker, tmp_path / "hub", f"hub-sla-{uuid.uuid4().hex[:6]}",
                      datetime.now(timezone.utc).isoformat(), scale=HALF_DAY_PER_SECOND)
    tracking_id = _submit(hub)
    reader = InboxReader(kafka_broker.bootstrap, topics.ESCALATIONS)
    try:
        [(_, warning, _)] = reader.find(lambda t, v, h: v["tracking_id"] == tracking_id and t == "SlaWarning"
                                        and v["stage"] == "first_follow_up" and v["percent"] == 50,
                                        timeout=120, what="the 50% warning")
        assert warning["percent"] == 50 and warning["agency"] == "18.10"
        produce_record(kafka_broker.bootstrap, topics.outbox("18.10"), "FollowUpRecorded",
                       agency_update("FollowUpRecorded", tracking_id, "18.10", agency="18.10",
                                     note="Sedang ditangani", attachments=[]),
                       source="/agency/18.10/connector/test")
        wait_for(lambda: http("GET", f"{hub.base_url}/api/v1/complaints/{tracking_id}")[1].get("status")
                 == "in_progress", what="the follow-up")
        # Ten more hub days: well past the deadline and the first tiers.
        time.sleep(20)
        reader.poll()
        assert _follow_up_escalations(reader, tracking_id) == []
    finally:
        reader.close()
        hub.stop()
