"""The overview document, its Prometheus rendering, readiness and the status thresholds."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from lapor_hub.streams.cli.health import Thresholds, check_thresholds
from lapor_hub.streams.core import topics
from lapor_hub.streams.web.metrics import METRIC_NAMES, render_metrics
from lapor_hub.streams.web.probes import Readiness
from tests.health.samples import sample_overview

#: Every label a metric may carry; none can hold a tracking id, a reporter or free text.
_ALLOWED_LABELS = {"topic", "partition", "group", "kind", "stage", "error_class", "connector", "agency", "status",
                   "tier", "reason"}


def _samples(overview: dict) -> dict[tuple[str, frozenset], float]:
    text = render_metrics(overview).decode()
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_the_overview_shows_rates_lag_dead_letters_connectors_and_sla_together():
    o = sample_overview()
    intake = next(s for s in o["throughput"]["series"] if s["topic"] == topics.INTAKE)
    assert (intake["records_total"], intake["records_per_second"]) == (150, 10.0)
    hub, connector = o["lag"]["groups"]
    # The hub's idle outbox partition at lag 0 is tracked but not listed; its source topics are.
    assert hub["partitions_tracked"] == 3 and [p["topic"] for p in hub["partitions"]] == [topics.INTAKE] * 2
    assert (connector["connector_id"], connector["total"]) == ("pringsewu-sipp-1", 3)
    [tile] = o["connectors"]["items"]
    assert (tile["status"], tile["group_lag"], tile["delivered"]) == ("UP", 3, 42)
    assert o["connectors"]["receipts"] == {"DELIVERED": 1}
    assert o["dead_letters"]["recent"] == 1 and o["dead_letters"]["by_stage"] == {"intake": 1}
    assert o["sla"]["escalations_by_tier"] == {"1": 1, "2": 1} and o["worker"]["assigned_partitions"] == 3


def test_metrics_carry_the_overview_values_under_safe_labels_only():
    o = sample_overview()
    samples = _samples(o)
    assert samples[("lapor_topic_records_total", frozenset({("topic", topics.INTAKE)}))] == 150
    assert samples[("lapor_topic_records_per_second", frozenset({("topic", topics.INTAKE)}))] == 10.0
    assert samples[("lapor_consumer_group_lag_sum", frozenset({("group", "lapor-connect.pringsewu-sipp-1"),
                                                              ("kind", "connector")}))] == 3
    assert samples[("lapor_dead_letters_total", frozenset({("stage", "intake"),
                                                           ("error_class", "SerializationError")}))] == 1
    assert samples[("lapor_connector_status", frozenset({("connector", "pringsewu-sipp-1"), ("agency", "18.10"),
                                                         ("status", "UP")}))] == 1
    assert samples[("lapor_connector_status", frozenset({("connector", "pringsewu-sipp-1"), ("agency", "18.10"),
                                                         ("status", "SILENT")}))] == 0
    assert samples[("lapor_complaints_funnel", frozenset({("stage", "followed_up")}))] == 30
    assert samples[("lapor_complaints_by_escalation_tier", frozenset({("tier", "2")}))] == 1
    assert samples[("lapor_agency_overdue_complaints", frozenset({("agency", "18.10")}))] == 2
    assert samples[("lapor_hub_events_processed_total", frozenset())] == 500
    assert samples[("lapor_sla_index_complaints", frozenset())] == 1200
    assert samples[("lapor_sla_timer_tick_cpu_seconds_total", frozenset())] == 0.02
    assert samples[("lapor_privacy_identities_held", frozenset())] == 1
    assert samples[("lapor_privacy_identities_erased", frozenset({("reason", "retention")}))] == 1
    assert samples[("lapor_privacy_retention_runs", frozenset())] == 4
    assert {label for _, labels in samples for label, _ in labels} <= _ALLOWED_LABELS
    families = {f.name for f in text_string_to_metric_families(render_metrics(o).decode())}
    assert families == set(METRIC_NAMES)


def test_ready_needs_every_condition_and_says_what_is_missing():
    everything = dict(running=True, broker=True, partitions=True, tables=True, writer=True, idempotency=True,
                      data_keys=True, read_model=True)
    assert Readiness(**everything).ready and Readiness(**everything).reasons == []
    missing = Readiness(**{**everything, "broker": False, "tables": False, "read_model": False})
    assert not missing.ready
    assert [r.split()[-1] for r in missing.reasons] == ["unreachable", "changelog", "complaints.events"]
    assert missing.as_json()["checks"]["tables"] is False and missing.as_json()["ready"] is False
    stopping = Readiness(**{**everything, "running": False})
    assert not stopping.ready and stopping.reasons == ["the worker is stopping or has crashed; it takes no more work"]


def test_status_thresholds_name_what_failed():
    assert check_thresholds(sample_overview(), Thresholds()) == []
    failures = check_thresholds(sample_overview(broker=False, assigned=0, lag=5, connector_seen_ago=600),
                                Thresholds(max_lag=4, max_dead_letters=0, max_connector_silence=300))
    assert len(failures) == 5
    assert "broker unreachable" in failures[0] and "no partitions" in failures[1]
    assert "lag 5 > 4 on agency.18.10.inbox[0]" in failures[2]
    assert "1 dead letters" in failures[3] and "pringsewu-sipp-1 silent for 600 s" in failures[4]


def test_the_privacy_panel_and_metrics_name_no_complaint_and_no_person():
    o = sample_overview()
    assert o["privacy"]["erased_by_reason"] == {"request": 1, "retention": 1}
    shown = repr(o["privacy"]) + render_metrics(o).decode()
    assert "LPR-" not in shown and "Siti" not in shown
