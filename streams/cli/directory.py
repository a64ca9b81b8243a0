"""``lapor-hub directory list|show``: the agency directory."""

from __future__ import annotations

import argparse
import json

from lapor_hub.streams.directory import AgencyKind

__all__ = ["add_commands"]


def _cmd_directory(args: argparse.Namespace) -> int:
    from lapor_hub.streams.directory import AgencyKind, default_directory

    directory = default_directory()
    if args.action == "show":
        agency = directory.get(args.code)
        if args.json:
            print(json.dumps(_agency_json(agency), ensure_ascii=False, indent=2))
            return 0
        print(f"{agency.code}  {agency.name}")
        print(f"  kind: {agency.kind.value}   level: {agency.level.value}   time zone: "
              f"{agency.time_zone.name} ({agency.time_zone.value})")
        province = directory.province_of(agency)
        if province is not None and province.code != agency.code:
            print(f"  province: {province.code} {province.name.removeprefix('PROVINSI ')}")
        print(f"  inbox: {agency.inbox_topic}   outbox: {agency.outbox_topic}")
        print("  supervision chain (escalation order):")
        for step, supervisor in enumerate(agency.supervision_chain, start=1):
            print(f"    {step}. {supervisor.code:<12} {supervisor.office}")
        return 0
    kind = AgencyKind(args.kind) if args.kind else None
    agencies = directory.find(kind=kind, province_code=args.province)
    if args.json:
        print(json.dumps([_agency_json(a) for a in agencies], ensure_ascii=False, indent=2))
    else:
        for a in agencies:
            print(f"{a.code:<20} {a.kind.value:<22} {a.time_zone.name:<5} {a.name}")
        print(f"{len(agencies)} agencies")
    return 0


def _agency_json(agency) -> dict:
    return {
        "code": agency.code, "name": agency.name, "kind": agency.kind.value, "level": agency.level.value,
        "province_code": agency.province_code, "time_zone": agency.time_zone.name,
        "inbox": agency.inbox_topic, "outbox": agency.outbox_topic,
        "supervision_chain": [{"code": s.code, "office": s.office} for s in agency.supervision_chain],
    }


def add_commands(sub) -> None:
    directory = sub.add_parser("directory", help="the agency directory")
    dsub = directory.add_subparsers(dest="action", required=True)
    dlist = dsub.add_parser("list", help="list agencies")
    dlist.add_argument("--kind", choices=[k.value for k in AgencyKind])
    dlist.add_argument("--province", help="Kemendagri province code, e.g. 18")
    dlist.add_argument("--json", action="store_true")
    dshow = dsub.add_parser("show", help="one agency with its supervision chain")
    dshow.add_argument("code")
    dshow.add_argument("--json", action="store_true")
    directory.set_defaults(func=_cmd_directory)
