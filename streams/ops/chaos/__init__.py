"""``lapor-hub chaos``: fault injection against real brokers and real hub workers (issue #11).

Each scenario kills something under steady HTTP load from retrying clients, then counts from the
outside (the topics, the agency's system, every worker's API) how many complaints answered 202
were lost or duplicated, and how long failover and recovery took. Any loss or duplicate fails.

- :mod:`~lapor_hub.streams.ops.chaos.run`: the command and the run of one scenario;
- :mod:`~lapor_hub.streams.ops.chaos.scenarios`: the scenarios by name, and their durations (:class:`Plan`);
- :mod:`~lapor_hub.streams.ops.chaos.stage`, :mod:`~lapor_hub.streams.ops.chaos.workers`,
  :mod:`~lapor_hub.streams.ops.chaos.agency`: the processes (brokers, workers, an agency's app and its connector)
  and the faults done to them;
- :mod:`~lapor_hub.streams.ops.chaos.load`, :mod:`~lapor_hub.streams.ops.chaos.bodies`: the retrying clients and
  their complaints;
- :mod:`~lapor_hub.streams.ops.chaos.preload`: complaints the hub holds before the faults (state to restore);
- :mod:`~lapor_hub.streams.ops.chaos.observe`: the topics and the workers' APIs, read from outside;
- :mod:`~lapor_hub.streams.ops.chaos.model`, :mod:`~lapor_hub.streams.ops.chaos.counting`,
  :mod:`~lapor_hub.streams.ops.chaos.timing`, :mod:`~lapor_hub.streams.ops.chaos.report`: the pure part: what is
  counted, how, and the verdict.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    from lapor_hub.streams.ops.chaos.run import main as run_main

    return run_main(list(argv) if argv is not None else None)
