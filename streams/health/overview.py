"""The overview document: everything the dashboard, ``/metrics`` and ``lapor-hub status`` show,
assembled from the collectors' latest values. Pure: tests build one from plain values.

``/metrics`` is rendered from this same document, so the API and Prometheus never disagree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from lapor_hub.streams.core import topics
from lapor_hub.streams.health.lag import GroupLag, connector_of_group
from lapor_hub.streams.health.sampler import SamplerState
from lapor_hub.streams.health.throughput import THROUGHPUT_SERIES, series_of

__all__ = ["build_overview", "worker_snapshot", "assigned_by_series"]

_HUB_SOURCES = (topics.INTAKE, topics.COMMANDS, topics.EVENTS)


def assigned_by_series(assigned: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Assigned partitions counted per throughput series (agency topics summed), others by name."""
    counts: Counter[str] = Counter(series_of(topic) or topic for topic, _ in assigned)
    return dict(sorted(counts.items()))


def worker_snapshot(*, app_id: str, uptime_s: float, assigned: Iterable[tuple[str, int]], events_processed: int,
                    messages_received: int, messages_sent: int, rebalances: int,
                    sla_timer: dict | None = None) -> dict:
    assigned = list(assigned)
    return {
        "app_id": app_id, "uptime_s": round(uptime_s, 1), "assigned_partitions": len(assigned),
        "assigned_by_topic": assigned_by_series(assigned), "events_processed": events_processed,
        "messages_received": messages_received, "messages_sent": messages_sent, "rebalances": rebalances,
        # The SLA timer of this worker: ticks, their CPU, checks proposed, the index of due complaints.
        "sla_timer": sla_timer,
    }


def _group_json(group: GroupLag) -> dict:
    # The hub reads ~680 outboxes; an idle one at lag 0 tells an operator nothing.
    partitions = [p for p in group.partitions
                  if group.kind != "hub" or p.lag > 0 or p.topic in _HUB_SOURCES]
    return {
        "group": group.group, "kind": group.kind, "connector_id": connector_of_group(group.group),
        "total": group.total, "max": group.max, "partitions_tracked": len(group.partitions),
        "partitions": [{"topic": p.topic, "partition": p.partition, "committed": p.committed, "end": p.end,
                        "lag": p.lag} for p in partitions],
    }


def _throughput_json(throughput: dict) -> dict:
    totals, rates, history = (throughput.get(k, {}) for k in ("totals", "rates", "history"))
    return {
        "interval_s": throughput.get("interval_s"),
        "series": [{"topic": s, "records_total": totals.get(s, 0), "records_per_second": rates.get(s, 0.0),
                    "history": [[round(t, 3), r] for t, r in history.get(s, [])]} for s in THROUGHPUT_SERIES],
    }


def build_overview(*, now: float, worker: dict, sampler: SamplerState, dead_letters: dict,
                   connectors: list[dict], silence_after_s: float, feed_caught_up: bool,
                   privacy: dict | None = None) -> dict:
    lag_by_connector = {connector_of_group(g.group): g for g in sampler.groups if g.kind == "connector"}
    tiles = []
    for tile in connectors:
        group = lag_by_connector.get(tile["connector_id"])
        tiles.append({**tile, "group_lag": None if group is None else group.total})
    receipts: Counter[str] = Counter()
    for tile in connectors:
        receipts.update(tile["receipts"])
    sla = sampler.sla
    return {
        "generated_at": round(now, 3),
        "worker": worker,
        "broker": {"reachable": sampler.broker_reachable, "error": sampler.broker_error,
                   "sampled_at": sampler.sampled_at},
        "throughput": _throughput_json(sampler.throughput),
        "lag": {"groups": [_group_json(g) for g in sampler.groups]},
        "dead_letters": dead_letters,
        "connectors": {"silence_after_s": silence_after_s, "caught_up": feed_caught_up, "items": tiles,
                       "receipts": dict(sorted(receipts.items()))},
        "sla": None if sla is None else {**sla, "sampled_at": sampler.sla_sampled_at},
        "sla_error": sampler.sla_error,
        # Counts only (keys held, erasures, retention runs): never a tracking id or a person.
        "privacy": privacy,
    }
