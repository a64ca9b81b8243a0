"""``lapor-hub run``, ``broker`` and ``topics``: bring the hub up, the local broker, the topics."""

from __future__ import annotations

import argparse
import os
from dataclasses import replace

from lapor_hub.streams.cli._settings import settings as _settings
from lapor_hub.streams.cli._waiting import until_done

__all__ = ["add_commands"]


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
    codes = [a.code for a in default_directory()]
    created, existing = until_done(lambda: init_topics(settings, codes), wait_s=args.wait, what="creating the topics")
    print(f"{created} topics created, {existing} already existed")
    return 0


def add_commands(sub) -> None:
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
    topics.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                        help="keep trying while the brokers cannot be reached, up to SECONDS (a deploy step)")
    topics.set_defaults(func=_cmd_topics)
