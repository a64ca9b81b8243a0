"""Pringsewu, Lampung (2020): 32 complaints received, 30 followed up, 2 left open.

Played end to end through the hub, then the read model is rebuilt from the event log into
fresh SQLite and PostgreSQL databases, which must hold identical rows.
"""

import pytest
from sqlalchemy import create_engine, select

from lapor_hub.streams.broker import LocalBroker, free_port
from lapor_hub.streams.core import topics
from lapor_hub.streams.core.admin import init_topics
from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.directory import default_directory
from lapor_hub.streams.readmodel.rebuild import rebuild_read_model
from lapor_hub.streams.readmodel.tables import assignments, complaints, timeline
from tests.conftest import CACHE
from tests.hub.complaints import agency_update, complaint_body
from tests.hub.harness import http, produce_record, start_hub, wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

PRINGSEWU = "18.10"
SOURCE = "/agency/18.10/connector/simpel"


def _update(hub, record_type, tracking_id, **fields):
    produce_record(hub.bootstrap, topics.outbox(PRINGSEWU), record_type,
                   agency_update(record_type, tracking_id, PRINGSEWU, **fields), source=SOURCE)


def _dump(url: str) -> dict:
    engine = create_engine(url)
    with engine.connect() as conn:
        dump = {
            table.name: sorted(tuple(str(v) for v in row) for row in conn.execute(select(table)))
            for table in (complaints, timeline, assignments)
        }
    engine.dispose()
    return dump


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """A broker and hub of this scenario's own: Pringsewu's counts must not see other tests."""
    broker = LocalBroker(tmp_path_factory.mktemp("pringsewu-kafka"), port=free_port(), controller_port=free_port(),
                         cache_dir=CACHE)
    broker.start()
    settings = HubSettings(broker=broker.bootstrap, data_dir=tmp_path_factory.mktemp("topics"), partitions=2)
    init_topics(settings, [a.code for a in default_directory()])
    process = start_hub(broker.bootstrap, tmp_path_factory.mktemp("hub"))
    yield process
    try:
        assert process.stop() == 0, process.log()[-3000:]
    finally:
        broker.stop()


@pytest.fixture(scope="module")
def pringsewu(hub):
    tracking_ids = []
    for n in range(32):
        status, body = http("POST", f"{hub.base_url}/api/v1/complaints",
                            complaint_body(title=f"Keluhan layanan publik nomor {n:02d}",
                                           category="civil_registry.id_card" if n % 2
                                           else "infrastructure.road.regency"))
        assert status == 202
        tracking_ids.append(body["tracking_id"])
    wait_for(lambda: http("GET", f"{hub.base_url}/api/v1/agencies/{PRINGSEWU}/stats")[1]["received"] >= 32,
             what="32 complaints received by Pringsewu")
    for tracking_id in tracking_ids[:30]:
        _update(hub, "ComplaintAccepted", tracking_id, agency=PRINGSEWU)
        _update(hub, "FollowUpRecorded", tracking_id, agency=PRINGSEWU, note="Sudah ditindaklanjuti", attachments=[])
        _update(hub, "ResponseGiven", tracking_id, agency=PRINGSEWU, response="Masalah telah diselesaikan")
        _update(hub, "ComplaintClosed", tracking_id, reason="AGENCY_CLOSED", note=None)
    return tracking_ids


def test_pringsewu_stats_show_32_received_30_followed_up_2_open(hub, pringsewu):
    def stats():
        _, body = http("GET", f"{hub.base_url}/api/v1/agencies/{PRINGSEWU}/stats")
        return body if body["followed_up"] == 30 and body["open"] == 2 else None

    body = wait_for(stats, timeout=120, what="Pringsewu's 30 follow-ups")
    assert (body["received"], body["followed_up"], body["open"]) == (32, 30, 2)
    assert body["by_status"] == {"closed": 30, "dispositioned": 2}
    status, listing = http("GET", f"{hub.base_url}/api/v1/agencies/{PRINGSEWU}/complaints?status=dispositioned")
    assert status == 200 and {c["tracking_id"] for c in listing["complaints"]} == set(pringsewu[30:])


def test_rebuilding_from_the_event_log_gives_identical_rows_on_sqlite_and_postgresql(hub, pringsewu, tmp_path,
                                                                                    postgres_url):
    test_pringsewu_stats_show_32_received_30_followed_up_2_open(hub, pringsewu)  # the hub is caught up
    live = _dump(f"sqlite:///{hub.data_dir / 'read-model.db'}")
    settings = HubSettings(broker=hub.bootstrap, data_dir=tmp_path)
    sqlite_url = f"sqlite:///{tmp_path / 'rebuilt.db'}"
    assert rebuild_read_model(settings, sqlite_url) == len(live["timeline"])
    assert rebuild_read_model(settings, postgres_url) == len(live["timeline"])
    assert _dump(sqlite_url) == live
    assert _dump(postgres_url) == live
    # A second rebuild (a replay) changes nothing.
    rebuild_read_model(settings, postgres_url)
    assert _dump(postgres_url) == live
