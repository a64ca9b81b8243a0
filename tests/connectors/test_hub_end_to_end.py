"""End to end on the real broker: a citizen, the real hub worker, the webhook connector and
KAB. PRINGSEWU's case-management app, and back to the hub's public view.

Nothing is played by the test except the citizen and the agency's staff: the hub is a real
``lapor-hub run`` subprocess, the connector runs its runtime (in a thread, or as ``lapor-connect
run`` processes that are killed), and the agency app is a real HTTP server that checks signatures
and keeps one case per Idempotency-Key, as the webhook contract asks.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from collections import defaultdict
from typing import TextIO

import pytest
import yaml
from aiohttp import web

from lapor_hub.connectors.builtin.webhook import WebhookConnector
from lapor_hub.connectors.hubview import HubView
from lapor_hub.connectors.sdk.inbound import InboundServer
from lapor_hub.connectors.sdk.signing import SIGNATURE_HEADER, SignatureError, verify
from lapor_hub.streams.broker import free_port
from lapor_hub.streams.core import topics
from lapor_hub.streams.core.admin import init_topics
from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.directory import default_directory
from tests.connectors.support import FAST_RUNTIME, config_for, post_signed, running, wait_until
from tests.hub.complaints import complaint_body
from tests.hub.harness import Credentials, InboxReader, http, start_hub, wait_for

pytestmark = pytest.mark.kafka

PRINGSEWU = "18.10"
SECRET = "shared-with-pringsewu-" + uuid.uuid4().hex


class _CaseApp:
    """KAB. PRINGSEWU's case-management app, receiving LAPOR assignments by webhook.

    ``database_down``: its case database is down, so assignments get 503 while its web tier
    still answers the connector's signed ping. ``slow_for``: tracking ids whose assignment takes
    a moment to store (so that a connector can be killed while one is in flight).
    """

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.cases: dict[str, dict] = {}  # idempotency key → first body, in first-arrival order
        self.posts: list[tuple[str, str]] = []  # (idempotency key, tracking id) of every answered POST
        self.accepted = 0  # cases created
        self.repeats = 0  # POSTs answered from an existing case (a redelivery)
        self.refused = 0
        self.bad_signatures = 0
        self.database_down = False
        self.slow_for: set[str] = set()
        self._lock = threading.Lock()
        self._server = InboundServer([web.post("/api/lapor/assignments", self._receive)], host="127.0.0.1", port=0)
        self.url = f"http://127.0.0.1:{self._server.start()}/api/lapor/assignments"

    async def _receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            verify(self.secret, body, request.headers.get(SIGNATURE_HEADER), window=60)
        except SignatureError:
            self.bad_signatures += 1
            return web.json_response({"error": "bad signature"}, status=401)
        payload = json.loads(body)
        if payload.get("type") == "ping":
            return web.json_response({"pong": True})
        if self.database_down:
            self.refused += 1
            return web.json_response({"error": "case database unavailable"}, status=503)
        if payload["tracking_id"] in self.slow_for:
            await asyncio.sleep(0.3)
        key = request.headers["Idempotency-Key"]
        with self._lock:
            self.posts.append((key, payload["tracking_id"]))
            if key in self.cases:
                self.repeats += 1
            else:
                self.cases[key] = payload
                self.accepted += 1
            reference = f"SIPP-{list(self.cases).index(key) + 1}"
        return web.json_response({"reference": reference})

    def cases_of(self, tracking_ids: set[str]) -> list[tuple[str, dict]]:
        with self._lock:
            return [(key, case) for key, case in self.cases.items() if case["tracking_id"] in tracking_ids]

    def stop(self) -> None:
        self._server.stop()


@pytest.fixture(scope="module")
def hub_worker(kafka_broker, tmp_path_factory):
    """A real hub worker (``lapor-hub run --no-demo``) for this module, its own consumer group."""
    settings = HubSettings(broker=kafka_broker.bootstrap, data_dir=tmp_path_factory.mktemp("e2e-topics"), partitions=2)
    init_topics(settings, [a.code for a in default_directory()])
    process = start_hub(kafka_broker.bootstrap, tmp_path_factory.mktemp("e2e-hub"))
    yield process
    assert process.stop() == 0, process.log()[-3000:]


@pytest.fixture
def case_app():
    app = _CaseApp(SECRET)
    yield app
    app.stop()


#: The reporter token of each complaint the tests submit: the reporter's actions need it.
_TOKENS: dict[str, str] = {}


def _submit(hub, **overrides) -> str:
    status, body = http("POST", f"{hub.base_url}/api/v1/complaints", complaint_body(**overrides))
    assert status == 202, body
    _TOKENS[body["tracking_id"]] = body["reporter_token"]
    return body["tracking_id"]


def _view_with_status(hub, tracking_id: str, status: str) -> dict:
    def check():
        code, view = http("GET", f"{hub.base_url}/api/v1/complaints/{tracking_id}")
        return view if code == 200 and view["status"] == status else None

    return wait_for(check, timeout=60, what=f"{tracking_id} to be {status}")


def test_a_citizen_s_complaint_reaches_pringsewu_and_its_follow_up_shows_in_the_public_view(
        kafka_broker, hub_worker, case_app):
    key = Credentials(hub_worker.data_dir).api_key(f"e2e-sipp-{uuid.uuid4().hex[:6]}", "connector", PRINGSEWU)
    config = config_for("webhook", PRINGSEWU, {"url": case_app.url, "secret": SECRET, "timeout": 5},
                        bootstrap=kafka_broker.bootstrap, inbound=True,
                        connector_id=f"e2e-pringsewu-{uuid.uuid4().hex[:6]}",
                        hub={"url": hub_worker.base_url, "api_key": key})
    with running(WebhookConnector(config)) as runtime:
        tracking_id = _submit(hub_worker)
        [(key, case)] = wait_until(lambda: case_app.cases_of({tracking_id}), timeout=60,
                                   what="the assignment at Pringsewu's app")
        assert case["type"] == "ComplaintDispositioned" and case["id"] == key
        assert case["data"]["agency"]["code"] == PRINGSEWU
        assert case["data"]["category"] == "infrastructure.road.regency"
        # A public report: the connector asked the hub for the sealed identity; the app gets it in clear.
        reporter = complaint_body()["reporter"]
        assert (case["data"]["reporter"]["name"], case["data"]["reporter"]["nik"]) == (reporter["name"],
                                                                                      reporter["nik"])
        assert "identity" not in case["data"]
        assert case_app.bad_signatures == 0
        # Pringsewu's officer accepts and records a follow-up in the app, which posts them back.
        at = "2026-11-28T09:00:00+07:00"
        status, answer = post_signed(f"http://127.0.0.1:{runtime.inbound_port}/updates", SECRET, {"updates": [
            {"update_id": f"{key}-terima", "type": "ComplaintAccepted", "tracking_id": tracking_id, "occurred_at": at},
            {"update_id": f"{key}-proses", "type": "FollowUpRecorded", "tracking_id": tracking_id,
             "note": "Tim Dinas PUPR sudah meninjau lokasi", "occurred_at": at}]})
        assert status == 202 and answer["accepted"] == 2, answer
        view = _view_with_status(hub_worker, tracking_id, "in_progress")
    steps = [(step["type"], step["agency"]) for step in view["timeline"]]
    assert steps[-2:] == [("ComplaintAccepted", PRINGSEWU), ("FollowUpRecorded", PRINGSEWU)]
    assert view["agency_code"] == PRINGSEWU


def test_an_update_the_hub_can_already_tell_is_wrong_is_answered_409_at_once(kafka_broker, hub_worker, case_app):
    config = config_for("webhook", PRINGSEWU, {"url": case_app.url, "secret": SECRET, "timeout": 5},
                        bootstrap=kafka_broker.bootstrap, inbound=True, hub_url=hub_worker.base_url,
                        connector_id=f"e2e-hubview-{uuid.uuid4().hex[:6]}")
    elsewhere = _submit(hub_worker, region_code="18.11")  # a road of KAB. MESUJI: not Pringsewu's
    view = _view_with_status(hub_worker, elsewhere, "dispositioned")
    assert view["agency_code"] != PRINGSEWU
    with running(WebhookConnector(config), update_check=HubView(hub_worker.base_url, PRINGSEWU)) as runtime:
        updates = f"http://127.0.0.1:{runtime.inbound_port}/updates"
        unknown = post_signed(updates, SECRET, {"type": "ComplaintAccepted", "tracking_id": "LPR-20990101-NOSUCH00"})
        not_ours = post_signed(updates, SECRET, {"type": "FollowUpRecorded", "tracking_id": elsewhere, "note": "x"})
    assert unknown == (409, {"errors": [{"code": 409, "description": "update 0: the hub holds no complaint "
                                                                     "LPR-20990101-NOSUCH00: check the tracking id"}]})
    assert not_ours == (409, {"errors": [{"code": 409, "description": f"update 0: FollowUpRecorded from {PRINGSEWU}, "
                                                                      f"which does not hold the complaint (complaint "
                                                                      f"{elsewhere})"}]})
    assert runtime.counters.total["polled"] == 0, "nothing was published"


def test_an_outage_and_killed_connectors_lose_nothing_reorder_nothing_and_store_nothing_twice(
        kafka_broker, hub_worker, case_app, tmp_path):
    path = tmp_path / "pringsewu-webhook.yaml"
    path.write_text(yaml.safe_dump({
        "type": "webhook", "id": f"e2e-outage-{uuid.uuid4().hex[:6]}", "agency": PRINGSEWU,
        "broker": {"bootstrap": kafka_broker.bootstrap}, "runtime": FAST_RUNTIME,
        "inbound": {"host": "127.0.0.1", "port": free_port()},
        "settings": {"url": case_app.url, "secret": "${E2E_WEBHOOK_SECRET}", "timeout": 5}}))
    runs: list[tuple[subprocess.Popen, TextIO]] = []

    def start() -> subprocess.Popen:
        log = open(tmp_path / f"connector-{len(runs) + 1}.log", "w")
        process = subprocess.Popen([sys.executable, "-m", "lapor_hub.connectors.cli", "run", str(path)],
                                   env={**os.environ, "E2E_WEBHOOK_SECRET": SECRET},
                                   stdout=log, stderr=subprocess.STDOUT)
        runs.append((process, log))
        return process

    def kill(process: subprocess.Popen) -> None:
        process.kill()  # no goodbye: nothing in flight is committed
        process.wait(30)

    try:
        case_app.database_down = True
        first = start()
        # Several complaints in flight, each with two inbox events: the assignment, then the
        # information the reporter added once it was dispositioned.
        complaints = [_submit(hub_worker) for _ in range(4)]
        for tracking_id in complaints:
            _view_with_status(hub_worker, tracking_id, "dispositioned")
            status, body = http("POST", f"{hub_worker.base_url}/api/v1/complaints/{tracking_id}/information",
                                {"message": "Lubangnya di depan Pasar Pringsewu, dekat masjid."},
                                {"Authorization": f"Bearer {_TOKENS[tracking_id]}"})
            assert status == 202, body
        mine = set(complaints)
        inbox = InboxReader(kafka_broker.bootstrap, topics.inbox(PRINGSEWU))
        try:
            inbox_events = wait_for(lambda: (found := [(v["tracking_id"], t, h["ce_id"].decode())
                                                       for t, v, h in inbox.poll() if v["tracking_id"] in mine])
                                    and len(found) >= 8 and found, what="8 inbox events for the 4 complaints")
        finally:
            inbox.close()
        expected = defaultdict(list)
        for tracking_id, record_type, key in inbox_events:
            expected[tracking_id].append((record_type, key))
        assert all([t for t, _ in events] == ["ComplaintDispositioned", "InformationAdded"]
                   for events in expected.values()), expected

        wait_until(lambda: case_app.refused >= 2, timeout=60, what="the connector retrying during the outage")
        kill(first)
        refused = case_app.refused
        second = start()
        # the killed member holds the partition until its session times out (6 s here)
        wait_until(lambda: case_app.refused > refused, timeout=60, what="the restarted connector retrying")

        case_app.slow_for, case_app.database_down = mine, False
        wait_until(lambda: len(case_app.cases_of(mine)) >= 2, timeout=60, what="the first assignments after the outage")
        kill(second)  # while the rest are in flight
        third = start()
        wait_until(lambda: len(case_app.cases_of(mine)) >= 8, timeout=90, what="every assignment at the agency")
        third.send_signal(signal.SIGTERM)
        assert third.wait(30) == 0
    finally:
        for process, log in runs:
            if process.poll() is None:
                kill(process)
            log.close()

    arrived = defaultdict(list)
    for key, case in case_app.cases_of(mine):
        arrived[case["tracking_id"]].append((case["type"], key))
    assert dict(arrived) == dict(expected), "every assignment arrived, in inbox order per complaint"
    # This connector has no hub: section: no reporter, and never the sealed form.
    assignments = [case["data"] for _, case in case_app.cases_of(mine) if case["type"] == "ComplaintDispositioned"]
    assert assignments and all(a["reporter"] is None and "identity" not in a for a in assignments)
    posted = [key for key, tracking_id in case_app.posts if tracking_id in mine]
    stored = case_app.cases_of(mine)
    assert set(posted) == {key for _, _, key in inbox_events}, "a redelivery reuses its idempotency key"
    assert len(stored) == len(set(posted)) == 8, "the agency stored one case per distinct key"
    assert case_app.accepted == len(case_app.cases) and case_app.repeats == len(case_app.posts) - len(case_app.cases)
    assert case_app.bad_signatures == 0
