"""``lapor-hub run`` with the demo on: example agencies receive complaints and follow them up.

The hub runs as ``make run`` runs it (``python -m streams.cli run``, demo on) on a broker of its
own: the demo feed sends complaints to random regencies, which must not reach the agency topics
other tests assume untouched. The test submits one complaint per demo agency and watches the
public API.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import pytest

from lapor_hub.streams.broker import LocalBroker, free_port
from lapor_hub.streams.core.admin import init_topics
from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.directory import default_directory
from tests.conftest import CACHE
from tests.hub.complaints import complaint_body
from tests.hub.harness import HubProcess, http, wait_for

pytestmark = pytest.mark.kafka

_PHONE, _NIK, _NAME = "081298765432", "1810015708900099", "Rahmat Hidayat"


@pytest.fixture(scope="module")
def demo_broker(tmp_path_factory):
    broker = LocalBroker(tmp_path_factory.mktemp("demo-kafka"), port=free_port(), controller_port=free_port(),
                         cache_dir=CACHE)
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture(scope="module")
def demo_hub(demo_broker, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("demo-hub")
    init_topics(HubSettings(broker=demo_broker.bootstrap, data_dir=data_dir, partitions=2),
                [a.code for a in default_directory()])
    hub = _start_demo_hub(demo_broker.bootstrap, data_dir)
    yield hub
    assert hub.stop() == 0, hub.log()[-3000:]


def _start_demo_hub(bootstrap: str, data_dir, timeout: float = 180.0) -> HubProcess:
    port = free_port()
    log_path = data_dir / f"hub-{port}.log"
    env = {**os.environ, "LAPOR_BROKER": bootstrap, "LAPOR_WEB_PORT": str(port), "LAPOR_DATA_DIR": str(data_dir),
           "LAPOR_DEMO": "1", "LAPOR_APP_ID": f"hub-demo-{uuid.uuid4().hex[:8]}", "LAPOR_TOPIC_PARTITIONS": "2"}
    with open(log_path, "ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "lapor_hub.streams.cli", "run"], env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
    hub = HubProcess(process, f"http://127.0.0.1:{port}", bootstrap, data_dir, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the hub exited with {process.returncode}:\n{hub.log()[-3000:]}")
        try:
            if http("GET", f"{hub.base_url}/health")[0] == 200 and "Worker]: Ready" in hub.log():
                return hub
        except OSError:
            pass
        time.sleep(0.5)
    hub.stop()
    raise AssertionError(f"the demo hub did not become ready:\n{hub.log()[-3000:]}")


def _submit(hub: HubProcess, **overrides) -> str:
    body = complaint_body(reporter={"name": _NAME, "phone": _PHONE, "nik": _NIK}, **overrides)
    status, answer = http("POST", f"{hub.base_url}/api/v1/complaints", body)
    assert status == 202, answer
    return answer["tracking_id"]


def _handled(hub: HubProcess, tracking_id: str) -> dict:
    """The public view once the agency has followed the complaint up (or already responded)."""
    def check():
        code, view = http("GET", f"{hub.base_url}/api/v1/complaints/{tracking_id}")
        return view if code == 200 and view["status"] in ("in_progress", "responded") else None

    return wait_for(check, timeout=120, what=f"{tracking_id} to be followed up by its demo agency")


@pytest.mark.parametrize(("agency", "overrides"), [
    ("18.10", {}),  # the webhook case-management app
    ("KEMENSOS", {"category": "social_aid.pkh", "title": "Bantuan PKH tidak cair"}),  # the legacy database
    ("OJK", {"category": "financial.online_loans", "title": "Penagihan pinjol mengancam"}),  # the shared folder
])
def test_each_demo_agency_follows_up_what_it_receives(demo_hub, agency, overrides):
    tracking_id = _submit(demo_hub, **overrides)
    view = _handled(demo_hub, tracking_id)
    assert view["agency_code"] == agency
    types = [step["type"] for step in view["timeline"]]
    assert "ComplaintAccepted" in types and "FollowUpRecorded" in types
    assert all(step["agency"] == agency for step in view["timeline"] if step["type"] == "FollowUpRecorded")
    wait_for(lambda: f"demo {agency}: received ComplaintDispositioned for {tracking_id}" in demo_hub.log(),
             timeout=10, what="the delivery log line")


def test_pringsewu_responds_and_the_stats_show_its_follow_ups(demo_hub):
    tracking_id = _submit(demo_hub)
    view = wait_for(lambda: (v := http("GET", f"{demo_hub.base_url}/api/v1/complaints/{tracking_id}")[1])
                    and v.get("status") == "responded" and v, timeout=120, what=f"{tracking_id} to be responded to")
    assert [t for t in (s["type"] for s in view["timeline"]) if t != "ComplaintSubmitted"][-3:] == [
        "ComplaintAccepted", "FollowUpRecorded", "ResponseGiven"]
    status, stats = http("GET", f"{demo_hub.base_url}/api/v1/agencies/18.10/stats")
    assert status == 200 and stats["followed_up"] >= 1
    status, listed = http("GET", f"{demo_hub.base_url}/api/v1/agencies/18.10/complaints?status=responded")
    assert status == 200 and tracking_id in {c["tracking_id"] for c in listed["complaints"]}


def test_the_demo_log_names_tracking_ids_never_the_reporter_or_the_secret(demo_hub):
    tracking_id = _submit(demo_hub)
    _handled(demo_hub, tracking_id)
    wait_for(lambda: f"demo 18.10: follow-up sent for {tracking_id}" in demo_hub.log(), timeout=10,
             what="the follow-up log line")
    demo_lines = [line for line in demo_hub.log().splitlines() if "connectors" in line or "demo" in line]
    assert demo_lines
    text = "\n".join(demo_lines)
    assert _PHONE not in text and _NIK not in text and _NAME not in text
    assert "secret" not in text.lower()
