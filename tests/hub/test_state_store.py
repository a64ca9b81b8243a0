"""The lifecycle's state on disk (RocksDB): restored once, kept across restarts, nothing skipped around a recovery."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

from lapor_hub.streams.core import topics
from lapor_hub.streams.directory import default_directory
from lapor_hub.streams.intake.submission import partition_of
from lapor_hub.streams.lifecycle import LifecycleContext
from lapor_hub.streams.lifecycle.store import STATE_TABLE, SUBMISSION_TABLE
from lapor_hub.streams.ops.bench.history import HistoryMix, NationalHistory
from lapor_hub.streams.ops.bench.workload import WorkloadGenerator
from tests.hub.harness import start_hub, wait_for

pytestmark = pytest.mark.kafka

PARTITIONS = 2  # as the hub_topics fixture creates them
HISTORY = 30_000


def _changelog(app_id: str, table: str) -> str:
    return f"{app_id}-{table}-changelog"


def _write_history(bootstrap: str, app_id: str, count: int) -> None:
    """A history in both tables' changelogs, as a worker of ``app_id`` would have left them."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic(_changelog(app_id, t), PARTITIONS, 1, topic_configs={"cleanup.policy": "compact"})
                         for t in (STATE_TABLE, SUBMISSION_TABLE)])
    admin.close()
    history = NationalHistory(datetime.now(UTC), context=LifecycleContext(directory=default_directory()),
                              mix=HistoryMix(recent_templates=60, old_templates=20))
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20, batch_size=1 << 20)
    for complaint in history.complaints(count):
        partition = partition_of(complaint.key, PARTITIONS)
        producer.send(_changelog(app_id, STATE_TABLE), key=complaint.key, value=complaint.state, partition=partition)
        producer.send(_changelog(app_id, SUBMISSION_TABLE), key=complaint.key, value=complaint.submission,
                      partition=partition)
    producer.flush()
    producer.close()


def _submit(bootstrap: str, count: int) -> list[bytes]:
    """Submissions straight onto ``complaints.intake``, as a channel's producer writes them."""
    generator = WorkloadGenerator(seed=uuid.uuid4().int % 10_000)
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    keys = []
    for submission in generator.submissions(count):
        producer.send(topics.INTAKE, key=submission.key, value=submission.value, headers=submission.headers)
        keys.append(submission.key)
    producer.flush()
    producer.close()
    return keys


def _stored_keys(bootstrap: str, app_id: str) -> set[bytes]:
    """Tracking ids this worker stored a state for: its own changelog, so no other test's worker counts."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    partitions = [TopicPartition(_changelog(app_id, STATE_TABLE), p) for p in range(PARTITIONS)]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    ends = consumer.end_offsets(partitions)
    keys: set[bytes] = set()
    while any(consumer.position(tp) < ends[tp] for tp in partitions):
        for records in consumer.poll(timeout_ms=500).values():
            keys.update(record.key for record in records)
    consumer.close()
    return keys


def _recovery_starts(log: str) -> list[int]:
    """The offsets of Faust's "Reading Starts At - Active" tables in a worker's log."""
    offsets, inside = [], False
    for line in log.splitlines():
        if "Reading Starts At - Active" in line:
            inside = True
        elif inside and line.startswith("|"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            if len(cells) == 3 and cells[2].lstrip("-").isdigit():
                offsets.append(int(cells[2]))
        elif inside and line.startswith("+") and offsets:
            inside = False
    return offsets


def test_submissions_waiting_before_a_first_start_with_a_large_table_to_restore_are_all_decided(
        kafka_broker, hub_topics, tmp_path):
    """A new group restoring a large table must not skip what was fetched before its partitions paused."""
    app_id = f"hub-test-store-{uuid.uuid4().hex[:8]}"
    bootstrap = kafka_broker.bootstrap
    _write_history(bootstrap, app_id, HISTORY)
    waiting = _submit(bootstrap, 12)
    hub = start_hub(bootstrap, tmp_path / "hub", app_id=app_id)
    try:
        wait_for(lambda: set(waiting) <= _stored_keys(bootstrap, app_id), timeout=120,
                 what="every waiting submission decided by the new worker")
    finally:
        assert hub.stop() == 0, hub.log()[-3000:]


def test_a_restarted_worker_keeps_its_store_and_reads_back_only_what_it_missed(kafka_broker, hub_topics, tmp_path):
    app_id = f"hub-test-store-{uuid.uuid4().hex[:8]}"
    bootstrap = kafka_broker.bootstrap
    _write_history(bootstrap, app_id, 5_000)
    data_dir = tmp_path / "hub"
    hub = start_hub(bootstrap, data_dir, app_id=app_id)
    assert hub.stop() == 0, hub.log()[-3000:]
    assert any((data_dir / "faust").rglob("*.sst")), "the state was not kept on disk"
    missed = _submit(bootstrap, 4)  # decided by the restarted worker, read from the commands it missed
    hub = start_hub(bootstrap, data_dir, app_id=app_id)
    try:
        wait_for(lambda: set(missed) <= _stored_keys(bootstrap, app_id), timeout=120,
                 what="the submissions made while the worker was down")
        # Faust logs where each changelog partition's recovery starts reading: -1 is "from the beginning".
        assert _recovery_starts(hub.log()), "the restart logged no recovery"
        assert all(offset >= 0 for offset in _recovery_starts(hub.log())), "the restart read a changelog from 0"
    finally:
        assert hub.stop() == 0, hub.log()[-3000:]
