"""Compare the codec with raw fastavro on the same schemas (not a test; prints numbers).

    .venv/bin/python -m tests.schemas.bench_codec
"""

from __future__ import annotations

import timeit
from functools import partial
from io import BytesIO

from fastavro import schemaless_reader, schemaless_writer

from lapor_hub.schemas import decode, default_catalog, encode
from tests.schemas.samples import SAMPLES


def main(number: int = 20_000) -> None:
    print(f"{'record type':28} {'encode µs':>10} {'raw':>7} {'decode µs':>10} {'raw':>7}")
    for record_type in ("ComplaintSubmitted", "ComplaintDispositioned", "SlaWarning", "DeadLetter"):
        value, parsed = SAMPLES[record_type], default_catalog().latest(record_type).parsed
        data = encode(record_type, value)
        calls = (partial(encode, record_type, value), partial(_raw_encode, parsed, value),
                 partial(decode, data), partial(_raw_decode, parsed, data))
        timings = [timeit.timeit(call, number=number) / number * 1e6 for call in calls]
        print(f"{record_type:28} {timings[0]:10.1f} {timings[1]:7.1f} {timings[2]:10.1f} {timings[3]:7.1f}")


def _raw_encode(parsed, value):
    out = BytesIO()
    schemaless_writer(out, parsed, value)
    return out.getvalue()


def _raw_decode(parsed, data):
    buffer = BytesIO(data)
    buffer.seek(5)
    return schemaless_reader(buffer, parsed, None)


if __name__ == "__main__":
    main()
