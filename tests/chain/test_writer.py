"""The writer stamps each partition's next link, notes delivered offsets and signs what moved."""

from __future__ import annotations

import asyncio

from lapor_hub.streams.chain import ChainRecord, ChainWriter, PlacedHead, read_link, verify_partition
from lapor_hub.streams.chain.links import Link
from lapor_hub.streams.chain.writer import last_link
from tests.chain.builders import HEADS, TOPIC, chained, signing_key


def _link(headers) -> Link:
    link = read_link(headers)
    assert link is not None
    return link


class _Delivered:
    """A send's future as the producer completes it: the broker gave the record this offset."""

    def __init__(self, offset: int, error: Exception | None = None) -> None:
        self.offset, self._error = offset, error

    def cancelled(self) -> bool:
        return False

    def exception(self):
        return self._error

    def result(self):
        return self


def test_stamps_continue_the_chain_found_at_the_end_of_the_partition_and_sign_what_moved(tmp_path):
    ring, key = signing_key(tmp_path)
    existing = chained(3, [(b"LPR-1", b"submitted"), (b"LPR-1", b"accepted")])
    reads = []

    async def tail(partition):
        reads.append(partition)
        return last_link(partition, existing)

    async def scenario():
        writer = ChainWriter(TOPIC, tail)
        log = list(existing)
        for value in [b"followed up", b"responded"]:
            headers, delivered = await writer.stamp(3, b"LPR-1", value, [("ce_id", value)])
            log.append(ChainRecord(len(log), b"LPR-1", value, tuple(headers)))
            delivered(_Delivered(len(log) - 1))
        heads = writer.heads_to_sign(key, "2026-11-30T08:00:00+00:00")
        writer.signed(heads)
        return log, heads, writer.heads_to_sign(key, "2026-11-30T08:00:10+00:00")

    log, heads, again = asyncio.run(scenario())
    assert reads == [3]  # the end of the partition is read once, then kept
    assert [_link(r.headers).seq for r in log] == [0, 1, 2, 3]
    assert [(h.partition, h.seq, h.offset) for h in heads] == [(3, 3, 3)] and again == []
    placed = [PlacedHead(HEADS, 0, 0, heads[0])]
    report = verify_partition(TOPIC, 3, log, placed, ring.public_keys())
    assert report.broken is None and report.heads == 1


def test_after_forgetting_the_writer_reads_the_end_again_and_ignores_late_deliveries(tmp_path):
    _, key = signing_key(tmp_path)
    landed = chained(0, [(b"LPR-1", b"submitted")])

    async def tail(partition):
        return last_link(partition, landed)

    async def scenario():
        writer = ChainWriter(TOPIC, tail)
        _, lost = await writer.stamp(0, b"LPR-1", b"never landed", [])
        writer.forget()
        lost(_Delivered(7))  # from before the forgetting: not a head to sign
        headers, _ = await writer.stamp(0, b"LPR-1", b"decided again", [])
        return writer.heads_to_sign(key, "t"), _link(headers)

    heads, link = asyncio.run(scenario())
    assert heads == []
    assert (link.seq, link.prev) == (1, _link(landed[0].headers).link)


def test_a_failed_delivery_is_not_signed(tmp_path):
    _, key = signing_key(tmp_path)

    async def tail(partition):
        return None

    async def scenario():
        writer = ChainWriter(TOPIC, tail)
        headers, delivered = await writer.stamp(1, b"LPR-1", b"submitted", [])
        delivered(_Delivered(0, error=RuntimeError("broker gone")))
        return writer.heads_to_sign(key, "t"), _link(headers)

    heads, link = asyncio.run(scenario())
    assert heads == [] and link.seq == 0


def test_the_last_link_skips_records_whose_link_does_not_hold():
    records = chained(0, [(b"LPR-1", b"a"), (b"LPR-1", b"b")])
    tampered = [records[0], ChainRecord(1, b"LPR-1", b"changed", records[1].headers)]
    assert last_link(0, tampered) == read_link(records[0].headers)
    assert last_link(0, [ChainRecord(0, None, b"", ())]) is None


def test_the_bench_figure_stamps_verifies_and_signs_real_dispositioned_records():
    from lapor_hub.streams.ops.bench.chain_bench import chain_cost
    from lapor_hub.streams.ops.bench.codec_bench import dispositioned_values
    from lapor_hub.streams.ops.bench.workload import WorkloadGenerator

    figures = chain_cost(dispositioned_values(WorkloadGenerator(5).submissions(20)), repeat=1)
    assert figures["events"] == 20
    assert all(figures[name] > 0 for name in ("stamp_us", "verify_us", "sign_head_us"))
