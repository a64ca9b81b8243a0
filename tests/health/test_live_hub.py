"""Stream health of a real hub worker with traffic: the overview API, /metrics, /ready and
``lapor-hub status``, all telling the same story."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from lapor_hub.streams.core import topics
from tests.browser import chromium
from tests.health.conftest import CONNECTOR_LAG, RATING
from tests.hub.harness import Credentials, bearer, http

pytestmark = pytest.mark.kafka


def _overview(hub, operator) -> dict:
    status, body = http("GET", f"{hub.base_url}/api/v1/health/overview", headers=operator)
    assert status == 200
    return body


def _metrics(hub, operator) -> dict[tuple[str, frozenset], float]:
    request = urllib.request.Request(f"{hub.base_url}/metrics", headers=operator)
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/plain")
        text = response.read().decode()
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def _consistent_snapshot(hub, operator):
    """(overview, metrics, overview after) taken within one sampling round of the hub."""
    for _ in range(20):
        before, metrics, after = _overview(hub, operator), _metrics(hub, operator), _overview(hub, operator)
        if before["broker"]["sampled_at"] == after["broker"]["sampled_at"] and \
                before["dead_letters"]["total"] == after["dead_letters"]["total"]:
            return before, metrics, after
    raise AssertionError("the hub sampled during every attempt")


def test_the_overview_shows_the_traffic(health_hub, traffic, operator):
    o = _overview(health_hub, operator)
    assert o["broker"]["reachable"] and o["worker"]["assigned_partitions"] > 0
    assert o["worker"]["events_processed"] > 0
    intake = next(s for s in o["throughput"]["series"] if s["topic"] == topics.INTAKE)
    assert intake["records_total"] >= len(traffic.tracking_ids) + 1  # the complaints and the garbage
    partition, offset = traffic.garbage_at
    [dead] = [e for e in o["dead_letters"]["latest"]
              if e["source_topic"] == topics.INTAKE
              and (e["source_partition"], e["source_offset"]) == (partition, offset)]
    assert dead["stage"] == "intake" and dead["error_class"] and dead["reason"]
    assert set(dead) == {"stage", "error_class", "reason", "source_topic", "source_partition", "source_offset",
                         "failed_at"}  # never the payload or the key
    tiles = {c["connector_id"]: c for c in o["connectors"]["items"]}
    live, quiet = tiles[traffic.live_connector], tiles[traffic.quiet_connector]
    assert (live["status"], live["delivered"], live["failed"], live["heartbeats"]) == ("UP", 12, 1, 2)
    assert live["group_lag"] == CONNECTOR_LAG
    assert quiet["status"] == "SILENT" and quiet["silent_s"] > o["connectors"]["silence_after_s"]
    group = next(g for g in o["lag"]["groups"] if g["connector_id"] == traffic.live_connector)
    assert group["kind"] == "connector" and group["partitions"][0]["lag"] == CONNECTOR_LAG
    assert o["lag"]["groups"][0]["kind"] == "hub"
    assert o["sla"]["funnel"]["received"] >= len(traffic.tracking_ids)
    assert any(row["agency"] == "63.71" and row["open"] >= len(traffic.tracking_ids) for row in o["sla"]["agencies"])
    # the reporters' verdicts: one rating of Banjarmasin's response, and an aspiration among the complaints
    assert o["sla"]["ratings"]["lowest_rated_agencies"] == [{"agency": "63.71", "average": RATING, "count": 1}]
    assert o["sla"]["by_classification"]["aspiration"] >= 1


def test_metrics_match_the_overview(health_hub, traffic, operator):
    before, m, after = _consistent_snapshot(health_hub, operator)
    live = traffic.live_connector
    group = f"lapor-connect.{live}"
    assert m[("lapor_consumer_group_lag_sum", frozenset({("group", group), ("kind", "connector")}))] == CONNECTOR_LAG
    for series in before["throughput"]["series"]:
        key = frozenset({("topic", series["topic"])})
        assert m[("lapor_topic_records_total", key)] == series["records_total"]
        assert m[("lapor_topic_records_per_second", key)] == series["records_per_second"]
    for row in before["dead_letters"]["by_stage_and_error_class"]:
        labels = frozenset({("stage", row["stage"]), ("error_class", row["error_class"])})
        assert m[("lapor_dead_letters_total", labels)] == row["count"]
    tile = next(c for c in before["connectors"]["items"] if c["connector_id"] == live)
    ids = {("connector", live), ("agency", "63.71")}
    assert m[("lapor_connector_status", frozenset(ids | {("status", "UP")}))] == 1
    assert m[("lapor_connector_delivered_total", frozenset(ids))] == tile["delivered"]
    for stage, count in before["sla"]["funnel"].items():
        assert m[("lapor_complaints_funnel", frozenset({("stage", stage)}))] == count
    banjarmasin = next(row for row in before["sla"]["agencies"] if row["agency"] == "63.71")
    assert m[("lapor_agency_open_complaints", frozenset({("agency", "63.71")}))] == banjarmasin["open"]
    processed = m[("lapor_hub_events_processed_total", frozenset())]
    assert before["worker"]["events_processed"] <= processed <= after["worker"]["events_processed"]
    assert m[("lapor_broker_reachable", frozenset())] == 1


def test_ready_when_the_broker_answers_and_partitions_are_assigned(health_hub, traffic):
    status, body = http("GET", f"{health_hub.base_url}/ready")
    assert status == 200 and body["ready"] is True and body["assigned_partitions"] > 0 and body["reasons"] == []


def _status(hub, operator, *args: str) -> subprocess.CompletedProcess:
    token = operator["Authorization"].removeprefix("Bearer ")
    return subprocess.run([sys.executable, "-m", "lapor_hub.streams.cli", "status", *args],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "LAPOR_HUB_URL": hub.base_url, "COLUMNS": "160",
                               "LAPOR_HUB_TOKEN": token})


def test_status_exits_zero_within_the_thresholds_and_three_naming_each_crossed_one(health_hub, traffic, operator):
    # The session's broker has other tests' dead letters, lag and stopped connectors: generous limits.
    healthy = _status(health_hub, operator, "--max-lag", "1000000000", "--max-dead-letters", "1000000000",
                      "--max-connector-silence", "inf")
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert "all thresholds hold" in healthy.stdout and traffic.live_connector in healthy.stdout
    assert "Throughput" in healthy.stdout and "Complaint funnel" in healthy.stdout

    lagging = _status(health_hub, operator, "--max-lag", str(CONNECTOR_LAG - 1), "--max-dead-letters", "1000000000",
                      "--max-connector-silence", "inf")
    assert lagging.returncode == 3
    assert f"lag {CONNECTOR_LAG} > {CONNECTOR_LAG - 1}" in lagging.stdout and traffic.live_connector in lagging.stdout

    dead = _status(health_hub, operator, "--max-lag", "1000000000", "--max-dead-letters", "0",
                   "--max-connector-silence", "inf")
    assert dead.returncode == 3 and "dead letters in the last 60 min > 0" in dead.stdout

    silent = _status(health_hub, operator, "--max-lag", "1000000000", "--max-dead-letters", "1000000000",
                     "--max-connector-silence", "300")
    assert silent.returncode == 3 and f"connector {traffic.quiet_connector} silent for" in silent.stdout
    assert f"connector {traffic.live_connector} silent" not in silent.stdout


def test_status_without_a_hub_exits_one_and_says_so():
    result = subprocess.run([sys.executable, "-m", "lapor_hub.streams.cli", "status"], capture_output=True, text=True,
                            timeout=60, env={**os.environ, "LAPOR_HUB_URL": "http://127.0.0.1:9"})
    assert result.returncode == 1 and "cannot reach the hub" in result.stderr


_SCREENSHOT = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "dashboard.png")


def _shown(page) -> dict:
    """Every number on the page by its overview path, and which overview it was drawn from."""
    return page.evaluate("""() => ({
        rendered: document.body.dataset.rendered,
        fields: Object.fromEntries([...document.querySelectorAll('[data-field]')]
                                   .map(el => [el.dataset.field, el.textContent])),
    })""")


def test_status_without_an_operator_credential_says_how_to_get_one(health_hub, traffic):
    result = subprocess.run([sys.executable, "-m", "lapor_hub.streams.cli", "status"], capture_output=True, text=True,
                            timeout=60, env={**{k: v for k, v in os.environ.items() if k != "LAPOR_HUB_TOKEN"},
                                             "LAPOR_HUB_URL": health_hub.base_url})
    assert result.returncode == 1 and "LAPOR_HUB_TOKEN" in result.stderr and "--role operator" in result.stderr


def test_the_overview_and_metrics_are_for_operators_only(health_hub, traffic):
    officer = bearer(Credentials(health_hub.data_dir).token("dashboard-officer", "agency-officer", "18.10"))
    for path in ("/api/v1/health/overview", "/metrics"):
        assert http("GET", f"{health_hub.base_url}{path}")[0] == 401
        status, body = http("GET", f"{health_hub.base_url}{path}", headers=officer)
        assert status == 403 and "operator" in body["error"]["message"]


def test_the_dashboard_draws_the_overview_in_a_real_browser(health_hub, traffic, tmp_path):
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        requested = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(f"{health_hub.base_url}/dashboard", timeout=30_000)
        # The page holds no data until an operator signs in (the token stays in session storage).
        Credentials(health_hub.data_dir).token("dashboard-operator", "operator")
        page.wait_for_selector("#sign-in:not([hidden])", timeout=30_000)
        page.fill("#username", "dashboard-operator")
        page.fill("#password", "password-dashboard-operator")
        with page.expect_response(lambda r: r.url.endswith("/api/v1/health/overview"), timeout=30_000) as answer:
            page.click("#sign-in button[type=submit]")
        overview = answer.value.json()
        page.wait_for_function("g => document.body.dataset.rendered === String(g)", arg=overview["generated_at"],
                               timeout=30_000)
        shown = _shown(page)
        charts = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('[data-chart]')]
            .map(el => [el.dataset.chart, el.querySelectorAll('svg path[data-series], svg g[data-value]').length]))""")
        tiles = page.eval_on_selector_all(".tile", "els => els.map(e => [e.dataset.connector, e.className])")
        dead_rows = page.eval_on_selector_all("#dead-latest tbody tr", "rows => rows.map(r => r.textContent)")
        page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
        if os.environ.get("LAPOR_UPDATE_SCREENSHOT") == "1":
            page.screenshot(path=_SCREENSHOT, full_page=True)

    assert shown["rendered"] == str(overview["generated_at"]), "the page redrew while being read"
    # Pictures: a line per topic, a bar per funnel stage, lag, tiers, overdue agencies, dead letters.
    assert charts["throughput"] == len(overview["throughput"]["series"]) == 8
    assert charts["funnel"] == 4 and charts["lag"] > 0 and charts["dead-stages"] > 0
    assert charts["tiers"] == len(overview["sla"]["escalations_by_tier"])
    assert charts["overdue"] == len(overview["sla"]["top_overdue_agencies"])
    ratings = overview["sla"]["ratings"]
    assert charts["ratings"] == 5 and ratings["count"] >= 1 and ratings["by_score"][str(RATING)] >= 1
    assert charts["lowest-rated"] == len(ratings["lowest_rated_agencies"]) >= 1
    assert charts["classifications"] == len([n for n in overview["sla"]["by_classification"].values() if n]) >= 2
    # Numbers: exactly the ones in the document the page drew.
    f = shown["fields"]
    assert f["sla.open"] == str(overview["sla"]["open"]) and f["sla.overdue"] == str(overview["sla"]["overdue"])
    assert f["dead_letters.total"] == str(overview["dead_letters"]["total"])
    assert f["ratings.count"] == str(ratings["count"]) and float(f["ratings.average"]) == ratings["average"]
    assert f["worker.events_processed"] == str(overview["worker"]["events_processed"])
    tile = next(c for c in overview["connectors"]["items"] if c["connector_id"] == traffic.live_connector)
    assert f[f"connectors.{traffic.live_connector}.delivered"] == str(tile["delivered"]) == "12"
    assert f[f"connectors.{traffic.quiet_connector}.status"] == "SILENT"
    assert [traffic.live_connector, "tile UP"] in tiles
    for group in overview["lag"]["groups"]:
        assert f[f"lag.{group['group']}.total"] == str(group["total"])
    # The newest dead letters, as many as the page shows (on the shared broker, other tests' may be newer than ours).
    newest = overview["dead_letters"]["latest"][:15]
    assert dead_rows and len(dead_rows) == len(newest)
    assert all(e["stage"] in row and e["error_class"] in row and e["source_topic"] in row
               for row, e in zip(dead_rows, newest, strict=True))
    # Offline by construction: nothing but the hub itself was asked for anything.
    assert requested and all(url.startswith(health_hub.base_url) for url in requested)
    assert (tmp_path / "dashboard.png").stat().st_size > 10_000
