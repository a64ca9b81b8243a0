"""``lapor-hub``: run the hub and look after it from the command line.

One module per command group; each adds its commands to the parser (``add_commands``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from lapor_hub.errors import ConfigurationError, HubError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    from lapor_hub.streams.cli import (
        access,
        audit,
        certs,
        complaints,
        deadletters,
        directory,
        health,
        privacy,
        readmodel,
        run,
        schemas,
        tools,
        users,
    )

    parser = argparse.ArgumentParser(prog="lapor-hub", description="LAPOR Hub: the SP4N-LAPOR! event backbone")
    sub = parser.add_subparsers(dest="command", required=True)
    for group in (run, directory, complaints, deadletters, readmodel, tools, access, certs, schemas, health,
                  users, privacy, audit):
        group.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except ConfigurationError as exc:
        print(f"lapor-hub: configuration error: {exc}", file=sys.stderr)
        return 2
    except HubError as exc:
        print(f"lapor-hub: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


