"""The bench's own Kafka clients: a producer of pre-encoded records and a watcher of arrivals.

Latency is a correlation on the record key (the tracking id): the send time taken just before
a submission is handed to the producer, the arrival time when the watcher's fetch returns the
matching output record. Both instants come from this process's clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterable, Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import ConsumerRecord

__all__ = ["Record", "Arrivals", "ArrivalWatcher", "disposition_watcher", "new_producer", "send_burst", "send_paced",
           "header_is"]

#: (key, value, headers) of a record to produce.
Record = tuple[bytes, bytes, list[tuple[str, bytes]]]
_FETCH_WAIT_MS = 10
_DISPOSITIONED = b"id.go.lapor.complaint.dispositioned"


def new_producer(bootstrap: str) -> AIOKafkaProducer:
    """acks=all like the hub's producer; no linger, so it adds no latency of its own."""
    return AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=0, max_batch_size=65536,
                            request_timeout_ms=30000)


def header_is(name: str, value: bytes) -> Callable[[ConsumerRecord], bool]:
    """A record filter: the header ``name`` equals ``value``."""
    def matches(record: ConsumerRecord) -> bool:
        return any(k == name and v == value for k, v in record.headers or ())
    return matches


class Arrivals:
    """Arrival times of the records the bench waits for, by key."""

    def __init__(self, keys: Iterable[bytes], on_arrival: Callable[[bytes, ConsumerRecord], None] | None) -> None:
        self.expected = set(keys)
        #: key -> (arrival time, the output record's Kafka timestamp in seconds)
        self.times: dict[bytes, tuple[float, float]] = {}
        self._on_arrival = on_arrival
        self._done = asyncio.Event()
        if not self.expected:
            self._done.set()

    def arrived(self, key: bytes, at: float, record: ConsumerRecord) -> None:
        self.times[key] = (at, record.timestamp / 1000.0)
        if self._on_arrival is not None:
            self._on_arrival(key, record)
        if len(self.times) == len(self.expected):
            self._done.set()

    @property
    def last(self) -> float:
        return max(at for at, _ in self.times.values())

    async def wait(self, timeout: float) -> bool:
        """True when everything arrived within ``timeout`` seconds."""
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._done.wait(), timeout)
        return self._done.is_set()


class ArrivalWatcher:
    """Reads every partition of ``topic`` from its end, and reports the records it is told to expect."""

    def __init__(self, bootstrap: str, topic: str, partitions: int, *,
                 accept: Callable[[ConsumerRecord], bool] | None = None) -> None:
        self.topic = topic
        self._partitions = partitions
        self._accept = accept
        self._consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                          fetch_max_wait_ms=_FETCH_WAIT_MS, max_partition_fetch_bytes=4 << 20)
        self._pending: dict[bytes, Arrivals] = {}
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        await self._consumer.start()
        try:
            # By number: a topic created a moment ago may not be in the client's metadata yet.
            partitions = [TopicPartition(self.topic, p) for p in range(self._partitions)]
            self._consumer.assign(partitions)
            await self._consumer.seek_to_end(*partitions)
            for tp in partitions:  # resolve the end offsets now, before anything is produced
                await self._consumer.position(tp)
        except BaseException:
            await self._consumer.stop()
            raise
        self._task = asyncio.create_task(self._run(), name=f"watch {self.topic}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._consumer.stop()

    def expect(self, keys: Iterable[bytes],
               on_arrival: Callable[[bytes, ConsumerRecord], None] | None = None) -> Arrivals:
        """Start waiting for one accepted record per key; the first one counts."""
        arrivals = Arrivals(keys, on_arrival)
        for key in arrivals.expected:
            self._pending[key] = arrivals
        return arrivals

    async def _run(self) -> None:
        while True:
            batch = await self._consumer.getmany(timeout_ms=100, max_records=5000)
            now = time.time()
            for records in batch.values():
                for record in records:
                    arrivals = self._pending.get(record.key)
                    if arrivals is None or (self._accept is not None and not self._accept(record)):
                        continue
                    del self._pending[record.key]
                    arrivals.arrived(record.key, now, record)


async def send_burst(producer: AIOKafkaProducer, topic: str, records: Sequence[Record]) -> tuple[float, float]:
    """Produce everything as fast as the producer takes it; (first send, all acknowledged) times."""
    started = time.time()
    futures = [await producer.send(topic, value, key=key, headers=headers) for key, value, headers in records]
    await asyncio.gather(*futures)
    return started, time.time()


async def send_paced(producer: AIOKafkaProducer, topic: str, records: Sequence[Record],
                     per_second: float) -> dict[bytes, float]:
    """Produce at a fixed offered load; the send time of each key."""
    sent: dict[bytes, float] = {}
    futures = []
    start = time.monotonic()
    for n, (key, value, headers) in enumerate(records):
        delay = start + n / per_second - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        sent[key] = time.time()
        futures.append(await producer.send(topic, value, key=key, headers=headers))
    await asyncio.gather(*futures)
    return sent


def disposition_watcher(bootstrap: str, partitions: int) -> ArrivalWatcher:
    """The hub's output of intake -> routing -> delivery: each ``ComplaintDispositioned`` on ``complaints.events``."""
    from lapor_hub.streams.core import topics

    return ArrivalWatcher(bootstrap, topics.EVENTS, partitions, accept=header_is("ce_type", _DISPOSITIONED))
