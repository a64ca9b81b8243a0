"""``lapor-hub bench``: how many complaints one hub worker routes, what it costs, and how far that
is from a raw Kafka passthrough on the same broker (issue #8).

- :mod:`~lapor_hub.streams.ops.bench.run`: the run, phase by phase; :func:`main` is the command;
- :mod:`~lapor_hub.streams.ops.bench.workload`, :mod:`~lapor_hub.streams.ops.bench.updates`: realistic complaints
  and agency updates;
- :mod:`~lapor_hub.streams.ops.bench.phases`, :mod:`~lapor_hub.streams.ops.bench.kafka_io`: burst, offered load,
  lifecycle;
- :mod:`~lapor_hub.streams.ops.bench.processes`, :mod:`~lapor_hub.streams.ops.bench.passthrough`: the processes
  under test;
- :mod:`~lapor_hub.streams.ops.bench.stats`, :mod:`~lapor_hub.streams.ops.bench.procstat`,
  :mod:`~lapor_hub.streams.ops.bench.report`: the figures;
- :mod:`~lapor_hub.streams.ops.bench.codec_bench`, :mod:`~lapor_hub.streams.ops.bench.profiling`: codec and
  hot-path profile;
- :mod:`~lapor_hub.streams.ops.bench.national`, :mod:`~lapor_hub.streams.ops.bench.history`:
  ``lapor-hub bench national``, one worker holding the national history (memory, restarts, the SLA timer, the
  store).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """``lapor-hub bench [FLAGS]``, or ``lapor-hub bench national [FLAGS]`` (the state at national scale)."""
    args = list(argv) if argv is not None else None
    if args and args[0] == "national":
        from lapor_hub.streams.ops.bench.national import main as national_main

        return national_main(args[1:])
    from lapor_hub.streams.ops.bench.run import main as run_main

    return run_main(args)
