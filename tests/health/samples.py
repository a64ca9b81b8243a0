"""An overview document built from plain values, as the collectors would have it."""

from __future__ import annotations

from lapor_hub.streams.core import topics
from lapor_hub.streams.health.connectors import ConnectorBoard
from lapor_hub.streams.health.deadletters import DeadLetterTally, entry_from_headers
from lapor_hub.streams.health.lag import group_lag
from lapor_hub.streams.health.overview import build_overview, worker_snapshot
from lapor_hub.streams.health.sampler import SamplerState
from lapor_hub.streams.health.throughput import OffsetSample, ThroughputWindow

__all__ = ["NOW", "sample_overview"]

NOW = 1_700_000_000.0


def sample_overview(*, broker: bool = True, assigned: int = 3, lag: int = 3, connector_seen_ago: float = 10.0) -> dict:
    window = ThroughputWindow()
    window.add(OffsetSample(0.0, NOW - 5, {topics.INTAKE: 100, topics.EVENTS: 40}))
    window.add(OffsetSample(5.0, NOW, {topics.INTAKE: 150, topics.EVENTS: 60}))
    end = {(topics.INTAKE, 0): 75, (topics.INTAKE, 1): 75, ("agency.18.10.outbox", 0): 9, ("agency.18.10.inbox", 0): 20}
    groups = (
        group_lag("lapor-hub", "hub", {(topics.INTAKE, 0): 75, (topics.INTAKE, 1): 75, ("agency.18.10.outbox", 0): 9},
                  end, {}, subscribed=[(topics.INTAKE, 0), (topics.INTAKE, 1), ("agency.18.10.outbox", 0)]),
        group_lag("lapor-connect.pringsewu-sipp-1", "connector", {("agency.18.10.inbox", 0): 20 - lag}, end, {}),
    )
    sla = {"funnel": {"received": 32, "dispositioned": 32, "followed_up": 30, "closed": 30},
           "by_status": {"closed": 30, "dispositioned": 2}, "open": 2, "overdue": 2, "escalated": 2,
           "escalations_by_tier": {"1": 1, "2": 1},
           "top_overdue_agencies": [{"agency": "18.10", "name": "KAB. PRINGSEWU", "open": 2, "overdue": 2}],
           "agencies": [{"agency": "18.10", "name": "KAB. PRINGSEWU", "open": 2, "overdue": 2}]}
    state = SamplerState(broker_reachable=broker, broker_error=None if broker else "NoBrokersAvailable",
                         sampled_at=NOW, groups=groups, connector_groups=("lapor-connect.pringsewu-sipp-1",),
                         sla=sla, sla_sampled_at=NOW,
                         throughput={"totals": window.latest_totals(), "rates": window.rates(),
                                     "history": window.history(), "interval_s": 5.0})
    tally = DeadLetterTally()
    tally.add(entry_from_headers([("lapor-stage", b"intake"), ("lapor-error-class", b"SerializationError"),
                                  ("lapor-reason", b"unknown magic byte 7"),
                                  ("lapor-source-topic", b"complaints.intake"), ("lapor-source-partition", b"0"),
                                  ("lapor-source-offset", b"12")], int((NOW - 60) * 1000)))
    board = ConnectorBoard()
    board.observe("ConnectorHeartbeat", {"connector_id": "pringsewu-sipp-1", "agency": "18.10",
                                         "connector_type": "sql", "status": "UP", "delivered": 42, "failed": 1,
                                         "polled": 17, "lag": 0}, int((NOW - connector_seen_ago) * 1000))
    board.observe("DeliveryReceipt", {"connector_id": "pringsewu-sipp-1", "agency": "18.10", "status": "DELIVERED"},
                  int((NOW - connector_seen_ago) * 1000))
    worker = worker_snapshot(app_id="lapor-hub", uptime_s=123.4,
                             assigned=[(topics.INTAKE, p) for p in range(assigned)], events_processed=500,
                             messages_received=510, messages_sent=490, rebalances=1,
                             sla_timer={"ticks": 40, "tick_cpu_s": 0.02, "proposed": 3, "rebuilds": 1,
                                        "rebuild_cpu_s": 0.5, "indexed": 1200})
    return build_overview(now=NOW, worker=worker, sampler=state, dead_letters=tally.snapshot(NOW),
                          connectors=board.snapshot(NOW, silence_after_s=120.0), silence_after_s=120.0,
                          feed_caught_up=True, privacy=_privacy())


def _privacy() -> dict:
    """The privacy panel of a worker whose key store holds one identity and erased two (one by retention)."""
    import dataclasses
    import os

    from lapor_hub.streams.privacy import Erasure, IdentityVault, LocalKek
    from lapor_hub.streams.privacy.keybook import erasure_record, key_record
    from lapor_hub.streams.privacy.retention import RetentionFigures

    vault = IdentityVault(LocalKek(os.urandom(32)))
    sealing = vault.prepare({"reporter": {"name": "Siti Rahayu"}}, "LPR-20261128-9QAWP8RN")
    assert sealing.key is not None
    vault.book.read(*key_record(sealing.key))
    vault.book.read(*erasure_record(Erasure("LPR-20261101-AAAAAAAA", NOW - 60, "request")))
    vault.book.read(*erasure_record(Erasure("LPR-20251101-BBBBBBBB", NOW - 30, "retention")))
    retention = RetentionFigures(365, 3600.0, runs=4, last_run_at=NOW - 30, last_erased=1, erased=1)
    return {**vault.overview(), "retention": dataclasses.asdict(retention)}
