"""Reading ``complaints.events`` and its signed heads from the broker, for ``lapor-hub audit``.

The heads are read before the events' end offsets are taken: a head is signed only once the
broker has the record it covers, so every head read then points inside the events read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from lapor_hub.errors import HubError, RetriableError
from lapor_hub.streams.chain.export import build_export
from lapor_hub.streams.chain.heads import SignedHead, decode_head, head_problem
from lapor_hub.streams.chain.verify import ChainRecord, PartitionReport, PlacedHead, verify_partition

__all__ = ["LogReader", "NotYetSigned"]


class NotYetSigned(HubError):
    """The complaint's latest event is not covered by a signed head yet: try again shortly."""


@dataclass
class LogReader:
    """Reads an events topic and its heads topic with kafka-python."""

    events_topic: str
    heads_topic: str
    client_options: dict

    def _consumer(self) -> KafkaConsumer:
        return KafkaConsumer(enable_auto_commit=False, **self.client_options)

    def _partitions(self, consumer: KafkaConsumer, topic: str) -> list[TopicPartition]:
        found = consumer.partitions_for_topic(topic)
        if not found:
            raise RetriableError(f"topic {topic} does not exist or cannot be read; run `lapor-hub topics init`")
        return [TopicPartition(topic, p) for p in sorted(found)]

    def _read(self, consumer: KafkaConsumer, tp: TopicPartition, start: int, end: int) -> Iterator:
        consumer.assign([tp])
        consumer.seek(tp, start)
        while consumer.position(tp) < end:
            for batch in consumer.poll(timeout_ms=2000).values():
                yield from (r for r in batch if r.offset < end)

    def heads(self, consumer: KafkaConsumer) -> list[PlacedHead]:
        placed = []
        partitions = self._partitions(consumer, self.heads_topic)
        ends = consumer.end_offsets(partitions)
        begins = consumer.beginning_offsets(partitions)
        for tp in partitions:
            for record in self._read(consumer, tp, begins[tp], ends[tp]):
                placed.append(PlacedHead(tp.topic, tp.partition, record.offset, decode_head(record.value)))
        return placed

    def verify(self, keys: dict[str, Ed25519PublicKey], since: datetime | None = None) -> list[PartitionReport]:
        """One report per partition; stops at the first partition with a break."""
        reports = []
        try:
            consumer = self._consumer()
            try:
                heads = self.heads(consumer)
                partitions = self._partitions(consumer, self.events_topic)
                ends = consumer.end_offsets(partitions)
                begins = consumer.beginning_offsets(partitions)
                starts = dict(begins)
                if since is not None:
                    found = consumer.offsets_for_times({tp: int(since.timestamp() * 1000) for tp in partitions})
                    for tp in partitions:
                        at = found.get(tp)
                        # One record before the first one checked, to check its link too.
                        starts[tp] = max(begins[tp], (at.offset if at else ends[tp]) - 1)
                for tp in partitions:
                    records = (ChainRecord(r.offset, r.key, r.value, tuple(r.headers or ()))
                               for r in self._read(consumer, tp, starts[tp], ends[tp]))
                    report = verify_partition(tp.topic, tp.partition, records, heads, keys,
                                              from_start=starts[tp] == begins[tp], end_offset=ends[tp])
                    reports.append(report)
                    if report.broken:
                        break
            finally:
                consumer.close()
        except KafkaError as exc:
            raise RetriableError(f"reading {self.events_topic} failed: {type(exc).__name__}; run it again") from exc
        return reports

    def export(self, tracking_id: str, partition_of, keys: dict[str, Ed25519PublicKey]) -> dict:
        """The export of one complaint (see :mod:`lapor_hub.streams.chain.export`)."""
        key = tracking_id.encode()
        try:
            consumer = self._consumer()
            try:
                heads = [p.head for p in self.heads(consumer) if p.head and not head_problem(p.head, keys)]
                partitions = self._partitions(consumer, self.events_topic)
                tp = partitions[partition_of(key, len(partitions))]
                end = consumer.end_offsets([tp])[tp]
                begin = consumer.beginning_offsets([tp])[tp]
                kept: list[ChainRecord] = []
                last = None
                for r in self._read(consumer, tp, begin, end):
                    if r.key == key or kept:
                        kept.append(ChainRecord(r.offset, r.key, r.value, tuple(r.headers or ())))
                    if r.key == key:
                        last = r.offset
            finally:
                consumer.close()
        except KafkaError as exc:
            raise RetriableError(f"reading {self.events_topic} failed: {type(exc).__name__}; run it again") from exc
        if last is None:
            raise HubError(f"no events of {tracking_id} on {self.events_topic}; check the tracking id")
        covering: SignedHead | None = min((h for h in heads if h.topic == self.events_topic
                                           and h.partition == tp.partition and h.offset >= last),
                                          key=lambda h: h.offset, default=None)
        if covering is None:
            raise NotYetSigned(f"the latest event of {tracking_id} is not signed yet; "
                               "try again after LAPOR_AUDIT_SIGN_INTERVAL seconds")
        records = [r for r in kept if r.offset <= covering.offset]
        return build_export(tracking_id, self.events_topic, tp.partition, records, covering)
