"""Throughput of ReadModel.apply: ``python -m tests.readmodel.bench_readmodel [URL] [COMPLAINTS]``.

Prints events per second for live-sized batches and for a full replay. Not collected by pytest.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from lapor_hub.streams.readmodel import open_read_model
from tests.readmodel.test_idempotency import _busy_day


def main(url: str | None = None, complaints: int = 5000, batch: int = 500) -> None:
    url = url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    events = _busy_day(seed=1, complaints=complaints)
    model = open_read_model(url)
    model.drop_schema()
    model.create_schema()
    started = time.perf_counter()
    for start in range(0, len(events), batch):
        model.apply(events[start : start + batch])
    live = time.perf_counter() - started
    started = time.perf_counter()
    for start in range(0, len(events), batch):
        model.apply(events[start : start + batch])
    redelivery = time.perf_counter() - started
    print(f"{model.engine.dialect.name}: {len(events)} events in batches of {batch}: "
          f"{len(events) / live:,.0f} events/s applied, {len(events) / redelivery:,.0f} events/s skipped as seen")
    model.dispose()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None, int(sys.argv[2]) if len(sys.argv) > 2 else 5000)
