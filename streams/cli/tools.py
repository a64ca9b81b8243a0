"""``lapor-hub bench`` and ``chaos``: the benchmark and the fault-injection suite (they parse their own flags)."""

from __future__ import annotations

import argparse

__all__ = ["add_commands"]


def _cmd_bench(args: argparse.Namespace) -> int:
    from lapor_hub.streams.ops.bench import main as bench_main

    return bench_main(args.bench_args)


def _cmd_chaos(args: argparse.Namespace) -> int:
    from lapor_hub.streams.ops.chaos import main as chaos_main

    return chaos_main(args.chaos_args)


def add_commands(sub) -> None:
    # The bench parses its own flags (`lapor-hub bench --help`): "+" as prefix passes them through.
    bench = sub.add_parser("bench", help="benchmark one worker against a raw Kafka passthrough (make bench); "
                                         "`bench national`: the state at national scale (make bench-national)",
                           add_help=False, prefix_chars="+")
    bench.add_argument("bench_args", nargs="*", metavar="FLAGS")
    bench.set_defaults(func=_cmd_bench)

    # Like the bench, the chaos suite parses its own flags (`lapor-hub chaos --help`).
    chaos = sub.add_parser("chaos", help="fault injection: lost and duplicated complaints, failover times (make chaos)",
                           add_help=False, prefix_chars="+")
    chaos.add_argument("chaos_args", nargs="*", metavar="FLAGS")
    chaos.set_defaults(func=_cmd_chaos)
