"""``lapor-hub schemas check``: the event contract's compatibility."""

from __future__ import annotations

import argparse

__all__ = ["add_commands"]


def _cmd_schemas(args: argparse.Namespace) -> int:
    from lapor_hub.schemas.cli import check_command

    return check_command()


def add_commands(sub) -> None:
    schemas = sub.add_parser("schemas", help="the Avro event contract")
    schemas.add_argument("action", choices=["check"],
                         help="check every version of every subject against all earlier ones (FULL_TRANSITIVE)")
    schemas.set_defaults(func=_cmd_schemas)
