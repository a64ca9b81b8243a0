"""``lapor-hub readmodel rebuild``: the read model from the event log."""

from __future__ import annotations

import argparse

from lapor_hub.streams.cli._settings import settings as _settings

__all__ = ["add_commands"]


def _cmd_readmodel(args: argparse.Namespace) -> int:
    from lapor_hub.streams.readmodel.rebuild import rebuild_read_model

    settings = _settings()
    url = args.database_url or settings.read_model_url
    applied = rebuild_read_model(settings, url)
    print(f"read model rebuilt from {settings.broker}: {applied} events applied")
    return 0


def add_commands(sub) -> None:
    readmodel = sub.add_parser("readmodel", help="the SQL read model")
    readmodel.add_argument("action", choices=["rebuild"],
                           help="drop the read model and replay complaints.events into it (stop the hub first)")
    readmodel.add_argument("--database-url", help="rebuild into this database instead (LAPOR_DATABASE_URL)")
    readmodel.set_defaults(func=_cmd_readmodel)
