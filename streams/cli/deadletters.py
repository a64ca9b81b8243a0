"""``lapor-hub dlq list|replay``: dead letters."""

from __future__ import annotations

import argparse

from lapor_hub.streams.cli._settings import settings as _settings

__all__ = ["add_commands"]


def _cmd_dlq(args: argparse.Namespace) -> int:
    from lapor_hub.streams.ops.dlq import read_dead_letters, replay_dead_letters

    settings = _settings()
    if args.action == "list":
        entries = read_dead_letters(settings)[-args.limit:]
        for e in entries:
            print(f"{e.partition}:{e.offset:<6} {e.failed_at:%Y-%m-%d %H:%M:%S}  {e.source_topic}[{e.source_partition}]"
                  f"@{e.source_offset}  {e.stage}  {e.error_class}: {e.reason}")
        print(f"{len(entries)} dead letters shown")
        return 0
    replayed = replay_dead_letters(settings, stage=args.stage, source_topic=args.source_topic, dry_run=args.dry_run)
    verb = "would replay" if args.dry_run else "replayed"
    for e in replayed:
        print(f"{verb} {e.source_topic}[{e.source_partition}]@{e.source_offset} ({e.stage}: {e.error_class})")
    print(f"{len(replayed)} dead letters {verb}")
    return 0


def add_commands(sub) -> None:
    dlq = sub.add_parser("dlq", help="dead letters on complaints.deadletter")
    dlq.add_argument("action", choices=["list", "replay"])
    dlq.add_argument("--limit", type=int, default=50, help="list: show the latest N")
    dlq.add_argument("--stage", help="replay: only dead letters from this stage (intake, outbox, lifecycle, ...)")
    dlq.add_argument("--source-topic", help="replay: only dead letters from this topic")
    dlq.add_argument("--dry-run", action="store_true", help="replay: show what would be replayed")
    dlq.set_defaults(func=_cmd_dlq)
