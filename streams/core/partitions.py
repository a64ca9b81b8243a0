"""The partitions of a topic, for aiokafka consumers that assign them by hand."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

__all__ = ["all_partitions"]


async def all_partitions(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    """Every partition of ``topic``; KafkaError when the topic does not exist (yet).

    aiokafka's ``partitions_for_topic`` knows only topics the consumer already tracks, so the
    metadata is fetched here (aiokafka is pinned: see README, "Why these libraries").
    """
    cluster = await consumer._client.fetch_all_metadata()
    partitions = cluster.partitions_for_topic(topic)
    if not partitions:
        raise KafkaError(f"{topic} does not exist yet: create the topics with `lapor-hub topics init`")
    return [TopicPartition(topic, p) for p in sorted(partitions)]
