"""``lapor-hub``: run the hub and look after it from the command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import replace

from lapor_hub.streams.core.config import HubSettings
from lapor_hub.errors import ConfigurationError, HubError

__all__ = ["main"]


def _settings() -> HubSettings:
    return HubSettings.from_env()


def _cmd_run(args: argparse.Namespace) -> int:
    from lapor_hub.streams.worker import run_worker

    settings = _settings()
    # Demo complaints flow unless switched off: a newcomer should see routing happen.
    demo = not args.no_demo and (settings.demo if "LAPOR_DEMO" in os.environ else True)
    settings = replace(settings, demo=demo)
    return run_worker(settings, embedded=not os.environ.get("LAPOR_BROKER"), loglevel=args.loglevel)


def _cmd_broker(args: argparse.Namespace) -> int:
    from lapor_hub.streams.worker import local_broker

    broker = local_broker(_settings())
    if args.action == "start":
        print(broker.start().describe())
    elif args.action == "stop":
        print("broker stopped" if broker.stop() else "broker was not running")
    else:
        status = broker.status()
        print(status.describe())
        return 0 if status.running else 3
    return 0


def _cmd_topics(args: argparse.Namespace) -> int:
    from lapor_hub.streams.core.admin import init_topics
    from lapor_hub.streams.directory import default_directory

    settings = _settings()
    overrides = {k: v for k, v in (("partitions", args.partitions), ("agency_partitions", args.agency_partitions),
                                    ("replication_factor", args.replication)) if v is not None}
    settings = replace(settings, **overrides)
    created, existing = init_topics(settings, [a.code for a in default_directory()])
    print(f"{created} topics created, {existing} already existed")
    return 0


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


def _hub_get(path: str) -> dict | None:
    from lapor_hub.streams.cli.hubclient import hub_get

    return hub_get(path, web_port=_settings().web_port)


def _cmd_stats(args: argparse.Namespace) -> int:
    if args.code:
        stats = _hub_get(f"/api/v1/agencies/{args.code}/stats")
        if stats is None:
            print(f"lapor-hub: unknown agency {args.code!r} (see `lapor-hub directory list`)", file=sys.stderr)
            return 1
    else:
        stats = _hub_get("/api/v1/stats")
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
        return 0
    if args.code:
        print(f"{stats['agency']}  {stats['name']}")
        for key in ("received", "followed_up", "open", "awaiting_follow_up", "overdue", "escalated"):
            print(f"  {key.replace('_', ' '):<20} {stats[key]}")
        return 0
    funnel = stats["funnel"]
    print("funnel: " + " -> ".join(f"{k.replace('_', ' ')} {v}" for k, v in funnel.items()))
    print(f"overdue: {stats['overdue']}   escalated: {stats['escalated']}")
    for row in stats["top_overdue_agencies"]:
        print(f"  {row['agency']:<12} {row['overdue']:>5} overdue  {row['name']}")
    return 0


def _cmd_track(args: argparse.Namespace) -> int:
    view = _hub_get(f"/api/v1/complaints/{args.tracking_id}")
    if view is None:
        print(f"lapor-hub: no complaint {args.tracking_id} (a new one appears within seconds)", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(view, ensure_ascii=False, indent=2))
        return 0
    print(f"{view['tracking_id']}  {view['status']}  at {view.get('agency_code') or '-'} {view.get('agency_name') or ''}")
    for step in view.get("timeline", []):
        print(f"  {step['at']}  {step['type']:<28} {step.get('agency') or '':<12} {step.get('summary', '')}")
    return 0


def _cmd_readmodel(args: argparse.Namespace) -> int:
    from lapor_hub.streams.readmodel.rebuild import rebuild_read_model

    settings = _settings()
    url = args.database_url or settings.read_model_url
    applied = rebuild_read_model(settings, url)
    print(f"read model rebuilt from {settings.broker}: {applied} events applied")
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from lapor_hub.streams.ops.bench import main as bench_main

    return bench_main(args.bench_args)


def _cmd_chaos(args: argparse.Namespace) -> int:
    from lapor_hub.streams.ops.chaos import main as chaos_main

    return chaos_main(args.chaos_args)


def _cmd_access(args: argparse.Namespace) -> int:
    from lapor_hub.streams.ops.access import grant_agency, list_permissions, revoke_agency
    from lapor_hub.streams.directory import default_directory

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
            raise ConfigurationError("give the agency principal's password with --password-file or LAPOR_AGENCY_PASSWORD")
        granted = grant_agency(settings, default_directory(), args.agency, args.principal, password)
        print(f"granted {len(granted)} permissions to User:{args.principal} for {args.agency}")
    else:
        revoke_agency(settings, default_directory(), args.agency, args.principal)
        print(f"revoked the permissions of User:{args.principal} for {args.agency}")
    return 0


def _cmd_schemas(args: argparse.Namespace) -> int:
    from lapor_hub.schemas.cli import check_command

    return check_command()


def _agency_json(agency) -> dict:
    return {
        "code": agency.code, "name": agency.name, "kind": agency.kind.value, "level": agency.level.value,
        "province_code": agency.province_code, "time_zone": agency.time_zone.name,
        "inbox": agency.inbox_topic, "outbox": agency.outbox_topic,
        "supervision_chain": [{"code": s.code, "office": s.office} for s in agency.supervision_chain],
    }


def _parser() -> argparse.ArgumentParser:
    from lapor_hub.streams.directory import AgencyKind
    from lapor_hub.streams.identity.cli import add_users_command
    from lapor_hub.streams.cli.status import add_status_command

    parser = argparse.ArgumentParser(prog="lapor-hub", description="LAPOR Hub: the SP4N-LAPOR! event backbone")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="bring the whole hub up (broker, topics, worker, web server)")
    run.add_argument("--no-demo", action="store_true", help="do not feed demo complaints")
    run.add_argument("--loglevel", default="INFO")
    run.set_defaults(func=_cmd_run)

    broker = sub.add_parser("broker", help="the local Kafka broker managed by the project")
    broker.add_argument("action", choices=["start", "stop", "status"])
    broker.set_defaults(func=_cmd_broker)

    topics = sub.add_parser("topics", help="the hub's topics")
    topics.add_argument("action", choices=["init"])
    topics.add_argument("--partitions", type=int, help="partitions of the hub topics (LAPOR_TOPIC_PARTITIONS)")
    topics.add_argument("--agency-partitions", type=int, help="partitions of each agency topic")
    topics.add_argument("--replication", type=int, help="replication factor (LAPOR_TOPIC_REPLICATION)")
    topics.set_defaults(func=_cmd_topics)

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

    track = sub.add_parser("track", help="where a complaint stands, from the running hub's API")
    track.add_argument("tracking_id")
    track.add_argument("--json", action="store_true")
    track.set_defaults(func=_cmd_track)

    stats = sub.add_parser("stats", help="national or per-agency statistics from the running hub")
    stats.add_argument("code", nargs="?", help="an agency code; national figures when left out")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(func=_cmd_stats)

    dlq = sub.add_parser("dlq", help="dead letters on complaints.deadletter")
    dlq.add_argument("action", choices=["list", "replay"])
    dlq.add_argument("--limit", type=int, default=50, help="list: show the latest N")
    dlq.add_argument("--stage", help="replay: only dead letters from this stage (intake, outbox, lifecycle, ...)")
    dlq.add_argument("--source-topic", help="replay: only dead letters from this topic")
    dlq.add_argument("--dry-run", action="store_true", help="replay: show what would be replayed")
    dlq.set_defaults(func=_cmd_dlq)

    readmodel = sub.add_parser("readmodel", help="the SQL read model")
    readmodel.add_argument("action", choices=["rebuild"],
                           help="drop the read model and replay complaints.events into it (stop the hub first)")
    readmodel.add_argument("--database-url", help="rebuild into this database instead (LAPOR_DATABASE_URL)")
    readmodel.set_defaults(func=_cmd_readmodel)

    # The bench parses its own flags (`lapor-hub bench --help`): "+" as prefix passes them through.
    bench = sub.add_parser("bench", help="benchmark one worker against a raw Kafka passthrough (make bench)",
                           add_help=False, prefix_chars="+")
    bench.add_argument("bench_args", nargs="*", metavar="FLAGS")
    bench.set_defaults(func=_cmd_bench)

    # Like the bench, the chaos suite parses its own flags (`lapor-hub chaos --help`).
    chaos = sub.add_parser("chaos", help="fault injection: lost and duplicated complaints, failover times (make chaos)",
                           add_help=False, prefix_chars="+")
    chaos.add_argument("chaos_args", nargs="*", metavar="FLAGS")
    chaos.set_defaults(func=_cmd_chaos)

    access = sub.add_parser("access", help="per-agency broker access (SASL/SCRAM principals and ACLs)")
    access.add_argument("action", choices=["grant", "revoke", "list"])
    access.add_argument("agency", nargs="?", help="the agency code, e.g. 18.10")
    access.add_argument("--principal", help="the connector's Kafka user name, e.g. connect-pringsewu")
    access.add_argument("--password-file", help="grant: a file holding the principal's password")
    access.set_defaults(func=_cmd_access)

    schemas = sub.add_parser("schemas", help="the Avro event contract")
    schemas.add_argument("action", choices=["check"],
                         help="check every version of every subject against all earlier ones (FULL_TRANSITIVE)")
    schemas.set_defaults(func=_cmd_schemas)
    add_status_command(sub)
    add_users_command(sub)
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


if __name__ == "__main__":
    sys.exit(main())
