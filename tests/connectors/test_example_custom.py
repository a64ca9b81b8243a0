"""The worked custom connector from connectors/examples stays correct: conformance plus the broker."""

from __future__ import annotations

import csv
import io

import pytest
from aiohttp import web

from lapor_hub.connectors.examples.csv_over_http import CsvOverHttpConnector
from lapor_hub.connectors.testing import ConnectorConformance
from lapor_hub.streams.core import topics
from tests.connectors.support import LocalAgencyApp, config_for, running, wait_until

KEY = "bps-api-key"


class CsvAgency(LocalAgencyApp):
    """BPS' complaint desk: takes assignment CSVs, serves its updates as CSV."""

    def __init__(self) -> None:
        self.rows: dict[str, dict] = {}
        self.updates: list[dict] = []
        self.reject_event_ids: set[str] = set()
        super().__init__([web.post("/lapor/assignments.csv", self._take), web.get("/lapor/updates.csv", self._serve)])
        self.url = f"http://127.0.0.1:{self.port}/lapor"

    async def _take(self, request):
        if request.headers.get("X-Api-Key") != KEY:
            return web.Response(status=401)
        if self.down:
            return web.Response(status=503, headers={"Retry-After": "0"})
        rows = list(csv.DictReader(io.StringIO(await request.text())))
        if any(r["tracking_id"].startswith("REJECT") or r["event_id"] in self.reject_event_ids for r in rows):
            return web.Response(status=400, text="invalid category")  # all or nothing
        for row in rows:
            self.rows.setdefault(row["event_id"], row)
        return web.Response(status=204)

    async def _serve(self, request):
        after = int(request.query.get("after", "0"))
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=["seq", "type", "tracking_id", "text", "occurred_at"])
        writer.writeheader()
        writer.writerows(u for u in self.updates if int(u["seq"]) > after)
        return web.Response(text=out.getvalue(), content_type="text/csv")

    def held(self):
        return list(self.rows)

    def record_follow_up(self, tracking_id, note, update_id):
        self.updates.append({"seq": len(self.updates) + 1, "type": "FollowUpRecorded", "tracking_id": tracking_id,
                             "text": note, "occurred_at": "2024-05-02T09:00:00+07:00"})

    def record_malformed_update(self, tracking_id, update_id):
        self.updates.append({"seq": len(self.updates) + 1, "type": "Selesai", "tracking_id": tracking_id,
                             "text": "", "occurred_at": ""})
        return None


@pytest.fixture
def desk():
    agency = CsvAgency()
    yield agency
    agency.stop()


def _connector(desk, tmp_path, agency="BPS", bootstrap="127.0.0.1:9"):
    settings = {"url": desk.url, "api_key": KEY}
    return CsvOverHttpConnector(config_for("lapor_hub.connectors.examples.csv_over_http:CsvOverHttpConnector", agency,
                                           settings, bootstrap=bootstrap, connector_id=f"bps-csv-{agency.lower()}"))


class TestCsvOverHttpConformance(ConnectorConformance):
    @pytest.fixture
    def harness(self, desk, tmp_path):
        return _connector(desk, tmp_path), desk


@pytest.mark.kafka
def test_a_rejected_batch_is_split_so_only_the_bad_assignment_is_dead_lettered(
        kafka_broker, hub, agency, desk, tmp_path):
    # one complaint: one partition, handed to the connector as one batch
    first, bad, second = (hub.assign(agency, "LPR-SPLIT", title="1"), hub.assign(agency, "LPR-SPLIT", title="x"),
                          hub.assign(agency, "LPR-SPLIT", title="2"))
    desk.reject_event_ids = {bad}
    with running(_connector(desk, tmp_path, agency, kafka_broker.bootstrap)) as runtime:
        wait_until(lambda: {first, second} <= set(desk.rows), what="the good assignments")
        letters = hub.read(topics.DEADLETTER, lambda es: len(es) >= 1,
                           where=lambda e: e.value["source_topic"] == topics.inbox(agency))
    assert [e.value["reason"] for e in letters] == [
        "POST assignments.csv answered HTTP 400 (rejected by the agency system)"]
    assert runtime.counters.total["dead_lettered"] == 1 and runtime.counters.total["delivered"] == 2
    assert list(desk.rows) == [first, second] and bad not in desk.rows
