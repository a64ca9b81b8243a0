"""Chains built the way the hub builds them: :func:`stamp` per record, heads signed with a real key."""

from __future__ import annotations

from lapor_hub.streams.chain import AuditKeyRing, ChainRecord, PlacedHead, SignedHead, SigningKey, sign_head
from lapor_hub.streams.chain.links import GENESIS, stamp

TOPIC = "complaints.events"
HEADS = "complaints.events.heads"


def chained(partition: int, events: list[tuple[bytes, bytes]], *, start_seq: int = 0, prev: str = GENESIS,
            first_offset: int = 0) -> list[ChainRecord]:
    """``events`` (key, value) as the hub appends them, each with CloudEvents-like headers."""
    records = []
    for number, (key, value) in enumerate(events):
        headers = [("ce_id", f"evt-{first_offset + number}".encode()),
                   ("ce_type", b"id.go.lapor.complaint.submitted" if b"submitted" in value
                    else b"id.go.lapor.complaint.followup.recorded"),
                   ("ce_time", b"2026-11-30T08:00:00Z")]
        chained_headers, prev = stamp(partition, start_seq + number, prev, key, value, headers)
        records.append(ChainRecord(first_offset + number, key, value, tuple(chained_headers)))
    return records


def head_for(key: SigningKey, partition: int, record: ChainRecord, *, heads_offset: int = 0) -> PlacedHead:
    from lapor_hub.streams.chain import read_link

    link = read_link(record.headers)
    assert link is not None
    head = sign_head(key, topic=TOPIC, partition=partition, seq=link.seq, offset=record.offset, link=link.link,
                     signed_at="2026-11-30T08:00:10+00:00")
    return PlacedHead(HEADS, 0, heads_offset, head)


def signed(key: SigningKey, partition: int, record: ChainRecord) -> SignedHead:
    head = head_for(key, partition, record).head
    assert head is not None
    return head


def signing_key(tmp_path) -> tuple[AuditKeyRing, SigningKey]:
    ring = AuditKeyRing(tmp_path / "audit-keys")
    return ring, ring.signing_key()
