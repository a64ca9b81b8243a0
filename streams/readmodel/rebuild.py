"""Rebuild the read model from the event log: drop it, then replay ``complaints.events``."""

from __future__ import annotations

from kafka import KafkaConsumer
from kafka.errors import KafkaError

from lapor_hub.errors import RetriableError
from lapor_hub.streams.core import topics
from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.core.logread import assign_whole_topic, records_until_end
from lapor_hub.streams.readmodel.model import open_read_model
from lapor_hub.streams.readmodel.projector import BATCH_SIZE, projected

__all__ = ["rebuild_read_model"]


def rebuild_read_model(settings: HubSettings, url: str) -> int:
    """Replay every event up to the current end of the log into a fresh read model at ``url``.

    The offsets reached are stored with the rows, so a worker started on the rebuilt database
    projects only what came after.
    """
    read_model = open_read_model(url)
    read_model.drop_schema()
    read_model.create_schema()
    applied = 0
    try:
        consumer = KafkaConsumer(enable_auto_commit=False, **settings.client_options())
        partitions = assign_whole_topic(consumer, topics.EVENTS)
        consumer.seek_to_beginning(*partitions)
        batch, offsets = [], {(tp.topic, tp.partition): 0 for tp in partitions}
        for record in records_until_end(consumer, max_records=BATCH_SIZE):
            batch.append(projected(record.value, record.headers))
            offsets[(record.topic, record.partition)] = record.offset + 1
            if len(batch) == BATCH_SIZE:
                applied += read_model.apply(batch, offsets)
                batch = []
        applied += read_model.apply(batch, {(tp.topic, tp.partition): consumer.position(tp) for tp in partitions})
        consumer.close()
    except KafkaError as exc:
        raise RetriableError(f"reading {topics.EVENTS} failed: {type(exc).__name__}; run the rebuild again") from exc
    finally:
        read_model.dispose()
    return applied
