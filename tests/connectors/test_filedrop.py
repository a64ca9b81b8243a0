"""The filedrop connector against a real folder pair, and end to end on the broker."""

from __future__ import annotations

import csv
import json

import pytest

from lapor_hub.connectors.builtin.filedrop import FileDropConnector
from lapor_hub.connectors.testing import ConnectorConformance, Counterpart, RecordingContext, sample_delivery
from lapor_hub.streams.core import topics
from tests.connectors.support import config_for, running, wait_until


class SharedFolder(Counterpart):
    """The institution's side: it reads assignment files and drops response files."""

    def __init__(self, root) -> None:
        self.outgoing, self.incoming = root / "keluar", root / "masuk"
        self.outgoing.mkdir()
        self.incoming.mkdir()
        self._unmounted = root / "keluar.unmounted"

    def held(self):
        files = sorted(self.outgoing.glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
        return [json.loads(p.read_text())["id"] for p in files]

    def record_follow_up(self, tracking_id, note, update_id):
        (self.incoming / f"tanggapan-{update_id}.json").write_text(json.dumps(
            {"update_id": update_id, "type": "FollowUpRecorded", "tracking_id": tracking_id, "note": note,
             "occurred_at": "2024-05-02T09:00:00+07:00"}))

    def go_down(self):
        self.outgoing.rename(self._unmounted)

    def come_back(self):
        self._unmounted.rename(self.outgoing)

    def undeliverable(self, agency):
        return sample_delivery(agency, "")  # no tracking id: the file cannot be named


def _connector(folder: SharedFolder, agency: str = "BPOM", bootstrap: str = "127.0.0.1:9", **settings):
    return FileDropConnector(config_for("filedrop", agency, {"outgoing": str(folder.outgoing),
                                                             "incoming": str(folder.incoming), **settings},
                                        bootstrap=bootstrap))


@pytest.fixture
def folder(tmp_path):
    return SharedFolder(tmp_path)


@pytest.fixture
def opened(folder):
    connector = _connector(folder)
    connector.open(RecordingContext(connector.config))
    return connector


class TestFileDropConformance(ConnectorConformance):
    @pytest.fixture
    def harness(self, folder):
        return _connector(folder), folder


def test_a_malformed_response_file_goes_to_rejected_with_a_report(folder, opened):
    (folder.incoming / "rusak.json").write_text('{"type": "FollowUpRecorded", "tracking_id": ')
    (folder.incoming / "kurang.csv").write_text("type,tracking_id,note\n"
                                                "FollowUpRecorded,LPR-1,ok\nResponseGiven,LPR-1,\n")
    (folder.incoming / "baik.csv").write_text("type,tracking_id,text\nResponseGiven,LPR-2,Sudah diperbaiki\n")
    updates = opened.poll()
    opened.acknowledge(updates)
    assert [(u.record_type, u.tracking_id) for u in updates] == [("ResponseGiven", "LPR-2")]
    assert sorted(p.name for p in (folder.incoming / "rejected").iterdir()) == [
        "kurang.csv", "kurang.csv.error.txt", "rusak.json", "rusak.json.error.txt"]
    report = (folder.incoming / "rejected" / "kurang.csv.error.txt").read_text()
    assert "row 3: ResponseGiven needs a non-empty text field 'response'" in report
    assert "not valid JSON" in (folder.incoming / "rejected" / "rusak.json.error.txt").read_text()
    assert [p.name for p in (folder.incoming / "done").iterdir()] == ["baik.csv"]
    assert not any(p.is_file() for p in folder.incoming.iterdir())


def test_files_being_written_are_left_alone(folder, opened):
    (folder.incoming / ".tanggapan.json.tmp").write_text("{")
    (folder.incoming / "tanggapan.json.part").write_text("{")
    assert opened.poll() == []
    assert (folder.incoming / ".tanggapan.json.tmp").exists() and (folder.incoming / "tanggapan.json.part").exists()


def test_assignments_as_csv_are_flat_and_named_by_tracking_and_event_id(folder):
    connector = _connector(folder, format="csv")
    delivery = sample_delivery("BPOM", "LPR/2024/7")
    list(connector.deliver([delivery]))
    [path] = folder.outgoing.iterdir()
    assert path.name == f"LPR_2024_7__{delivery.idempotency_key}.csv"
    [row] = list(csv.DictReader(path.open()))
    assert row["tracking_id"] == "LPR/2024/7" and row["location.address"] == "Jl. Ahmad Yani"
    assert row["agency.code"] == "BPOM" and row["type"] == "ComplaintDispositioned"


@pytest.mark.kafka
def test_end_to_end_files_out_and_responses_in(kafka_broker, hub, agency, folder):
    connector = _connector(folder, agency, kafka_broker.bootstrap)
    with running(connector):
        event_id = hub.assign(agency, "LPR-FD-1")
        wait_until(lambda: folder.held() == [event_id], what="the assignment file")
        (folder.incoming / "balasan.json").write_text(json.dumps({"updates": [
            {"update_id": "b-1", "type": "ComplaintAccepted", "tracking_id": "LPR-FD-1"},
            {"update_id": "b-2", "type": "ComplaintForwarded", "tracking_id": "LPR-FD-1",
             "reason": "Bukan wewenang kami", "to_agency": "KEMENKES"}]}))
        (folder.incoming / "salah.json").write_text(json.dumps({"type": "ComplaintForwarded", "tracking_id": "x",
                                                                "reason": "?", "to_agency": "NOPE"}))
        events = hub.read(topics.outbox(agency), lambda es: len(es) >= 2)
        wait_until(lambda: (folder.incoming / "rejected" / "salah.json.error.txt").exists(), what="the rejection")
    assert [e.record_type for e in events] == ["ComplaintAccepted", "ComplaintForwarded"]
    forwarded = events[1].value
    assert (forwarded["from_agency"], forwarded["to_agency"], forwarded["suggested_by_agency"]) == (
        agency, "KEMENKES", True)
    assert "'to_agency' is not an agency code" in (folder.incoming / "rejected" / "salah.json.error.txt").read_text()
