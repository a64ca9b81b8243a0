"""The stream-health aggregation, without Kafka: throughput, lag, dead letters, connectors."""

from __future__ import annotations

from lapor_hub.streams.core import topics
from lapor_hub.streams.health.connectors import NEVER_SEEN, SILENT, ConnectorBoard
from lapor_hub.streams.health.deadletters import DeadLetterTally, entry_from_headers
from lapor_hub.streams.health.lag import connector_of_group, group_lag, partition_lags
from lapor_hub.streams.health.throughput import (
    AGENCY_INBOXES,
    AGENCY_OUTBOXES,
    THROUGHPUT_SERIES,
    OffsetSample,
    ThroughputWindow,
    series_of,
    sum_by_series,
)


def test_agency_topics_are_summed_into_inboxes_and_outboxes_and_other_topics_are_left_out():
    assert series_of("agency.18.10.inbox") == AGENCY_INBOXES
    assert series_of("agency.KEMENKES.outbox") == AGENCY_OUTBOXES
    assert series_of(topics.INTAKE) == topics.INTAKE
    assert series_of("lapor-hub-complaint-state-changelog") is None
    totals = sum_by_series({("agency.18.10.inbox", 0): 5, ("agency.18.inbox", 0): 7, (topics.INTAKE, 0): 3,
                            (topics.INTAKE, 1): 4, ("unrelated", 0): 100})
    assert totals[AGENCY_INBOXES] == 12 and totals[topics.INTAKE] == 7
    assert set(totals) == set(THROUGHPUT_SERIES) and totals[topics.DEADLETTER] == 0


def test_throughput_is_records_written_per_second_between_samples():
    window = ThroughputWindow(size=3)
    assert window.rates()[topics.INTAKE] == 0.0  # one sample or none: no rate yet
    window.add(OffsetSample(100.0, 1000.0, {topics.INTAKE: 10}))
    window.add(OffsetSample(105.0, 1005.0, {topics.INTAKE: 60}))
    window.add(OffsetSample(104.0, 1004.0, {topics.INTAKE: 0}))  # out of order: ignored
    window.add(OffsetSample(110.0, 1010.0, {topics.INTAKE: 60}))
    assert window.history()[topics.INTAKE] == [(1005.0, 10.0), (1010.0, 0.0)]
    assert window.rates()[topics.INTAKE] == 0.0
    window.add(OffsetSample(112.0, 1012.0, {topics.INTAKE: 0}))  # topic re-created: no negative traffic
    assert window.rates()[topics.INTAKE] == 0.0
    assert len(window) == 3  # the ring buffer keeps the last three samples
    assert window.latest_totals()[topics.INTAKE] == 0


def test_lag_is_end_minus_committed_and_uncommitted_partitions_count_from_the_earliest_offset():
    end = {("a", 0): 10, ("a", 1): 5, ("b", 0): 7}
    lags = partition_lags({("a", 0): 4, ("a", 1): 9}, end, {("b", 0): 2}, subscribed=[("b", 0), ("gone", 0)])
    assert [(p.topic, p.partition, p.committed, p.lag) for p in lags] == [
        ("a", 0, 4, 6), ("a", 1, 9, 0), ("b", 0, None, 5)]  # past the end: 0; unknown end: left out
    group = group_lag("lapor-connect.pringsewu-sipp-1", "connector", {("a", 0): 4}, end, {})
    assert (group.total, group.max) == (6, 6)
    assert connector_of_group(group.group) == "pringsewu-sipp-1"
    assert connector_of_group("lapor-hub") is None


def _dead_letter_headers(stage="intake", error_class="SerializationError", reason="unknown magic byte 7"):
    return [("ce_id", b"x"), ("lapor-source-topic", b"complaints.intake"), ("lapor-source-partition", b"1"),
            ("lapor-source-offset", b"42"), ("lapor-stage", stage.encode()),
            ("lapor-error-class", error_class.encode()), ("lapor-reason", reason.encode()),
            ("lapor-original-ce_subject", b"LAP-20240311-0001"), ("lapor-original-x-reporter", b"081234567890")]


def test_a_dead_letter_keeps_only_stage_class_reason_and_source_never_the_original_headers():
    entry = entry_from_headers(_dead_letter_headers(reason="r" * 1000), 1_700_000_000_000)
    assert (entry.stage, entry.error_class, entry.source_topic, entry.source_partition, entry.source_offset) == (
        "intake", "SerializationError", "complaints.intake", 1, 42)
    assert len(entry.reason) == 300 and entry.failed_at == 1_700_000_000.0
    assert "081234567890" not in str(entry.as_json()) and "LAP-20240311" not in str(entry.as_json())
    bare = entry_from_headers([], 0)
    assert (bare.stage, bare.error_class, bare.source_partition) == ("unknown", "unknown", None)


def test_dead_letters_are_counted_by_stage_and_error_class_with_the_newest_first():
    tally = DeadLetterTally(latest=2)
    tally.add(entry_from_headers(_dead_letter_headers(), 1_000_000))
    tally.add(entry_from_headers(_dead_letter_headers(stage="outbox"), 3_000_000))
    tally.add(entry_from_headers(_dead_letter_headers(error_class="ForgedUpdate"), 2_000_000))
    snap = tally.snapshot(now=3_100.0, recent_window_s=1_500.0)
    assert snap["total"] == 3 and snap["recent"] == 2  # failed at 2000 s and 3000 s
    assert snap["by_stage"] == {"intake": 2, "outbox": 1}
    assert snap["by_error_class"] == {"SerializationError": 2, "ForgedUpdate": 1}
    assert {"stage": "intake", "error_class": "ForgedUpdate", "count": 1} in snap["by_stage_and_error_class"]
    assert [e["failed_at"] for e in snap["latest"]] == [3000.0, 2000.0]  # only the latest two are kept


def _heartbeat(status="UP", delivered=3, failed=1, connector_id="pringsewu-sipp-1"):
    return {"connector_id": connector_id, "agency": "18.10", "connector_type": "sql", "status": status,
            "delivered": delivered, "failed": failed, "polled": 2, "lag": 4}


def test_connector_heartbeats_add_up_and_the_latest_status_wins_until_the_connector_falls_silent():
    board = ConnectorBoard()
    board.observe("ConnectorHeartbeat", _heartbeat(), 100_000)
    board.observe("ConnectorHeartbeat", _heartbeat(status="DEGRADED", delivered=2, failed=0), 130_000)
    board.observe("DeliveryReceipt", {"connector_id": "pringsewu-sipp-1", "agency": "18.10", "status": "DELIVERED"},
                  131_000)
    board.observe("DeliveryReceipt", {"connector_id": "pringsewu-sipp-1", "status": "REJECTED"}, 132_000)
    board.observe("ConnectorHeartbeat", {"agency": "18.10"}, 133_000)  # no connector id: nothing to show
    board.know("kemenkes-simpel")
    [known, tile] = board.snapshot(now=140.0, silence_after_s=120.0)  # sorted by connector id
    assert (tile["connector_id"], tile["status"], tile["delivered"], tile["failed"], tile["heartbeats"]) == (
        "pringsewu-sipp-1", "DEGRADED", 5, 1, 2)
    assert tile["silent_s"] == 10.0 and tile["receipts"] == {"DELIVERED": 1, "REJECTED": 1}
    assert (known["connector_id"], known["status"], known["last_seen"]) == ("kemenkes-simpel", NEVER_SEEN, None)
    [_, late] = board.snapshot(now=251.0, silence_after_s=120.0)
    assert (late["status"], late["reported_status"]) == (SILENT, "DEGRADED")
