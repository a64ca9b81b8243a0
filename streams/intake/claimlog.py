"""The worker's follower of ``complaints.idempotency`` (see :mod:`lapor_hub.streams.intake.claims`).

Every worker reads every partition from the start of the log (no consumer group: each needs
all claims), so its :class:`ClaimBook` knows the first claim of every key. :meth:`ClaimLog.
resolve` appends an attempt's claim through the durable writer and waits until the follower
has read past it; the claim the book holds then is the winner.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import mode
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError

from lapor_hub.streams.core import topics
from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.core.durable import DurableWriter, WriteUnavailable
from lapor_hub.streams.core.partitions import all_partitions
from lapor_hub.streams.intake.claims import Claim, ClaimBook

__all__ = ["ClaimLog"]

log = logging.getLogger(__name__)

_RETRY_S = 1.0
_FORGET_EVERY_S = 3600.0


class ClaimLog(mode.Service):
    def __init__(self, settings: HubSettings, writer: DurableWriter, **kwargs) -> None:
        self._settings = settings
        self._writer = writer
        self.book = ClaimBook(timedelta(days=settings.idempotency_days))
        self._consumer: AIOKafkaConsumer | None = None
        #: Next offset to read per partition, once the follower runs.
        self._position: dict[int, int] = {}
        #: The end offsets when the follower started: reading past them means caught up.
        self._start_ends: dict[int, int] = {}
        self._waiters: dict[int, list[tuple[int, asyncio.Future]]] = defaultdict(list)
        super().__init__(**kwargs)

    @property
    def caught_up(self) -> bool:
        """Whether every claim written before this worker started has been read."""
        return bool(self._start_ends) and all(
            self._position.get(p, 0) >= end for p, end in self._start_ends.items())

    async def resolve(self, key: bytes, attempt: Claim) -> Claim:
        """The winning claim of ``key``: one already known, or the first in the log after ours."""
        now = datetime.now(UTC)
        known = self.book.winner(key, now)
        if known is not None:
            return known
        stored = await self._writer.store(topics.IDEMPOTENCY, key, attempt.encode())
        future = asyncio.get_running_loop().create_future()
        self._waiters[stored.partition].append((stored.offset, future))
        self._wake(stored.partition)
        try:
            await asyncio.wait_for(future, self._writer.timeout_s)
        except asyncio.TimeoutError:
            raise WriteUnavailable("the hub could not confirm the Idempotency-Key in time; retry shortly",
                                   retry_after=2) from None
        winner = self.book.winner(key, datetime.now(UTC))
        return winner if winner is not None else attempt

    @mode.Service.task
    async def _follow(self) -> None:
        while not self.should_stop:
            try:
                if self._consumer is None:
                    await self._open()
                consumer = self._consumer
                assert consumer is not None
                batches = await consumer.getmany(timeout_ms=500, max_records=2000)
                now = datetime.now(UTC)
                for tp, records in batches.items():
                    for record in records:
                        self.book.read(record.key, record.value, now)
                    self._position[tp.partition] = records[-1].offset + 1
                for tp in consumer.assignment():
                    # Aborted or compacted offsets: the consumer's position is the truth.
                    self._position[tp.partition] = max(self._position.get(tp.partition, 0),
                                                       await consumer.position(tp))
                    self._wake(tp.partition)
            except (KafkaError, OSError) as exc:
                log.debug("idempotency log: %r; retrying", exc)
                await self._close()
                await self.sleep(_RETRY_S)

    @mode.Service.timer(_FORGET_EVERY_S)
    async def _forget(self) -> None:
        self.book.forget_expired(datetime.now(UTC))

    async def _open(self) -> None:
        consumer = AIOKafkaConsumer(**self._settings.client_options(), group_id=None, enable_auto_commit=False,
                                    auto_offset_reset="earliest", fetch_max_wait_ms=100,
                                    client_id="lapor-hub-idempotency")
        try:
            await consumer.start()
            tps = await all_partitions(consumer, topics.IDEMPOTENCY)
            consumer.assign(tps)
            for tp in tps:
                # Resume where this worker left off before a reconnect; the start otherwise.
                if tp.partition in self._position:
                    consumer.seek(tp, self._position[tp.partition])
                else:
                    await consumer.seek_to_beginning(tp)
            if not self._start_ends:
                ends = await consumer.end_offsets(tps)
                self._start_ends = {tp.partition: offset for tp, offset in ends.items()}
        except BaseException:
            await _stop(consumer)
            raise
        self._consumer = consumer

    async def _close(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            await _stop(consumer)

    def _wake(self, partition: int) -> None:
        position = self._position.get(partition, 0)
        waiting = self._waiters.get(partition)
        if not waiting:
            return
        still = []
        for offset, future in waiting:
            if future.done():
                continue
            if offset < position:
                future.set_result(None)
            else:
                still.append((offset, future))
        self._waiters[partition] = still

    async def on_stop(self) -> None:
        await self._close()


async def _stop(consumer: AIOKafkaConsumer) -> None:
    try:
        await asyncio.wait_for(consumer.stop(), 5.0)
    except (asyncio.TimeoutError, KafkaError, OSError):
        pass
