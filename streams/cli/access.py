"""``lapor-hub access grant|revoke|list``: per-agency broker access."""

from __future__ import annotations

import argparse
import os

from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.cli._settings import settings as _settings

__all__ = ["add_commands"]


def _cmd_access(args: argparse.Namespace) -> int:
    from lapor_hub.streams.directory import default_directory
    from lapor_hub.streams.ops.access import (
        grant_agency,
        list_permissions,
        revoke_agency,
    )

    settings = _settings()
    if args.action == "list":
        for p in list_permissions(settings):
            suffix = "*" if p.prefixed else ""
            print(f"{p.principal:<32} {p.operation:<9} {p.resource_type} {p.resource}{suffix}")
        return 0
    if not (args.agency and args.principal):
        raise ConfigurationError(f"access {args.action} needs AGENCY and --principal")
    if args.action == "grant":
        password = os.environ.get("LAPOR_AGENCY_PASSWORD")
        if args.password_file:
            password = open(args.password_file, encoding="utf-8").read().strip()
        if not password:
            raise ConfigurationError(
                "give the agency principal's password with --password-file or LAPOR_AGENCY_PASSWORD")
        granted = grant_agency(settings, default_directory(), args.agency, args.principal, password)
        print(f"granted {len(granted)} permissions to User:{args.principal} for {args.agency}")
    else:
        revoke_agency(settings, default_directory(), args.agency, args.principal)
        print(f"revoked the permissions of User:{args.principal} for {args.agency}")
    return 0


def add_commands(sub) -> None:
    access = sub.add_parser("access", help="per-agency broker access (SASL/SCRAM principals and ACLs)")
    access.add_argument("action", choices=["grant", "revoke", "list"])
    access.add_argument("agency", nargs="?", help="the agency code, e.g. 18.10")
    access.add_argument("--principal", help="the connector's Kafka user name, e.g. connect-pringsewu")
    access.add_argument("--password-file", help="grant: a file holding the principal's password")
    access.set_defaults(func=_cmd_access)
