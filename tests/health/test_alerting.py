"""The Prometheus rules, scrape config and Grafana dashboard parse and name only real metrics.

promtool is not available here: the files are parsed, and every ``lapor_*`` name in an
expression must be a sample name that ``/metrics`` really serves.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from prometheus_client.parser import text_string_to_metric_families

from lapor_hub.streams.web.metrics import render_metrics
from tests.health.samples import sample_overview

ROOT = Path(__file__).resolve().parents[2]
_METRIC = re.compile(r"\blapor_[a-z_]+\b")


def _served_sample_names() -> set[str]:
    text = render_metrics(sample_overview()).decode()
    return {s.name for family in text_string_to_metric_families(text) for s in family.samples}


def test_alert_rules_are_complete_and_use_served_metrics():
    rules = yaml.safe_load((ROOT / "docker/prometheus/alerts.yml").read_text())
    alerts = [rule for group in rules["groups"] for rule in group["rules"]]
    names = {rule["alert"] for rule in alerts}
    assert {"LaporHubWorkerDown", "LaporConsumerLagHigh", "LaporDeadLettersRate", "LaporConnectorSilent",
            "LaporAgencyOverdueComplaints"} <= names
    served = _served_sample_names()
    for rule in alerts:
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}, rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]
        used = set(_METRIC.findall(rule["expr"]))
        assert used <= served, f"{rule['alert']} uses metrics /metrics does not serve: {used - served}"
        assert used or "up{" in rule["expr"], rule["alert"]


def test_the_scrape_config_loads_the_rules_and_scrapes_the_hub():
    config = yaml.safe_load((ROOT / "docker/prometheus/prometheus.yml").read_text())
    assert config["rule_files"] == ["alerts.yml"]
    [job] = config["scrape_configs"]
    assert job["job_name"] == "lapor-hub"
    # Each worker's /metrics through the proxy: /<worker>/metrics (tests/docker checks the routes).
    assert {"source_labels": ["worker"], "target_label": "__metrics_path__", "replacement": "/$1/metrics"} \
        in job["relabel_configs"]


def test_the_grafana_dashboard_draws_served_metrics_in_every_panel():
    dashboard = json.loads((ROOT / "docker/grafana/lapor-hub-stream-health.json").read_text())
    served = _served_sample_names()
    assert len(dashboard["panels"]) >= 10
    for panel in dashboard["panels"]:
        used = {name for target in panel["targets"] for name in _METRIC.findall(target["expr"])}
        assert used and used <= served, f"{panel['title']}: {used - served}"
