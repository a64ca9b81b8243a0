"""Promises under faults, each on a broker of its own: bounded waits, honest readiness, clean stops.

- While the broker is down a submission is answered 503 with Retry-After within the write
  deadline (never a hang, never a 202), /ready says so, and the retry stores it once the broker
  is back.
- SIGTERM ends the hub within 30 s while the broker is down; Ctrl-C ends it when its stdout
  reader has gone away; the embedded broker is restarted when it dies.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

from lapor_hub.streams.broker import LocalBroker, free_port
from lapor_hub.streams.core import topics
from lapor_hub.streams.core.admin import init_topics
from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.directory import default_directory
from tests.conftest import CACHE
from tests.hub.complaints import complaint_body
from tests.hub.harness import InboxReader, http, http_with_headers, start_hub, wait_for

pytestmark = pytest.mark.kafka

_STOP_DEADLINE_S = 30.0


@pytest.fixture
def own_broker(tmp_path):
    broker = LocalBroker(tmp_path / "kafka", port=free_port(), controller_port=free_port(), cache_dir=CACHE)
    broker.start()
    init_topics(HubSettings(broker=broker.bootstrap, data_dir=tmp_path, partitions=2),
                [a.code for a in default_directory()])
    yield broker
    broker.stop()


def _kill(broker: LocalBroker) -> None:
    os.kill(int((broker.home / "broker.pid").read_text()), signal.SIGKILL)
    wait_for(lambda: not broker.status().running, timeout=30, what="the broker to die")


def _stops_within(process: subprocess.Popen, seconds: float) -> float:
    started = time.monotonic()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError(f"the hub did not stop within {seconds:g} s") from None
    return time.monotonic() - started


def test_a_write_during_a_broker_outage_is_refused_in_seconds_and_stored_by_the_retry(own_broker, tmp_path):
    hub = start_hub(own_broker.bootstrap, tmp_path / "hub", extra_env={"LAPOR_WRITE_TIMEOUT": "3"})
    try:
        key = {"Idempotency-Key": str(uuid.uuid4())}
        body = complaint_body(title="Pelayanan KTP di kecamatan lambat")
        _kill(own_broker)
        # An answer at all is the point (the client's timeout ends a hang): 503, never a 202 or a wait.
        status, answer, headers = http_with_headers("POST", f"{hub.base_url}/api/v1/complaints", body, key,
                                                    timeout=30)
        assert status == 503 and answer["error"]["code"] == "unavailable", answer
        assert int(headers["Retry-After"]) >= 1
        ready, readiness = http("GET", f"{hub.base_url}/ready")
        assert ready == 503 and readiness["checks"]["broker"] is False
        assert any("broker" in reason for reason in readiness["reasons"])

        own_broker.start()
        def retried():
            status, answer = http("POST", f"{hub.base_url}/api/v1/complaints", body, key, timeout=30)
            assert status in (202, 503), answer
            return answer["tracking_id"] if status == 202 else None

        tracking_id = wait_for(retried, timeout=120, interval=2, what="the retry to be stored")
        reader = InboxReader(own_broker.bootstrap, topics.EVENTS)
        reader.find(lambda t, v, h: t == "ComplaintDispositioned" and v["tracking_id"] == tracking_id,
                    timeout=120, what="the stored complaint to be routed")
        time.sleep(2)
        submitted = {v["event_id"] for t, v, _ in reader.poll()
                     if t == "ComplaintSubmitted" and v["tracking_id"] == tracking_id}
        reader.close()
        assert len(submitted) == 1

        _kill(own_broker)
        hub.process.send_signal(signal.SIGTERM)
        assert _stops_within(hub.process, _STOP_DEADLINE_S) < _STOP_DEADLINE_S
    finally:
        hub.stop()


def test_ctrl_c_stops_the_hub_when_its_stdout_reader_has_gone(kafka_broker, hub_topics, tmp_path):
    env = {**os.environ, "LAPOR_BROKER": kafka_broker.bootstrap, "LAPOR_WEB_PORT": str(free_port()),
           "LAPOR_DATA_DIR": str(tmp_path), "LAPOR_DEMO": "0", "LAPOR_APP_ID": f"hub-pipe-{uuid.uuid4().hex[:6]}",
           "LAPOR_TOPIC_PARTITIONS": "2"}
    hub = subprocess.Popen([sys.executable, "-m", "lapor_hub.streams.cli", "run", "--no-demo"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert hub.stdout is not None  # stdout=PIPE
    try:
        for line in hub.stdout:  # like `make run | tee run.log`: read until the worker is ready
            if b"Worker]: Ready" in line:
                break
        hub.stdout.close()  # then the reader goes away, as tee does on Ctrl-C
        hub.send_signal(signal.SIGINT)
        _stops_within(hub, _STOP_DEADLINE_S)
    finally:
        if hub.poll() is None:
            hub.kill()


def test_the_embedded_broker_is_restarted_when_it_dies(tmp_path):
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if k != "LAPOR_BROKER"}, "LAPOR_BROKER_PORT": str(port),
           "LAPOR_CONTROLLER_PORT": str(free_port()), "LAPOR_WEB_PORT": str(free_port()),
           "LAPOR_DATA_DIR": str(tmp_path), "LAPOR_DEMO": "0", "LAPOR_CACHE_DIR": str(CACHE),
           "LAPOR_TOPIC_PARTITIONS": "2"}
    log_path = tmp_path / "hub.log"
    with open(log_path, "wb") as log:
        hub = subprocess.Popen([sys.executable, "-m", "lapor_hub.streams.cli", "run", "--no-demo"], env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{env['LAPOR_WEB_PORT']}"
    broker = LocalBroker(tmp_path / "kafka", port=port)
    try:
        wait_for(lambda: _answers(f"{base}/ready") == 200, timeout=240, what="the hub with its embedded broker")
        _kill(broker)
        wait_for(lambda: "embedded Kafka broker is back" in log_path.read_text(errors="replace"), timeout=120,
                 what="the broker to be restarted")
        wait_for(lambda: _answers(f"{base}/ready") == 200, timeout=120, what="the hub ready again")
        hub.send_signal(signal.SIGTERM)
        _stops_within(hub, _STOP_DEADLINE_S)
        assert hub.returncode == 0, log_path.read_text(errors="replace")[-3000:]
        assert not broker.status().running, "the hub stops the broker it started"
    finally:
        if hub.poll() is None:
            hub.kill()
        broker.stop()


def _answers(url: str) -> int | None:
    try:
        return http("GET", url, timeout=5)[0]
    except OSError:
        return None
