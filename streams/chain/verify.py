"""Checking a partition of ``complaints.events`` against its chain and the signed heads (pure).

:func:`verify_partition` walks the records in offset order and stops at the first break: a
record without chain headers after the chain began (inserted), content that no longer matches
its link (changed), a link that skips a record (removed), comes back to an earlier one
(inserted) or goes out of order (reordered), or a signed head that the record at its offset no
longer matches (rewritten with recomputed links) or that points past the end (cut off).
Records before the first chained one (written before the chain existed) are counted, not
judged, and so are records after the last signed head (not signed yet).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lapor_hub.streams.chain.heads import SignedHead, head_problem
from lapor_hub.streams.chain.links import GENESIS, body_digest, link_of, read_link, record_digest

__all__ = ["ChainRecord", "PlacedHead", "Break", "PartitionReport", "verify_partition"]

#: Links remembered to tell an inserted record from a changed one (a record that links past it).
_RECENT = 10_000


@dataclass(frozen=True)
class ChainRecord:
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]


@dataclass(frozen=True)
class PlacedHead:
    """A record of the heads topic: where it is, and the head (None when it is not one)."""

    topic: str
    partition: int
    offset: int
    head: SignedHead | None


@dataclass(frozen=True)
class Break:
    topic: str
    partition: int
    offset: int
    what: str

    def __str__(self) -> str:
        return f"{self.topic} partition {self.partition} offset {self.offset}: {self.what}"


@dataclass
class PartitionReport:
    topic: str
    partition: int
    records: int = 0
    before_chain: int = 0
    heads: int = 0
    unsigned: int = 0
    broken: Break | None = None
    last_signed_offset: int | None = field(default=None)


def _bad_head(placed: PlacedHead, keys: dict[str, Ed25519PublicKey], topic: str, partition: int) -> Break | None:
    if placed.head is None:
        return Break(placed.topic, placed.partition, placed.offset, "not a signed head (unreadable JSON)")
    if placed.head.topic != topic or placed.head.partition != partition:
        return None
    problem = head_problem(placed.head, keys)
    return Break(placed.topic, placed.partition, placed.offset, problem) if problem else None


def verify_partition(topic: str, partition: int, records: Iterable[ChainRecord], heads: Iterable[PlacedHead],
                     keys: dict[str, Ed25519PublicKey], *, from_start: bool = True,
                     end_offset: int | None = None) -> PartitionReport:
    """Check one partition. ``from_start``: ``records`` begin at the partition's first record
    (else at some later one, as ``audit verify --from`` reads); heads before the first record
    read are then not checked. ``end_offset``: where the partition ends, to catch a cut-off end.
    """
    report = PartitionReport(topic, partition)
    mine = [h for h in heads if h.head is None or (h.head.topic, h.head.partition) == (topic, partition)]
    for placed in mine:
        broken = _bad_head(placed, keys, topic, partition)
        if broken:
            report.broken = broken
            return report
    signed = sorted((h for h in mine if h.head), key=lambda h: h.head.offset if h.head else 0)
    pending = [h.head for h in signed if h.head]
    first_offset: int | None = None
    prev_link: str | None = None
    prev_seq = -1
    prev_offset = -1
    recent: OrderedDict[str, int] = OrderedDict()
    matched_offset: int | None = None
    since_signed = 0

    def fail(offset: int, what: str) -> PartitionReport:
        report.broken = Break(topic, partition, offset, what)
        return report

    for record in records:
        report.records += 1
        if first_offset is None:
            first_offset = record.offset
            pending = [h for h in pending if h.offset >= first_offset] if not from_start else pending
            if from_start and pending and pending[0].offset < first_offset:
                return fail(first_offset, f"the partition now begins at offset {first_offset}, but the hub signed "
                                          f"offset {pending[0].offset}: records were deleted from its beginning")
        link = read_link(record.headers)
        if link is None:
            if prev_link is None:
                report.before_chain += 1
                continue
            return fail(record.offset, "no chain headers: not appended through the hub's chain (inserted)")
        digest = record_digest(partition, link.seq, record.key, body_digest(record.value, record.headers))
        if link_of(link.prev, digest) != link.link:
            return fail(record.offset, f"the content does not match its link (seq {link.seq}): "
                                       "changed after the hub wrote it")
        if prev_link is None:
            if from_start and (link.seq != 0 or link.prev != GENESIS):
                return fail(record.offset, f"the chain begins here at seq {link.seq}, not 0: "
                                           "the records before it were removed")
        elif link.prev != prev_link or link.seq != prev_seq + 1:
            if link.prev in recent and recent[link.prev] < prev_offset:
                skipped = recent[link.prev] + 1
                return fail(skipped, f"not in the hub's chain: the record at offset {record.offset} links "
                                     f"past it to offset {skipped - 1} (inserted)")
            if link.seq > prev_seq + 1:
                return fail(record.offset, f"seq {link.seq} follows seq {prev_seq}: "
                                           f"{link.seq - prev_seq - 1} record(s) before it removed")
            if link.seq <= prev_seq:
                return fail(record.offset, f"seq {link.seq} follows seq {prev_seq}: out of order (reordered)")
            return fail(record.offset, f"does not link to the record before it at offset {prev_offset}")
        prev_link, prev_seq, prev_offset = link.link, link.seq, record.offset
        since_signed += 1
        recent[link.link] = record.offset
        if len(recent) > _RECENT:
            recent.popitem(last=False)
        while pending and pending[0].offset <= record.offset:
            head = pending.pop(0)
            if head.offset < record.offset:
                return fail(head.offset, f"the hub signed seq {head.seq} at this offset ({head.signed_at}), "
                                         "but that record is not in the chain any more")
            if (head.seq, head.link) != (link.seq, link.link):
                since = f"after offset {matched_offset}" if matched_offset is not None else "up to here"
                return fail(record.offset, f"differs from what the hub signed at {head.signed_at} (seq {head.seq}): "
                                           f"the partition was rewritten {since}")
            matched_offset = record.offset
            since_signed = 0
            report.heads += 1
    if pending:
        head = pending[0]
        end = end_offset if end_offset is not None else prev_offset + 1
        return fail(end, f"the hub signed seq {head.seq} at offset {head.offset} ({head.signed_at}), "
                         f"but the partition ends at offset {end}: records were removed from its end")
    report.last_signed_offset = matched_offset
    report.unsigned = since_signed
    return report
