"""The projector: ``complaints.events`` (and the audit trail, ``hub.audit``) into the read model.

Every worker's API must show every complaint, so how the projector reads depends on where the
read model lives:

- **SQLite** (the embedded default) is one file per worker: each worker's projector reads
  *every* partition (consumer group ``<app id>.readmodel.<instance>``, used only to report lag).
- **PostgreSQL** is shared by the workers: their projectors form one consumer group
  (``<app id>.readmodel``) and split the partitions; every worker reads the same database.

Either way the offsets that count are in the database, written in the same transaction as the
rows (table ``projection_offsets``): the read model says exactly how far it has projected, a
new or rebuilt database starts from the beginning, and a crash between the database commit and
anything else repeats nothing. The offsets committed to Kafka are only for the lag dashboard.

A record that cannot be projected is dead-lettered (the batch is applied without it); a
database that is unavailable is retried with capped backoff for as long as it takes, so the
projector falls behind rather than losing anything.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial

import mode
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener
from aiokafka.errors import KafkaError

from lapor_hub.errors import RetriableError, SkippableError
from lapor_hub.schemas import decode
from lapor_hub.streams.core import topics
from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.core.deadletter import DeadLetters
from lapor_hub.streams.core.durable import WriteUnavailable
from lapor_hub.streams.core.failures import FailurePolicy, SourceRecord
from lapor_hub.streams.core.partitions import all_partitions
from lapor_hub.streams.core.publisher import AGENCY_HEADER, STATUS_HEADER, SUBJECT_HEADER, header
from lapor_hub.streams.readmodel.events import ProjectedEvent
from lapor_hub.streams.readmodel.model import ReadModel

__all__ = ["Projector", "projected", "projector_group", "BATCH_SIZE", "PROJECTED_TOPICS"]

log = logging.getLogger(__name__)

BATCH_SIZE = 500
_STAGE = "readmodel"
_BROKER_RETRY_S = 1.0


#: What the read model is folded from.
PROJECTED_TOPICS = (topics.EVENTS, topics.AUDIT)


def projected(value: bytes, headers) -> ProjectedEvent:
    record_type, record = decode(value)
    return ProjectedEvent(record_type, record, header(headers, STATUS_HEADER), header(headers, AGENCY_HEADER),
                          header(headers, SUBJECT_HEADER))


async def _decoded(record) -> ProjectedEvent:
    """A record as the read model takes it (SkippableError when it cannot be decoded)."""
    return projected(record.value or b"", record.headers)


def projector_group(settings: HubSettings, *, shared: bool) -> str:
    """The projector's consumer group: shared by the workers of a shared database, else per worker."""
    base = f"{settings.app_id}.readmodel"
    return base if shared else f"{base}.{settings.instance_id}"


