"""A reader of every partition of one (compacted) topic, from its beginning, for a book kept in memory.

The worker's idempotency claims (``complaints.idempotency``) and its data keys (``hub.data-keys``)
are each a book every worker needs whole: no consumer group, every partition assigned, read
from the start of the log. After a broker error the consumer is closed, and the next
:meth:`TopicFollower.poll` opens a new one where this one left off.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError

from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.core.partitions import all_partitions

__all__ = ["TopicFollower", "stop_consumer"]

#: How long an idle fetch waits at the broker: a write is read back within about this.
_FETCH_MAX_WAIT_MS = 100
_STOP_TIMEOUT_S = 5.0


class TopicFollower:
    def __init__(self, settings: HubSettings, topic: str, *, client_id: str, max_records: int) -> None:
        self._settings = settings
        self._topic = topic
        self._client_id = client_id
        self._max_records = max_records
        self._consumer: AIOKafkaConsumer | None = None
        #: Next offset to read per partition, once the follower runs.
        self.position: dict[int, int] = {}
        #: The end offsets when the follower first opened: reading past them means caught up.
        self._start_ends: dict[int, int] = {}

    @property
    def caught_up(self) -> bool:
        """Whether every record written before the follower first opened has been read."""
        return bool(self._start_ends) and all(self.position.get(p, 0) >= end for p, end in self._start_ends.items())

    async def poll(self, read: Callable[[bytes | None, bytes | None], None], *, timeout_ms: int = 500) -> None:
        """One fetch: every record's key and value to ``read``, in order per partition, then the positions moved.

        Raises ``KafkaError`` or ``OSError`` with the consumer closed; the next call reopens it.
        """
        try:
            if self._consumer is None:
                await self._open()
            consumer = self._consumer
            assert consumer is not None  # just opened
            batches = await consumer.getmany(timeout_ms=timeout_ms, max_records=self._max_records)
            for tp, records in batches.items():
                for record in records:
                    read(record.key, record.value)
                self.position[tp.partition] = records[-1].offset + 1
            for tp in consumer.assignment():
                # Aborted or compacted offsets: the consumer's position is the truth.
                self.position[tp.partition] = max(self.position.get(tp.partition, 0), await consumer.position(tp))
        except (KafkaError, OSError):
            await self.close()
            raise

    async def close(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            await stop_consumer(consumer)

    async def _open(self) -> None:
        consumer = AIOKafkaConsumer(**self._settings.client_options(), group_id=None, enable_auto_commit=False,
                                    auto_offset_reset="earliest", fetch_max_wait_ms=_FETCH_MAX_WAIT_MS,
                                    client_id=self._client_id)
        try:
            await consumer.start()
            tps = await all_partitions(consumer, self._topic)
            consumer.assign(tps)
            for tp in tps:
                # Resume where this follower left off before a reconnect; the start otherwise.
                if tp.partition in self.position:
                    consumer.seek(tp, self.position[tp.partition])
                else:
                    await consumer.seek_to_beginning(tp)
            if not self._start_ends:
                ends = await consumer.end_offsets(tps)
                self._start_ends = {tp.partition: offset for tp, offset in ends.items()}
        except BaseException:
            # Not yet the follower's: a stop meanwhile finds none to stop while it is still starting.
            await stop_consumer(consumer)
            raise
        self._consumer = consumer


async def stop_consumer(consumer: AIOKafkaConsumer) -> None:
    """Stop ``consumer`` within a bound, whatever state it is in (a worker's stop must not wait on a dead broker)."""
    try:
        await asyncio.wait_for(consumer.stop(), _STOP_TIMEOUT_S)
    except (asyncio.TimeoutError, KafkaError, OSError):
        pass
