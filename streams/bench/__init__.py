"""``lapor-hub bench``: how many complaints one hub worker routes, what it costs, and how far that
is from a raw Kafka passthrough on the same broker (issue #8).

- :mod:`~streams.bench.run`: the run, phase by phase; :func:`main` is the command;
- :mod:`~streams.bench.workload`, :mod:`~streams.bench.updates`: realistic complaints and agency updates;
- :mod:`~streams.bench.phases`, :mod:`~streams.bench.kafka_io`: burst, offered load, lifecycle;
- :mod:`~streams.bench.processes`, :mod:`~streams.bench.passthrough`: the processes under test;
- :mod:`~streams.bench.stats`, :mod:`~streams.bench.procstat`, :mod:`~streams.bench.report`: the figures;
- :mod:`~streams.bench.codec_bench`, :mod:`~streams.bench.profiling`: codec and hot-path profile.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    from streams.bench.run import main as run_main

    return run_main(list(argv) if argv is not None else None)
