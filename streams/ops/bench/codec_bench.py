"""The hub's codec against raw fastavro on the same schema and the same values.

The codec adds the Confluent header, the checks fastavro does not do (naive datetimes,
32-bit ints) and strict field checking; raw fastavro is ``schemaless_writer``/``reader`` on
the schema the catalog parsed, the floor any Avro codec in Python stands on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from io import BytesIO

from fastavro import schemaless_reader, schemaless_writer

from lapor_hub.schemas import decode, default_catalog, encode

__all__ = ["compare_codec", "dispositioned_values", "best_of"]

_HEADER = 5


def best_of(repeat: int, run: Callable[[], None], count: int) -> float:
    """Microseconds per operation, the best of ``repeat`` runs (the least disturbed one)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best * 1e6 / count


def compare_codec(record_type: str, values: Sequence[dict], *, repeat: int = 5) -> dict:
    """µs per encode and per decode of ``values``: the hub's codec vs raw fastavro."""
    parsed = default_catalog().latest(record_type).parsed
    payloads = [encode(record_type, value) for value in values]
    bodies = [payload[_HEADER:] for payload in payloads]

    def hub_encode() -> None:
        for value in values:
            encode(record_type, value)

    def raw_encode() -> None:
        for value in values:
            out = BytesIO()
            schemaless_writer(out, parsed, value)
            out.getvalue()

    def hub_decode() -> None:
        for payload in payloads:
            decode(payload)

    def raw_decode() -> None:
        for body in bodies:
            schemaless_reader(BytesIO(body), parsed, None)

    n = len(values)
    figures = {"hub_encode_us": best_of(repeat, hub_encode, n), "raw_encode_us": best_of(repeat, raw_encode, n),
               "hub_decode_us": best_of(repeat, hub_decode, n), "raw_decode_us": best_of(repeat, raw_decode, n)}
    return {
        "record_type": record_type,
        "values": n,
        "mean_bytes": round(sum(map(len, payloads)) / n, 1),
        **{k: round(v, 2) for k, v in figures.items()},
        "encode_overhead": round(figures["hub_encode_us"] / figures["raw_encode_us"], 2),
        "decode_overhead": round(figures["hub_decode_us"] / figures["raw_decode_us"], 2),
    }


def dispositioned_values(submissions: Sequence) -> list[dict]:
    """ComplaintDispositioned values as the lifecycle makes them for ``submissions``."""
    from datetime import UTC, datetime

    from lapor_hub.streams.lifecycle import LifecycleContext
    from lapor_hub.streams.lifecycle.commands import INTAKE, Command
    from lapor_hub.streams.lifecycle.transition import transition

    ctx = LifecycleContext()
    now = datetime.now(UTC)
    values: list[dict] = []
    for s in submissions:
        outcome = transition(None, Command(s.record["event_id"], "/bench", "ComplaintSubmitted", s.record, INTAKE),
                             ctx, now)
        values.extend(e.value for e in outcome.emissions if e.record_type == "ComplaintDispositioned")
    return values
