"""``lapor-hub access grant|revoke|list|apply``: who may use the broker, and for what."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.cli._settings import settings as _settings
from lapor_hub.streams.cli._waiting import until_done

__all__ = ["add_commands"]


def _cmd_access(args: argparse.Namespace) -> int:
    from lapor_hub.streams.directory import default_directory
    from lapor_hub.streams.ops.access import grant_agency, list_permissions, revoke_agency

    settings = _settings()
    if args.action == "list":
        for p in list_permissions(settings):
            suffix = "*" if p.prefixed else ""
            print(f"{p.principal:<32} {p.operation:<16} {p.resource_type} {p.resource}{suffix}")
        return 0
    if args.action == "apply":
        return _apply(args, settings)
    if not (args.target and args.principal):
        raise ConfigurationError(f"access {args.action} needs AGENCY and --principal")
    if args.action == "grant":
        password = os.environ.get("LAPOR_AGENCY_PASSWORD")
        if args.password_file:
            try:
                password = Path(args.password_file).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigurationError(f"--password-file {args.password_file}: {exc.strerror}") from None
        if not password:
            raise ConfigurationError(
                "give the agency principal's password with --password-file or LAPOR_AGENCY_PASSWORD")
        granted = grant_agency(settings, default_directory(), args.target, args.principal, password)
        print(f"granted {len(granted)} permissions to User:{args.principal} for {args.target}")
    else:
        revoke_agency(settings, default_directory(), args.target, args.principal)
        print(f"revoked the permissions of User:{args.principal} for {args.target}")
    return 0


def _apply(args: argparse.Namespace, settings) -> int:
    from lapor_hub.streams.directory import default_directory
    from lapor_hub.streams.ops.access import apply_plan, load_plan

    if not args.target:
        raise ConfigurationError("access apply needs the plan file, e.g. lapor-hub access apply docker/access.yaml")
    directory = default_directory()
    plan = load_plan(Path(args.target), directory)
    applied = until_done(lambda: apply_plan(settings, plan, directory), wait_s=args.wait,
                         what="applying the access plan")
    print(f"credentials set for {', '.join(applied.principals) or 'nobody'}; ACLs: {len(applied.added)} added, "
          f"{len(applied.removed)} removed, {applied.unchanged} already there")
    for permission in applied.removed:
        print(f"  removed {permission.principal} {permission.operation} {permission.resource_type} "
              f"{permission.resource}{'*' if permission.prefixed else ''}")
    if applied.unmanaged:
        print(f"not in the plan, left as they are: {', '.join(applied.unmanaged)} "
              "(`lapor-hub access list` shows what they hold)")
    return 0


def add_commands(sub) -> None:
    access = sub.add_parser(
        "access", help="who may use the broker: SASL/SCRAM principals and their ACLs",
        description="Run as the cluster admin (LAPOR_BROKER: the internal listener; LAPOR_BROKER_CERT/KEY: the "
                    "admin's certificate). apply PLAN makes the cluster match an access plan (docker/access.yaml), "
                    "idempotently: it sets each principal's credential, adds the ACLs it lacks and removes those "
                    "it holds beyond the plan.")
    access.add_argument("action", choices=["grant", "revoke", "list", "apply"])
    access.add_argument("target", nargs="?", metavar="AGENCY|PLAN",
                        help="grant/revoke: the agency code, e.g. 18.10; apply: the plan file")
    access.add_argument("--principal", help="the connector's Kafka user name, e.g. connect-pringsewu")
    access.add_argument("--password-file", help="grant: a file holding the principal's password")
    access.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                        help="apply: keep trying while the brokers cannot be reached, up to SECONDS (a deploy step)")
    access.set_defaults(func=_cmd_access)
