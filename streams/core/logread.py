"""Reading a topic up to where it ends now: the dead-letter tools and the read-model rebuild."""

from __future__ import annotations

from collections.abc import Iterator

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

__all__ = ["assign_whole_topic", "records_until_end"]


def assign_whole_topic(consumer: KafkaConsumer, topic: str) -> list[TopicPartition]:
    """Assign every partition of ``topic`` to ``consumer`` (no group rebalancing involved)."""
    partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
    consumer.assign(partitions)
    return partitions


def records_until_end(consumer: KafkaConsumer, *, poll_ms: int = 2000,
                      max_records: int | None = None) -> Iterator[ConsumerRecord]:
    """Every record from the consumer's positions up to the end offsets as they are at the call."""
    partitions = list(consumer.assignment())
    end = consumer.end_offsets(partitions)
    while any(consumer.position(tp) < end[tp] for tp in partitions):
        for tp, records in consumer.poll(timeout_ms=poll_ms, max_records=max_records).items():
            yield from (record for record in records if record.offset < end[tp])
