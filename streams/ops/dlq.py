"""Operators' tools for ``complaints.deadletter``: list what failed and why, replay after a fix.

Replay sends each dead letter's original key, payload and headers back to the topic it came
from, so it takes the normal path again; consumers are idempotent, so a record replayed twice
changes nothing. A consumer group remembers how far replay got.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError

from lapor_hub.errors import RetriableError
from lapor_hub.schemas import decode
from lapor_hub.streams.core import topics
from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.core.deadletter import ORIGINAL_PREFIX
from lapor_hub.streams.core.logread import assign_whole_topic, records_until_end

__all__ = ["DeadLetterEntry", "read_dead_letters", "replay_dead_letters", "REPLAY_GROUP"]

REPLAY_GROUP = "lapor-hub.dlq-replay"
_POLL_MS = 2000


@dataclass(frozen=True)
class DeadLetterEntry:
    offset: int
    partition: int
    failed_at: datetime
    source_topic: str
    source_partition: int
    source_offset: int
    stage: str
    error_class: str
    reason: str
    key: bytes | None
    payload: bytes
    original_headers: tuple[tuple[str, bytes], ...]


def _entries(consumer: KafkaConsumer) -> Iterator[DeadLetterEntry]:
    """Every dead letter up to the end offsets at the time of the call."""
    for record in records_until_end(consumer, poll_ms=_POLL_MS):
        _, value = decode(record.value)
        original = tuple((k[len(ORIGINAL_PREFIX):], v) for k, v in record.headers or ()
                         if k.startswith(ORIGINAL_PREFIX))
        yield DeadLetterEntry(
            record.offset, record.partition, value["failed_at"], value["source_topic"],
            value["source_partition"], value["source_offset"], value["stage"], value["error_class"],
            value["reason"], value["key"], value["payload"], original)


def read_dead_letters(settings: HubSettings) -> list[DeadLetterEntry]:
    try:
        consumer = KafkaConsumer(enable_auto_commit=False, **settings.client_options())
        consumer.seek_to_beginning(*assign_whole_topic(consumer, topics.DEADLETTER))
        try:
            return list(_entries(consumer))
        finally:
            consumer.close()
    except KafkaError as exc:
        raise RetriableError(f"cannot read {topics.DEADLETTER} from {settings.broker}: {type(exc).__name__}") from exc


def replay_dead_letters(settings: HubSettings, *, stage: str | None = None, source_topic: str | None = None,
                        dry_run: bool = False) -> list[DeadLetterEntry]:
    """Send the dead letters not replayed before back to their source topics; returns them."""
    try:
        consumer = KafkaConsumer(group_id=REPLAY_GROUP, enable_auto_commit=False, auto_offset_reset="earliest",
                                 **settings.client_options())
        for tp in assign_whole_topic(consumer, topics.DEADLETTER):
            committed = consumer.committed(tp)
            if committed is None:
                consumer.seek_to_beginning(tp)
        producer = None if dry_run else KafkaProducer(acks="all", **settings.client_options())
        replayed = []
        try:
            for entry in _entries(consumer):
                if (stage and entry.stage != stage) or (source_topic and entry.source_topic != source_topic):
                    continue
                replayed.append(entry)
                if producer is not None:
                    producer.send(entry.source_topic, key=entry.key, value=entry.payload,
                                  headers=list(entry.original_headers)).get(timeout=30)
            if producer is not None:
                producer.flush()
                if not (stage or source_topic):
                    # A filtered replay leaves the others for later, so it does not move the group.
                    consumer.commit()
        finally:
            consumer.close()
            if producer is not None:
                producer.close()
        return replayed
    except KafkaError as exc:
        raise RetriableError(f"replaying dead letters failed: {type(exc).__name__}; nothing was committed, "
                             "run the replay again") from exc
