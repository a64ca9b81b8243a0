"""Keeping each partition's chain head while the lifecycle appends to ``complaints.events``.

The worker that holds a partition of the lifecycle's input is the only one appending to the same
partition of ``complaints.events`` (both are keyed by tracking id). :class:`ChainWriter` stamps
each event with the next link of its partition, in the order the events are handed to the
producer (which keeps that order within a partition), and notes the offset once the broker has
it. The head of a partition it has not written yet is read from the end of the partition
(:class:`TailReader`); it forgets every head when partitions move between workers, or when a batch
could not be delivered, and reads them again. :meth:`ChainWriter.heads_to_sign` gives what changed
since the last signing, for the periodic signer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from lapor_hub.errors import RetriableError
from lapor_hub.streams.chain.heads import SignedHead, sign_head
from lapor_hub.streams.chain.keys import SigningKey
from lapor_hub.streams.chain.links import GENESIS, Link, body_digest, link_of, read_link, record_digest, stamp

__all__ = ["ChainWriter", "TailReader", "Head", "last_link"]

log = logging.getLogger(__name__)

#: How far back from a partition's end the tail reader looks for the last chained record.
TAIL_WINDOW = 500


@dataclass(frozen=True)
class Head:
    seq: int
    link: str
    offset: int


def last_link(partition: int, records) -> Link | None:
    """The last record of ``records`` whose link holds (its content matches it), as its Link."""
    found = None
    for record in records:
        link = read_link(record.headers)
        if link and link_of(link.prev, record_digest(partition, link.seq, record.key,
                                                     body_digest(record.value, record.headers))) == link.link:
            found = link
    return found


class TailReader:
    """Reads the last chained record of a partition with its own consumer (kafka-python, in a thread)."""

    def __init__(self, topic: str, client_options: dict) -> None:
        self._topic = topic
        self._options = client_options

    async def __call__(self, partition: int) -> Link | None:
        return await asyncio.to_thread(self._read, partition)

    def _read(self, partition: int) -> Link | None:
        tp = TopicPartition(self._topic, partition)
        try:
            consumer = KafkaConsumer(enable_auto_commit=False, **self._options)
            try:
                consumer.assign([tp])
                end = consumer.end_offsets([tp])[tp]
                begin = consumer.beginning_offsets([tp])[tp]
                if end <= begin:
                    return None
                consumer.seek(tp, max(begin, end - TAIL_WINDOW))
                records: list = []
                while consumer.position(tp) < end:
                    for batch in consumer.poll(timeout_ms=2000).values():
                        records.extend(r for r in batch if r.offset < end)
                return last_link(partition, records)
            finally:
                consumer.close()
        except KafkaError as exc:
            raise RetriableError(f"reading the end of {self._topic}[{partition}] failed: {type(exc).__name__}") from exc


class ChainWriter:
    """The chain heads of the partitions this worker appends to (see the module's docstring)."""

    def __init__(self, topic: str, tail: Callable[[int], Awaitable[Link | None]]) -> None:
        self.topic = topic
        self._tail = tail
        self._next: dict[int, tuple[int, str]] = {}
        self._delivered: dict[int, Head] = {}
        self._signed: dict[int, int] = {}
        self._generation = 0

    async def stamp(self, partition: int, key: bytes | None, value: bytes,
                    headers) -> tuple[list[tuple[str, bytes]], Callable[[object], None]]:
        """The headers with the next link, and the callback to run when the broker has the record."""
        generation = self._generation
        if partition not in self._next:
            last = await self._tail(partition)
            if generation != self._generation:  # forgotten meanwhile: read again
                return await self.stamp(partition, key, value, headers)
            self._next.setdefault(partition, (last.seq + 1, last.link) if last else (0, GENESIS))
        seq, prev = self._next[partition]
        chained, link = stamp(partition, seq, prev, key, value, headers)
        self._next[partition] = (seq + 1, link)

        def delivered(future) -> None:
            if future.cancelled() or future.exception() is not None or generation != self._generation:
                return
            current = self._delivered.get(partition)
            if current is None or current.seq < seq:
                self._delivered[partition] = Head(seq, link, future.result().offset)

        return chained, delivered

    def forget(self) -> None:
        """Read every head again from its partition before the next append (after a rebalance or a failure)."""
        self._generation += 1
        self._next.clear()
        self._delivered.clear()

    def heads_to_sign(self, key: SigningKey, signed_at: str) -> list[SignedHead]:
        """A signed head for each partition whose delivered head moved since the last signing."""
        heads = []
        for partition, head in sorted(self._delivered.items()):
            if self._signed.get(partition) == head.offset:
                continue
            heads.append(sign_head(key, topic=self.topic, partition=partition, seq=head.seq, offset=head.offset,
                                   link=head.link, signed_at=signed_at))
        return heads

    def signed(self, heads: list[SignedHead]) -> None:
        """Note heads the broker has, so they are not signed again."""
        for head in heads:
            self._signed[head.partition] = head.offset
