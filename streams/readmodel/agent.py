"""The projector: ``complaints.events`` into the read model, in batches, idempotently.

A batch is one transaction. A record that cannot be projected is dead-lettered alone (the
batch is retried without it); a database that is briefly unavailable is retried with backoff,
so the projector falls behind rather than losing anything.
"""

from __future__ import annotations

import asyncio
import logging

from schemas import decode
from streams import topics
from streams.deadletter import DeadLetters
from streams.errors import RetriableError, SkippableError
from streams.publisher import AGENCY_HEADER, STATUS_HEADER, Publisher, header
from streams.readmodel.events import ProjectedEvent
from streams.readmodel.model import ReadModel, open_read_model

__all__ = ["install", "projected", "apply_batch", "BATCH_SIZE"]

log = logging.getLogger(__name__)

BATCH_SIZE = 500
BATCH_WITHIN_S = 0.5
_RETRY_DELAYS_S = (0.2, 0.5, 1.0, 2.0, 5.0, 10.0)


def projected(value: bytes, headers) -> ProjectedEvent:
    record_type, record = decode(value)
    return ProjectedEvent(record_type, record, header(headers, STATUS_HEADER), header(headers, AGENCY_HEADER))


async def apply_batch(read_model: ReadModel, batch: list[ProjectedEvent]) -> int:
    """Apply with backoff on RetriableError; SkippableError is left to the caller."""
    for delay in (*_RETRY_DELAYS_S, None):
        try:
            return await asyncio.to_thread(read_model.apply, batch)
        except RetriableError as exc:
            if delay is None:
                raise
            log.warning("read model busy (%s); retrying in %.1fs", exc, delay)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")


def install(hub) -> None:
    app, settings = hub.app, hub.settings
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    read_model = open_read_model(settings.read_model_url, directory=hub.directory)
    read_model.create_schema()
    hub.services["read_model"] = read_model
    dead_letters = DeadLetters(Publisher(app, "/lapor-hub/readmodel"))
    events_topic = app.topic(topics.EVENTS, key_type=bytes, value_type=bytes, key_serializer="raw",
                             value_serializer="raw", partitions=settings.partitions)

    @app.agent(events_topic, concurrency=1)
    async def project(stream):
        async for events in stream.take_events(BATCH_SIZE, within=BATCH_WITHIN_S):
            batch: list[tuple[object, ProjectedEvent]] = []
            for event in events:
                try:
                    batch.append((event, projected(event.message.value or b"", event.message.headers)))
                except Exception as exc:  # noqa: BLE001 - nothing may escape an agent loop
                    await dead_letters.send(event, "readmodel", exc)
            try:
                await apply_batch(read_model, [p for _, p in batch])
            except SkippableError:
                # One bad record spoils the batch: apply one by one and dead-letter the bad ones.
                for event, item in batch:
                    try:
                        await apply_batch(read_model, [item])
                    except Exception as exc:  # noqa: BLE001
                        await dead_letters.send(event, "readmodel", exc)
            except Exception as exc:  # noqa: BLE001 - the database stayed down: keep every record
                for event, _ in batch:
                    await dead_letters.send(event, "readmodel", exc)
