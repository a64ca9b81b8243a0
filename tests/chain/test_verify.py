"""An untouched chain verifies; a record inserted, changed, removed or reordered is found at its offset."""

from __future__ import annotations

import dataclasses

import pytest

from lapor_hub.streams.chain import ChainRecord, verify_partition
from lapor_hub.streams.chain.links import stamp
from tests.chain.builders import TOPIC, chained, head_for, signing_key

EVENTS = [(f"LPR-{n % 3}".encode(), f"event {n} submitted".encode() if n < 3 else f"event {n}".encode())
          for n in range(12)]


@pytest.fixture
def setup(tmp_path):
    ring, key = signing_key(tmp_path)
    records = chained(2, EVENTS)
    heads = [head_for(key, 2, records[5], heads_offset=0), head_for(key, 2, records[9], heads_offset=1)]
    return ring.public_keys(), records, heads


def _verify(keys, records, heads, **options):
    return verify_partition(TOPIC, 2, list(records), heads, keys, **options)


def _renumbered(records: list[ChainRecord]) -> list[ChainRecord]:
    """What the topic holds after a rewrite: the same records at consecutive offsets."""
    return [dataclasses.replace(r, offset=n) for n, r in enumerate(records)]


def test_an_untouched_partition_verifies_with_its_heads_and_counts_the_unsigned_tail(setup):
    keys, records, heads = setup
    report = _verify(keys, records, heads, end_offset=12)
    assert report.broken is None
    assert (report.records, report.heads, report.unsigned, report.last_signed_offset) == (12, 2, 2, 9)


def test_a_changed_value_is_found_at_its_offset(setup):
    keys, records, heads = setup
    records[4] = dataclasses.replace(records[4], value=records[4].value + b"!")
    report = _verify(keys, records, heads)
    assert report.broken is not None and report.broken.offset == 4
    assert "changed" in report.broken.what


def test_a_changed_header_is_found_at_its_offset(setup):
    keys, records, heads = setup
    changed = tuple((n, b"2026-01-01T00:00:00Z" if n == "ce_time" else v) for n, v in records[7].headers)
    records[7] = dataclasses.replace(records[7], headers=changed)
    assert _verify(keys, records, heads).broken.offset == 7


def test_a_removed_record_is_found_where_the_gap_is(setup):
    keys, records, heads = setup
    report = _verify(keys, _renumbered(records[:3] + records[4:]), heads)
    assert report.broken.offset == 3
    assert "removed" in report.broken.what


def test_two_swapped_records_are_found_at_the_first_of_them(setup):
    keys, records, heads = setup
    records[6], records[7] = records[7], records[6]
    report = _verify(keys, _renumbered(records), heads)
    assert report.broken.offset == 6


def test_a_record_without_chain_headers_inserted_is_found_at_its_offset(setup):
    keys, records, heads = setup
    forged = ChainRecord(0, b"LPR-1", b"forged", (("ce_type", b"id.go.lapor.complaint.closed"),))
    report = _verify(keys, _renumbered(records[:8] + [forged] + records[8:]), heads)
    assert report.broken.offset == 8
    assert "inserted" in report.broken.what


def test_a_record_inserted_with_a_well_formed_link_is_found_at_its_offset(setup):
    keys, records, heads = setup
    prev = dict(records[7].headers)["lapor-chain-link"].decode()
    headers, _ = stamp(2, 8, prev, b"LPR-1", b"forged", [("ce_type", b"id.go.lapor.complaint.closed")])
    forged = ChainRecord(0, b"LPR-1", b"forged", tuple(headers))
    report = _verify(keys, _renumbered(records[:8] + [forged] + records[8:]), heads)
    assert report.broken.offset == 8
    assert "links past it" in report.broken.what


def test_a_rewrite_with_every_link_recomputed_is_caught_by_the_signed_head(setup):
    keys, records, heads = setup
    events = list(EVENTS)
    events[3] = (events[3][0], b"a different follow-up")
    report = _verify(keys, chained(2, events), heads)
    assert report.broken.offset == 5
    assert "rewritten" in report.broken.what


def test_a_cut_off_end_is_found_where_the_partition_now_ends(setup):
    keys, records, heads = setup
    report = _verify(keys, records[:8], heads, end_offset=8)
    assert report.broken.offset == 8
    assert "removed from its end" in report.broken.what


def test_a_head_with_a_bad_signature_is_a_break_on_the_heads_topic(setup):
    keys, records, heads = setup
    forged = dataclasses.replace(heads[1].head, seq=heads[1].head.seq + 1)
    report = _verify(keys, records, [heads[0], dataclasses.replace(heads[1], head=forged)])
    assert (report.broken.topic, report.broken.offset) == ("complaints.events.heads", 1)
    assert "signature" in report.broken.what


def test_a_head_signed_by_an_unknown_key_is_a_break(setup, tmp_path):
    keys, records, heads = setup
    _, other = signing_key(tmp_path / "other")
    report = _verify(keys, records, [head_for(other, 2, records[5], heads_offset=3)])
    assert report.broken.offset == 3 and "not among the trusted" in report.broken.what


def test_records_from_before_the_chain_began_are_counted_not_judged(setup):
    keys, records, _ = setup
    legacy = [ChainRecord(n, b"LPR-9", b"old", ()) for n in range(2)]
    shifted = [dataclasses.replace(r, offset=r.offset + 2) for r in records]
    report = _verify(keys, legacy + shifted, [])
    assert report.broken is None
    assert (report.before_chain, report.unsigned) == (2, 12)


def test_a_record_without_chain_headers_after_the_chain_began_is_not_legacy(setup):
    keys, records, heads = setup
    report = _verify(keys, _renumbered(records + [ChainRecord(0, b"LPR-9", b"late", ())]), heads)
    assert report.broken.offset == 12


def test_verifying_from_a_later_offset_checks_only_the_heads_from_there(setup):
    keys, records, heads = setup
    report = _verify(keys, records[7:], heads, from_start=False)
    assert report.broken is None and report.heads == 1


def test_from_the_start_a_chain_that_does_not_begin_at_seq_0_is_a_break(setup):
    keys, records, heads = setup
    report = _verify(keys, records[2:], [], from_start=True)
    assert report.broken.offset == 2 and "removed" in report.broken.what
