"""``lapor-hub chaos`` flags, as a frozen settings object."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ChaosOptions", "parse_options"]


@dataclass(frozen=True)
class ChaosOptions:
    #: Scenario names, in the order run; every scenario when empty.
    scenarios: tuple[str, ...] = ()
    #: Short durations (the form ``make test`` runs) instead of the full ones.
    short: bool = False
    json_path: Path | None = None
    #: Partitions of the hub topics (LAPOR_TOPIC_PARTITIONS of the workers).
    partitions: int = 4
    #: Keep brokers' and workers' data and logs here instead of a temporary folder.
    work_dir: Path | None = None
    seed: int = 1708
    #: Complaints held before the load in scenarios that preload; the plan's number when None.
    preload: int | None = None


def parse_options(argv: Sequence[str] | None) -> ChaosOptions:
    from lapor_hub.streams.ops.chaos.scenarios import SCENARIOS

    listing = "; ".join(f"{name}: {s.what}" for name, s in SCENARIOS.items())
    parser = argparse.ArgumentParser(
        prog="lapor-hub chaos",
        description="Fault injection against real brokers and real hub workers on loopback: count complaints "
                    "answered 202, lost and duplicated, and the failover and recovery times. Exits non-zero "
                    "on any loss or duplicate.",
        epilog=f"Scenarios: {listing}.")
    parser.add_argument("--short", action="store_true", help="short durations (the form make test runs)")
    parser.add_argument("--scenario", action="extend", nargs="+", choices=list(SCENARIOS), metavar="NAME",
                        help=f"run these scenarios (repeatable; default all: {', '.join(SCENARIOS)})")
    parser.add_argument("--json", dest="json_path", type=Path,
                        help="write the results here (default bench-results/chaos-<timestamp>.json)")
    parser.add_argument("--partitions", type=int, default=4, help="partitions of the hub topics (default 4)")
    parser.add_argument("--work-dir", type=Path, help="keep brokers' and workers' data and logs here, and every "
                                                     "request in <scenario>/attempts.jsonl")
    parser.add_argument("--seed", type=int, default=1708, help="seed of the complaint bodies")
    parser.add_argument("--preload", type=int, help="complaints the hub holds before the load in worker-kill "
                                                    "(default 20000, 0 with --short)")
    args = parser.parse_args(argv)
    if args.partitions < 1:
        parser.error("--partitions must be at least 1")
    if args.preload is not None and args.preload < 0:
        parser.error("--preload must not be negative")
    return ChaosOptions(scenarios=tuple(args.scenario or ()), short=args.short, json_path=args.json_path,
                        partitions=args.partitions, work_dir=args.work_dir, seed=args.seed,
                        preload=args.preload)
