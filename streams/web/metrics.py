"""``GET /metrics``: Prometheus text format.

Metrics are rendered from the same overview document as ``/api/v1/health/overview``, by a
custom collector over a registry of its own, so a scrape and the dashboard agree. Labels are
topic, partition, consumer group, stage, error class, connector id, agency code and escalation
tier: never a tracking id, a reporter or free text.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

__all__ = ["OverviewCollector", "render_metrics", "METRIC_NAMES"]

#: Every metric family this module exposes (the alert rules and Grafana dashboard use them).
METRIC_NAMES = (
    "lapor_hub_up", "lapor_hub_uptime_seconds", "lapor_hub_assigned_partitions", "lapor_hub_events_processed",
    "lapor_hub_messages_received", "lapor_hub_messages_sent", "lapor_hub_rebalances",
    "lapor_broker_reachable", "lapor_topic_records", "lapor_topic_records_per_second",
    "lapor_consumer_group_lag", "lapor_consumer_group_lag_sum", "lapor_dead_letters",
    "lapor_dead_letters_recent", "lapor_connector_status", "lapor_connector_last_seen_timestamp_seconds",
    "lapor_connector_silence_seconds", "lapor_connector_delivered", "lapor_connector_failed",
    "lapor_connector_receipts", "lapor_complaints_funnel", "lapor_complaints_open", "lapor_complaints_overdue",
    "lapor_complaints_escalated", "lapor_complaints_by_escalation_tier", "lapor_agency_open_complaints",
    "lapor_agency_overdue_complaints", "lapor_sla_index_complaints", "lapor_sla_timer_ticks",
    "lapor_sla_timer_tick_cpu_seconds", "lapor_sla_checks_proposed", "lapor_sla_index_rebuilds",
    "lapor_sla_index_rebuild_cpu_seconds", "lapor_privacy_identities_held", "lapor_privacy_identities_erased",
    "lapor_privacy_keys_missing", "lapor_privacy_retention_runs", "lapor_privacy_retention_last_run_timestamp_seconds",
)
_CONNECTOR_STATES = ("UP", "DEGRADED", "DOWN", "SILENT", "NO_HEARTBEAT")


class OverviewCollector:
    """A prometheus_client collector over one overview document."""

    def __init__(self, overview: dict) -> None:
        self._o = overview

    def collect(self):
        yield from _worker_metrics(self._o["worker"], self._o["broker"])
        yield from _stream_metrics(self._o)
        yield from _connector_metrics(self._o["connectors"]["items"])
        if self._o.get("sla") is not None:
            yield from _sla_metrics(self._o["sla"])
        if self._o.get("privacy") is not None:
            yield from _privacy_metrics(self._o["privacy"])


def render_metrics(overview: dict) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(OverviewCollector(overview))
    return generate_latest(registry)


def _gauge(name: str, doc: str, value: float | None = None, labels: tuple[str, ...] = ()) -> GaugeMetricFamily:
    if labels:
        return GaugeMetricFamily(name, doc, labels=list(labels))
    return GaugeMetricFamily(name, doc, value=value or 0)


def _worker_metrics(worker: dict, broker: dict):
    yield _gauge("lapor_hub_up", "1 while this hub worker answers scrapes.", 1)
    yield _gauge("lapor_hub_uptime_seconds", "Seconds since the worker's stream-health collectors started.",
                 worker["uptime_s"])
    yield _gauge("lapor_hub_assigned_partitions", "Partitions assigned to this worker (active).",
                 worker["assigned_partitions"])
    yield CounterMetricFamily("lapor_hub_events_processed", "Events the worker's agents have processed.",
                              value=worker["events_processed"])
    yield CounterMetricFamily("lapor_hub_messages_received", "Messages the worker's consumer received.",
                              value=worker["messages_received"])
    yield CounterMetricFamily("lapor_hub_messages_sent", "Messages the worker produced.", value=worker["messages_sent"])
    yield CounterMetricFamily("lapor_hub_rebalances", "Consumer group rebalances seen by the worker.",
                              value=worker["rebalances"])
    yield _gauge("lapor_broker_reachable", "1 when the last sampling round reached the Kafka broker.",
                 1 if broker["reachable"] else 0)
    timer = worker.get("sla_timer")
    if timer is not None:
        yield _gauge("lapor_sla_index_complaints", "Complaints of this worker with an SLA action ahead (the index).",
                     timer["indexed"])
        yield CounterMetricFamily("lapor_sla_timer_ticks", "SLA timer ticks that looked at the index.",
                                  value=timer["ticks"])
        yield CounterMetricFamily("lapor_sla_timer_tick_cpu_seconds", "CPU the SLA timer's ticks took "
                                  "(rebuilds apart): per tick it follows the due actions, not the complaints.",
                                  value=timer["tick_cpu_s"])
        yield CounterMetricFamily("lapor_sla_checks_proposed", "SLA checks the timer proposed to the lifecycle.",
                                  value=timer["proposed"])
        yield CounterMetricFamily("lapor_sla_index_rebuilds", "Rebuilds of the SLA index (recovery, rebalances).",
                                  value=timer["rebuilds"])
        yield CounterMetricFamily("lapor_sla_index_rebuild_cpu_seconds", "CPU the SLA index rebuilds took.",
                                  value=timer["rebuild_cpu_s"])


def _stream_metrics(o: dict):
    records = CounterMetricFamily("lapor_topic_records", "Records written to the topic (sum of end offsets); "
                                  "agency topics summed as agency.*.inbox / agency.*.outbox.", labels=["topic"])
    rate = _gauge("lapor_topic_records_per_second", "Write rate over the last sampling interval.",
                  labels=("topic",))
    for series in o["throughput"]["series"]:
        records.add_metric([series["topic"]], series["records_total"])
        rate.add_metric([series["topic"]], series["records_per_second"])
    yield records
    yield rate
    lag = _gauge("lapor_consumer_group_lag", "Records a consumer group has yet to read, per partition "
                 "(hub group: its source topics and any partition with lag).",
                 labels=("group", "kind", "topic", "partition"))
    lag_sum = _gauge("lapor_consumer_group_lag_sum", "Records a consumer group has yet to read, all partitions.",
                     labels=("group", "kind"))
    for group in o["lag"]["groups"]:
        lag_sum.add_metric([group["group"], group["kind"]], group["total"])
        for p in group["partitions"]:
            lag.add_metric([group["group"], group["kind"], p["topic"], str(p["partition"])], p["lag"])
    yield lag
    yield lag_sum
    dead = o["dead_letters"]
    counter = CounterMetricFamily("lapor_dead_letters", "Dead letters read from complaints.deadletter since the "
                                  "worker started (the topic's retained month).", labels=["stage", "error_class"])
    for row in dead["by_stage_and_error_class"]:
        counter.add_metric([row["stage"], row["error_class"]], row["count"])
    yield counter
    yield _gauge("lapor_dead_letters_recent", f"Dead letters in the last {dead['recent_window_s']:g} s.",
                 dead["recent"])


def _connector_metrics(items: list[dict]):
    status = _gauge("lapor_connector_status", "1 for the connector's current status (SILENT: no heartbeat "
                    "within the silence threshold).", labels=("connector", "agency", "status"))
    seen = _gauge("lapor_connector_last_seen_timestamp_seconds", "When the connector's last heartbeat was written.",
                  labels=("connector", "agency"))
    silence = _gauge("lapor_connector_silence_seconds", "Seconds since the connector's last heartbeat.",
                     labels=("connector", "agency"))
    delivered = CounterMetricFamily("lapor_connector_delivered", "Deliveries the connector reported.",
                                    labels=["connector", "agency"])
    failed = CounterMetricFamily("lapor_connector_failed", "Failed deliveries the connector reported.",
                                 labels=["connector", "agency"])
    receipts = CounterMetricFamily("lapor_connector_receipts", "Delivery receipts by status.",
                                   labels=["connector", "agency", "status"])
    for c in items:
        ids = [c["connector_id"], c["agency"]]
        for state in _CONNECTOR_STATES:
            status.add_metric([*ids, state], 1 if c["status"] == state else 0)
        if c["last_seen"] is not None:
            seen.add_metric(ids, c["last_seen"])
            silence.add_metric(ids, c["silent_s"])
        delivered.add_metric(ids, c["delivered"])
        failed.add_metric(ids, c["failed"])
        for receipt_status, count in c["receipts"].items():
            receipts.add_metric([*ids, receipt_status], count)
    yield from (status, seen, silence, delivered, failed, receipts)


def _sla_metrics(sla: dict):
    funnel = _gauge("lapor_complaints_funnel", "Complaints that reached each stage of the funnel.",
                    labels=("stage",))
    for stage, count in sla["funnel"].items():
        funnel.add_metric([stage], count)
    yield funnel
    yield _gauge("lapor_complaints_open", "Complaints not closed or archived.", sla["open"])
    yield _gauge("lapor_complaints_overdue", "Complaints whose holder missed a deadline.", sla["overdue"])
    yield _gauge("lapor_complaints_escalated", "Complaints escalated at least once.", sla["escalated"])
    tiers = _gauge("lapor_complaints_by_escalation_tier", "Complaints by the highest escalation tier reached.",
                   labels=("tier",))
    for tier, count in sla["escalations_by_tier"].items():
        tiers.add_metric([tier], count)
    yield tiers
    open_ = _gauge("lapor_agency_open_complaints", "Open complaints an agency holds.", labels=("agency",))
    overdue = _gauge("lapor_agency_overdue_complaints", "Overdue complaints an agency holds.", labels=("agency",))
    for row in sla["agencies"]:
        open_.add_metric([row["agency"]], row["open"])
        overdue.add_metric([row["agency"]], row["overdue"])
    yield open_
    yield overdue


def _privacy_metrics(privacy: dict):
    """Counts of the key store and the retention policy: no tracking id, no person."""
    yield _gauge("lapor_privacy_identities_held", "Complaints whose sealed identity can still be opened.",
                 privacy["complaints_with_keys"])
    erased = _gauge("lapor_privacy_identities_erased", "Identities erased, by reason (request, retention).",
                    labels=("reason",))
    for reason, n in sorted(privacy["erased_by_reason"].items()):
        erased.add_metric([reason], n)
    yield erased
    yield _gauge("lapor_privacy_keys_missing", "Openings refused on this worker because the key store had lost "
                 "the data key.", privacy["keys_missing"])
    retention = privacy.get("retention") or {}
    yield _gauge("lapor_privacy_retention_runs", "Runs of the retention policy on this worker.",
                 retention.get("runs", 0))
    yield _gauge("lapor_privacy_retention_last_run_timestamp_seconds", "When the retention policy last ran here.",
                 retention.get("last_run_at") or 0)
