"""``lapor-hub bench`` flags, as a frozen settings object."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BenchOptions", "parse_options"]


@dataclass(frozen=True)
class BenchOptions:
    #: Complaints in each throughput burst (baseline and hub alike).
    complaints: int = 5000
    #: Offered load of the latency phase, complaints per second, for ``duration`` seconds.
    offered_rate: float = 300.0
    duration: float = 10.0
    #: Complaints taken through the full lifecycle (updates and read model).
    lifecycle_complaints: int = 2000
    #: Complaints sent first and not measured (connections, caches, consumer group settled).
    warmup: int = 300
    #: Partitions of the hub topics when the bench creates them (existing topics keep theirs).
    partitions: int = 4
    #: An existing broker to use; by default the bench starts its own in a temporary directory.
    broker: str | None = None
    json_path: Path | None = None
    #: Run the worker under cProfile (slower) and write its profile here.
    profile_worker: Path | None = None
    #: Also profile the hub's pure hot path in-process.
    profile: bool = False
    #: Workers of the scale-out phase (burst and lifecycle again, in one group); 0 skips it.
    scale_out_workers: int = 2
    #: Seconds to wait for the outputs of one phase.
    timeout: float = 180.0
    seed: int = 1708
    quick: bool = False


def parse_options(argv: Sequence[str] | None) -> BenchOptions:
    parser = argparse.ArgumentParser(
        prog="lapor-hub bench",
        description="Benchmark one hub worker (intake -> routing -> delivery, the full lifecycle, the codec) "
                    "against a raw Kafka passthrough on the same broker, in one run.")
    parser.add_argument("--complaints", type=int, help="complaints per throughput burst (default 5000)")
    parser.add_argument("--offered-rate", type=float,
                        help="offered load of the latency phase, per second (default 300)")
    parser.add_argument("--duration", type=float, help="seconds of the latency phase (default 10)")
    parser.add_argument("--lifecycle-complaints", type=int, help="complaints through the full lifecycle (default 2000)")
    parser.add_argument("--partitions", type=int, help="partitions of the hub topics it creates (default 4)")
    parser.add_argument("--scale-out-workers", type=int,
                        help="workers of the scale-out phase, compared with one worker (default 2; 0 skips it)")
    parser.add_argument("--broker", help="use this running broker (host:port) instead of starting one")
    parser.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    parser.add_argument("--json", dest="json_path", type=Path,
                        help="write the results here (default bench-results/bench-<timestamp>.json)")
    parser.add_argument("--profile", action="store_true", help="also profile the hub's pure hot path in-process")
    parser.add_argument("--profile-worker", type=Path, help="run the worker under cProfile and write the profile here")
    parser.add_argument("--timeout", type=float, help="seconds to wait for one phase's outputs (default 180)")
    parser.add_argument("--seed", type=int, help="workload seed (default 1708)")
    args = parser.parse_args(argv)
    base = BenchOptions(complaints=300, offered_rate=100.0, duration=3.0, lifecycle_complaints=150, warmup=50,
                        quick=True) if args.quick else BenchOptions()
    given = {name: value for name, value in vars(args).items() if value is not None and name != "quick"}
    for name in ("complaints", "lifecycle_complaints", "partitions"):
        if name in given and given[name] < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if given.get("scale_out_workers") == 1 or given.get("scale_out_workers", 0) < 0:
        parser.error("--scale-out-workers must be 0 (no scale-out phase) or at least 2")
    for name in ("offered_rate", "duration", "timeout"):
        if name in given and given[name] <= 0:
            parser.error(f"--{name.replace('_', '-')} must be positive")
    from dataclasses import replace

    return replace(base, **{k: v for k, v in given.items() if k != "profile" or v})
