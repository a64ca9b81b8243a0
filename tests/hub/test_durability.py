"""A 202 means stored, on any worker: idempotency across workers, every worker shows every complaint.

Two real workers of one application (each with its own SQLite read model) on the session broker.
"""

from __future__ import annotations

import threading
import time
import uuid
from functools import partial

import pytest

from lapor_hub.streams.core import topics
from tests.hub.complaints import complaint_body
from tests.hub.harness import InboxReader, http, start_hub, wait_for

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
def workers(kafka_broker, hub_topics, tmp_path_factory):
    app_id = f"hub-pair-{uuid.uuid4().hex[:8]}"
    first = start_hub(kafka_broker.bootstrap, tmp_path_factory.mktemp("worker-a"), app_id=app_id)
    second = start_hub(kafka_broker.bootstrap, tmp_path_factory.mktemp("worker-b"), app_id=app_id)
    wait_for(lambda: all(http("GET", f"{w.base_url}/ready")[0] == 200 for w in (first, second)),
             timeout=120, what="both workers ready after the rebalance")
    yield first, second
    for worker in (first, second):
        assert worker.stop() == 0, worker.log()[-3000:]


def _event_ids(bootstrap: str, tracking_id: str, record_type: str) -> set[str]:
    """The distinct event ids of ``record_type`` for the complaint on complaints.events."""
    reader = InboxReader(bootstrap, topics.EVENTS)
    try:
        reader.find(lambda t, v, h: t == record_type and v["tracking_id"] == tracking_id,
                    what=f"{record_type} of {tracking_id}")
        time.sleep(2)  # a duplicate would follow within moments
        reader.poll()
        return {v["event_id"] for t, v, _ in reader.records if t == record_type and v["tracking_id"] == tracking_id}
    finally:
        reader.close()


def test_a_retry_at_another_worker_is_the_same_complaint_stored_once(workers, kafka_broker):
    first, second = workers
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = complaint_body(title="Lampu penerangan jalan mati sebulan")
    accepted = http("POST", f"{first.base_url}/api/v1/complaints", body, key)
    retried = http("POST", f"{second.base_url}/api/v1/complaints", body, key)
    reused = http("POST", f"{second.base_url}/api/v1/complaints", complaint_body(title="Keluhan yang lain sama sekali"),
                  key)
    assert accepted[0] == retried[0] == 202
    tracking_id = accepted[1]["tracking_id"]
    assert retried[1]["tracking_id"] == tracking_id
    assert reused[0] == 422 and reused[1]["error"]["code"] == "idempotency_key_reused"
    assert len(_event_ids(kafka_broker.bootstrap, tracking_id, "ComplaintSubmitted")) == 1
    assert len(_event_ids(kafka_broker.bootstrap, tracking_id, "ComplaintDispositioned")) == 1


def test_attempts_racing_on_two_workers_agree_on_one_tracking_id(workers):
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = complaint_body(title="Antrean puskesmas tidak tertib")
    answers: list[tuple[int, dict]] = []

    def send(worker) -> None:
        answers.append(http("POST", f"{worker.base_url}/api/v1/complaints", body, key))

    threads = [threading.Thread(target=send, args=(w,)) for w in (*workers, *workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [status for status, _ in answers] == [202] * 4
    assert len({answer["tracking_id"] for _, answer in answers}) == 1


def test_every_worker_shows_every_complaint(workers):
    first, second = workers
    tracking_ids = []
    for n in range(8):  # random tracking ids: both partitions, so both workers' agents take part
        status, body = http("POST", f"{first.base_url}/api/v1/complaints",
                            complaint_body(title=f"Jembatan desa rusak nomor {n}"))
        assert status == 202, body
        tracking_ids.append(body["tracking_id"])
    for worker in workers:
        for tracking_id in tracking_ids:
            url = f"{worker.base_url}/api/v1/complaints/{tracking_id}"
            view = wait_for(partial(_visible, url), timeout=60, what=f"{tracking_id} at {worker.base_url}")
            assert view["status"] == "dispositioned"


def _visible(url: str) -> dict | None:
    status, body = http("GET", url)
    return body if status == 200 else None


def test_both_workers_are_ready_and_say_why_when_they_are_not(workers):
    for worker in workers:
        status, body = http("GET", f"{worker.base_url}/ready")
        assert status == 200 and body["ready"] is True and all(body["checks"].values())
