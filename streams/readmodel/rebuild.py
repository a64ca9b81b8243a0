"""Rebuild the read model from the event log: drop it, then replay ``complaints.events``."""

from __future__ import annotations

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from streams import topics
from streams.config import HubSettings
from streams.errors import RetriableError
from streams.readmodel.agent import BATCH_SIZE, projected
from streams.readmodel.model import open_read_model

__all__ = ["rebuild_read_model"]


def rebuild_read_model(settings: HubSettings, url: str) -> int:
    """Replay every event up to the current end of the log into a fresh read model at ``url``."""
    read_model = open_read_model(url)
    read_model.drop_schema()
    read_model.create_schema()
    applied = 0
    try:
        consumer = KafkaConsumer(enable_auto_commit=False, **settings.client_options())
        partitions = [TopicPartition(topics.EVENTS, p) for p in consumer.partitions_for_topic(topics.EVENTS) or ()]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        end = consumer.end_offsets(partitions)
        while any(consumer.position(tp) < end[tp] for tp in partitions):
            for tp, records in consumer.poll(timeout_ms=2000, max_records=BATCH_SIZE).items():
                batch = [projected(r.value, r.headers) for r in records if r.offset < end[tp]]
                applied += read_model.apply(batch)
        consumer.close()
    except KafkaError as exc:
        raise RetriableError(f"reading {topics.EVENTS} failed: {type(exc).__name__}; run the rebuild again") from exc
    finally:
        read_model.dispose()
    return applied
