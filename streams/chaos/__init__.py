"""``lapor-hub chaos``: fault injection against real brokers and real hub workers (issue #11).

Each scenario kills something under steady HTTP load from retrying clients, then counts from the
outside (the topics, the agency's system, every worker's API) how many complaints answered 202
were lost or duplicated, and how long failover and recovery took. Any loss or duplicate fails.

- :mod:`~streams.chaos.run`: the command and the run of one scenario;
- :mod:`~streams.chaos.scenarios`: the scenarios by name, and their durations (:class:`Plan`);
- :mod:`~streams.chaos.stage`, :mod:`~streams.chaos.workers`, :mod:`~streams.chaos.agency`: the
  processes (brokers, workers, an agency's app and its connector) and the faults done to them;
- :mod:`~streams.chaos.load`, :mod:`~streams.chaos.bodies`: the retrying clients and their complaints;
- :mod:`~streams.chaos.preload`: complaints the hub holds before the faults (state to restore);
- :mod:`~streams.chaos.observe`: the topics and the workers' APIs, read from outside;
- :mod:`~streams.chaos.model`, :mod:`~streams.chaos.counting`, :mod:`~streams.chaos.timing`,
  :mod:`~streams.chaos.report`: the pure part: what is counted, how, and the verdict.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    from streams.chaos.run import main as run_main

    return run_main(list(argv) if argv is not None else None)