class Projector(mode.Service):
    def __init__(self, settings: HubSettings, read_model: ReadModel, dead_letters: DeadLetters, **kwargs) -> None:
        self._settings = settings
        self._read_model = read_model
        #: Dead letters go through acknowledged sends (see streams.core.durable): a batch's dead
        #: letters are on the broker before its offsets are in the database. A database that is
        #: unavailable is waited for, however long: the projector falls behind, nothing is lost.
        self._failures = FailurePolicy(dead_letters, max_attempts=None, should_stop=lambda: self.should_stop,
                                       sleep=self.sleep)
        self.group_id = projector_group(settings, shared=read_model.shared)
        self._consumer: AIOKafkaConsumer | None = None
        #: End offsets of the assigned partitions when they were assigned: reading past them
        #: means the read model shows everything that happened before.
        self._targets: dict[tuple[str, int], int] = {}
        self._positions: dict[tuple[str, int], int] = {}
        self._assigned = False
        super().__init__(**kwargs)

    @property
    def caught_up(self) -> bool:
        return self._assigned and all(self._positions.get(p, 0) >= end for p, end in self._targets.items())

    @mode.Service.task
    async def _project(self) -> None:
        while not self.should_stop:
            try:
                if self._consumer is None:
                    await self._open()
                consumer = self._consumer
                assert consumer is not None
                batches = await consumer.getmany(timeout_ms=500, max_records=BATCH_SIZE)
                if batches:
                    await self._apply(batches)
                    await _commit_quietly(consumer, batches)
                for tp in consumer.assignment():
                    self._positions[(tp.topic, tp.partition)] = await consumer.position(tp)
            except (KafkaError, OSError, WriteUnavailable) as exc:
                # Nothing of the batch is in the database: it is read again after reconnecting.
                log.debug("projector: %s; reconnecting", type(exc).__name__)
                await self._close()
                await self.sleep(_BROKER_RETRY_S)
            except RetriableError:
                return  # stopping while the database is unavailable: the batch comes again next time

    async def _apply(self, batches: dict) -> None:
        items: list[tuple[SourceRecord, ProjectedEvent]] = []
        offsets: dict[tuple[str, int], int] = {}
        for tp, records in batches.items():
            offsets[(tp.topic, tp.partition)] = records[-1].offset + 1
            for record in records:
                item = await self._failures.run(record, _STAGE, partial(_decoded, record))
                if item is not None:
                    items.append((record, item))
        try:
            await self._write([item for _, item in items], offsets)
        except SkippableError:
            # One bad record spoils the batch: apply one by one and dead-letter the bad ones.
            for record, item in items:
                await self._failures.run(record, _STAGE, partial(self._write, [item], None))
            await self._write([], offsets)

    async def _write(self, batch: list[ProjectedEvent], offsets) -> int:
        """One transaction, retried for as long as the database is unavailable (nothing is lost)."""
        return await self._failures.retrying(_STAGE, lambda: asyncio.to_thread(self._read_model.apply, batch, offsets))

    async def _open(self) -> None:
        consumer = AIOKafkaConsumer(
            **self._settings.client_options(), group_id=self.group_id, enable_auto_commit=False,
            auto_offset_reset="earliest", max_poll_records=BATCH_SIZE, client_id="lapor-hub-projector",
            **self._settings.group_timeouts())
        try:
            await consumer.start()
            if self._read_model.shared:
                consumer.subscribe(list(PROJECTED_TOPICS), listener=_SeekToStored(self, consumer))
            else:
                tps = [tp for topic in PROJECTED_TOPICS for tp in await all_partitions(consumer, topic)]
                consumer.assign(tps)
                await self.on_assigned(consumer, tps)
        except BaseException:
            await _stop(consumer)
            raise
        self._consumer = consumer

    async def on_assigned(self, consumer: AIOKafkaConsumer, assigned) -> None:
        """Seek to where the database says it is, and note what 'caught up' means now."""
        stored: dict[tuple[str, int], int] = {}
        for topic in PROJECTED_TOPICS:
            offsets = await asyncio.to_thread(self._read_model.projected_offsets, topic)
            stored.update({(topic, partition): offset for partition, offset in offsets.items()})
        for tp in assigned:
            if (tp.topic, tp.partition) in stored:
                consumer.seek(tp, stored[(tp.topic, tp.partition)])
            else:
                await consumer.seek_to_beginning(tp)
        ends = await consumer.end_offsets(list(assigned)) if assigned else {}
        self._targets = {(tp.topic, tp.partition): offset for tp, offset in ends.items()}
        self._positions = {(tp.topic, tp.partition): stored.get((tp.topic, tp.partition), 0) for tp in assigned}
        self._assigned = True

    async def _close(self) -> None:
        consumer, self._consumer = self._consumer, None
        self._assigned = False
        if consumer is not None:
            await _stop(consumer)

    async def on_stop(self) -> None:
        await self._close()


class _SeekToStored(ConsumerRebalanceListener):
    def __init__(self, projector: Projector, consumer: AIOKafkaConsumer) -> None:
        self._projector = projector
        self._consumer = consumer

    async def on_partitions_revoked(self, revoked) -> None:
        self._projector._assigned = False

    async def on_partitions_assigned(self, assigned) -> None:
        await self._projector.on_assigned(self._consumer, assigned)


async def _commit_quietly(consumer: AIOKafkaConsumer, batches: dict) -> None:
    """Report progress to Kafka for the lag dashboard; the database holds the real offsets."""
    try:
        await consumer.commit({tp: records[-1].offset + 1 for tp, records in batches.items()})
    except KafkaError as exc:
        log.debug("projector: offsets for the dashboard not committed (%s)", type(exc).__name__)


async def _stop(consumer: AIOKafkaConsumer) -> None:
    try:
        await asyncio.wait_for(consumer.stop(), 5.0)
    except (asyncio.TimeoutError, KafkaError, OSError):
        pass
