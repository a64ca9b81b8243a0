"""The operator's commands against a running hub: track, stats, dlq list."""

import json

import pytest

from lapor_hub.streams.cli import main
from lapor_hub.streams.core import topics
from tests.hub.harness import InboxReader, http, produce_record, wait_for
from tests.hub.submissions import submission_record

pytestmark = pytest.mark.kafka


@pytest.fixture
def cli_env(hub, monkeypatch):
    monkeypatch.setenv("LAPOR_HUB_URL", hub.base_url)
    monkeypatch.setenv("LAPOR_BROKER", hub.bootstrap)
    return hub


def _submitted(hub) -> str:
    status, body = http("POST", f"{hub.base_url}/api/v1/complaints", {
        "title": "Air PDAM mati berhari-hari", "description": "Air PDAM di perumahan kami tidak mengalir lima hari.",
        "category": "utilities.water", "region_code": "18.10", "channel": "web", "privacy": "confidential",
        "reporter": {"name": "Dewi Lestari", "email": "dewi@example.id"}})
    assert status == 202
    tracking_id = body["tracking_id"]
    wait_for(lambda: http("GET", f"{hub.base_url}/api/v1/complaints/{tracking_id}")[0] == 200, what="the view")
    return tracking_id


def test_track_prints_status_agency_and_timeline_without_hidden_content(cli_env, capsys):
    tracking_id = _submitted(cli_env)
    assert main(["track", tracking_id]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{tracking_id}  dispositioned  at 18.10 KAB. PRINGSEWU")
    assert "ComplaintDispositioned" in out
    assert "Dewi" not in out and "dewi@example.id" not in out
    assert main(["track", tracking_id, "--json"]) == 0
    view = json.loads(capsys.readouterr().out)
    assert view["content_hidden"] is True and view.get("title") in (None, "")


def test_track_of_an_unknown_complaint_exits_non_zero(cli_env, capsys):
    assert main(["track", "LPR-20261128-AAAAAAAA"]) == 1
    assert "no complaint LPR-20261128-AAAAAAAA" in capsys.readouterr().err


def test_stats_per_agency_and_national_match_the_api(cli_env, capsys):
    _submitted(cli_env)
    assert main(["stats", "18.10", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    _, api = http("GET", f"{cli_env.base_url}/api/v1/agencies/18.10/stats")
    assert printed["received"] == api["received"] >= 1
    assert {"overdue", "escalated", "followed_up", "open"} <= set(printed)
    assert main(["stats"]) == 0
    assert capsys.readouterr().out.startswith("funnel: received")


def test_an_invalid_submission_on_intake_is_listed_by_dlq_list_with_its_reason(cli_env, capsys):
    record = submission_record(region_code="99.99")
    produce_record(cli_env.bootstrap, topics.INTAKE, "ComplaintSubmitted", record, source="/channel/sms-1708",
                   key=record["event_id"].encode())
    reader = InboxReader(cli_env.bootstrap, topics.DEADLETTER)
    [(_, dead, _)] = reader.find(lambda t, v, h: v["key"] == record["event_id"].encode())
    reader.close()
    assert dead["stage"] == "intake" and "location.region_code" in dead["reason"]
    assert "Budi" not in dead["reason"] and "+6281234567890" not in dead["reason"]
    assert main(["dlq", "list", "--limit", "1000"]) == 0
    out = capsys.readouterr().out
    assert "intake  InvalidSubmission: invalid submission: location.region_code" in out
