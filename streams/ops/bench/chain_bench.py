"""What the hash chain of ``complaints.events`` costs per event, measured in process.

The same ComplaintDispositioned records the codec figure encodes, with the headers the lifecycle
gives them: the µs to stamp one (what the lifecycle adds per event on ``complaints.events``), to
check one (what ``lapor-hub audit verify`` spends per record) and to sign one head (once per
partition that moved per ``LAPOR_AUDIT_SIGN_INTERVAL``). The hub's own throughput figures are
measured with the chain on: this figure says how much of them it is.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from lapor_hub.schemas import cloudevent_headers, encode
from lapor_hub.streams.chain import AuditKeyRing, ChainRecord, sign_head, verify_partition
from lapor_hub.streams.chain.links import GENESIS, stamp
from lapor_hub.streams.ops.bench.codec_bench import best_of

__all__ = ["chain_cost"]


def chain_cost(values: Sequence[dict], *, repeat: int = 5) -> dict:
    """µs per stamped event, per verified record and per signed head, for ``values`` (ComplaintDispositioned)."""
    records = [(v["tracking_id"].encode(), encode("ComplaintDispositioned", v),
                [*cloudevent_headers("ComplaintDispositioned", v["event_id"], "/lapor-hub/lifecycle", v["tracking_id"],
                                     v["occurred_at"]),
                 ("ce_complaintstatus", b"dispositioned"), ("ce_agency", v["agency"]["code"].encode())])
               for v in values]
    stamped: list[ChainRecord] = []

    def stamp_all() -> None:
        stamped.clear()
        prev = GENESIS
        for seq, (key, value, headers) in enumerate(records):
            chained, prev = stamp(0, seq, prev, key, value, headers)
            stamped.append(ChainRecord(seq, key, value, tuple(chained)))

    stamp_us = best_of(repeat, stamp_all, len(records))
    with tempfile.TemporaryDirectory(prefix="lapor-bench-keys-") as folder:
        ring = AuditKeyRing(Path(folder))
        key = ring.signing_key()
        keys = ring.public_keys()

    def verify_all() -> None:
        report = verify_partition("complaints.events", 0, stamped, [], keys)
        assert report.broken is None and report.records == len(stamped)

    def sign_all() -> None:
        for record in stamped:
            sign_head(key, topic="complaints.events", partition=0, seq=record.offset, offset=record.offset,
                      link="0" * 64, signed_at="2026-11-30T00:00:00+00:00")

    return {"events": len(records), "stamp_us": round(stamp_us, 2),
            "verify_us": round(best_of(repeat, verify_all, len(records)), 2),
            "sign_head_us": round(best_of(repeat, sign_all, len(records)), 2)}
