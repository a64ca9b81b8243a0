"""``lapor-connect``: start a config, list connector types, print a config schema, check, sandbox, run.

Exit codes: 0 fine, 1 the connector failed (check failed, or it stopped on a fatal error),
2 the configuration is wrong (the message says which key and what to do).
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from pathlib import Path

from lapor_hub.connectors.contract import write as write_contract
from lapor_hub.connectors.hubview import HubView
from lapor_hub.connectors.sandbox import Sandbox
from lapor_hub.connectors.scaffold import default_id, starting_config
from lapor_hub.connectors.sdk.config_file import config_schema, load_config
from lapor_hub.connectors.sdk.registry import available_types, connector_class
from lapor_hub.connectors.sdk.runtime import ConnectorRuntime, check_broker
from lapor_hub.errors import ConfigurationError, FatalError, HubError, RetriableError

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # `run` tells what it does; the other commands print only their answer unless asked for more.
    level = args.log_level or ("INFO" if args.command == "run" else "WARNING")
    logging.basicConfig(level=getattr(logging, level), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.log_level is None and args.command != "run":
        logging.getLogger("kafka").setLevel(logging.ERROR)  # its connection chatter is not the answer
    try:
        return args.func(args)
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except HubError as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


def _list(args: argparse.Namespace) -> int:
    for name, target in sorted(available_types().items()):
        print(f"{name:<12} {target}")
    return 0


def _spec(args: argparse.Namespace) -> int:
    print(json.dumps(config_schema(args.type), indent=2, ensure_ascii=False))
    return 0


def _connector(path: str):
    config = load_config(path)
    return connector_class(config.type)(config)


def _check(args: argparse.Namespace) -> int:
    connector = _connector(args.config)
    config = connector.config
    connector.check()
    if not args.skip_broker:
        check_broker(config)
    print(f"ok: {config.type} connector {config.id!r} for agency {config.agency}: agency system reachable"
          + ("" if args.skip_broker else f", broker {config.broker.bootstrap} and topics ready"))
    return 0


def _run(args: argparse.Namespace) -> int:
    connector = _connector(args.config)
    try:
        connector.check()  # a wrong configuration fails here, before anything is consumed
    except RetriableError as exc:
        # The agency system is down for now: start anyway; deliveries wait and retry with backoff,
        # so a supervisor restarting the connector during an outage does not loop on exit codes.
        logging.getLogger("connectors").warning("starting although the agency system is not reachable: %s", exc)
    hub_url = connector.config.hub_url
    runtime = ConnectorRuntime(connector, update_check=HubView(hub_url, connector.config.agency) if hub_url else None)

    def stop(signum, frame) -> None:
        logging.getLogger("connectors").info("received %s: stopping after the current call",
                                             signal.Signals(signum).name)
        runtime.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        runtime.run()
    except FatalError as exc:
        print(f"error: connector stopped: {exc}", file=sys.stderr)
        return 1
    return 0


def _init(args: argparse.Namespace) -> int:
    text = starting_config(args.type, args.agency, connector_id=args.id, bootstrap=args.bootstrap)
    if args.out == "-":
        print(text, end="")
        return 0
    path = Path(args.out or f"{default_id(args.type, args.agency)}.yaml")
    if path.exists() and not args.force:
        raise ConfigurationError(f"{path} exists; choose another --out or add --force to replace it")
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot write {path} ({exc.strerror}); choose another --out") from None
    print(f"wrote {path}: fill in the CHANGE-ME values, then `lapor-connect check {path}` and "
          f"`lapor-connect sandbox {path}`")
    return 0


def _sandbox(args: argparse.Namespace) -> int:
    report = Sandbox(_connector(args.config), wait=args.wait).run()
    return 0 if report.passed else 1


def _contract(args: argparse.Namespace) -> int:
    for path in write_contract(Path(args.out)):
        print(path)
    return 0


_SANDBOX_HELP = ("Play the hub for CONFIG's connector, with nothing at stake (no broker, nothing published): "
                 "check(), one sample delivery of every kind and a redelivery, then the agency's updates "
                 "checked as the hub would. Prints what the agency system answered and PASS or FAIL.")

_EPILOG = """\
examples:
  lapor-connect init webhook --agency 18.10             # writes pringsewu-webhook.yaml to start from
  lapor-connect sandbox pringsewu-webhook.yaml          # sample deliveries, nothing at stake
  lapor-connect list
  lapor-connect spec webhook > webhook.schema.json      # JSON Schema of a webhook config file
  lapor-connect spec my_package.module:MyConnector      # the same for a class not yet packaged
  lapor-connect check connectors/examples/pringsewu-webhook.yaml
  lapor-connect run   connectors/examples/pringsewu-webhook.yaml

exit codes: 0 fine, 1 the connector failed, 2 the configuration is wrong.
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lapor-connect", description="Run LAPOR Hub connectors.", epilog=_EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                        help="default: INFO for run, WARNING (and no Kafka client chatter) for the others")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="connector types: built-ins and entry points 'lapor_hub.connectors'"
                   ).set_defaults(func=_list)
    spec = sub.add_parser(
        "spec", help="print the JSON Schema of TYPE's config file: the common keys and its settings",
        description="Print the JSON Schema (draft 2020-12) of a config file for connector type TYPE: "
                    "type, id, agency, broker, runtime, inbound and the type's own settings. It describes the "
                    "file after ${ENV_NAME} substitution and <key>_file reads.")
    spec.add_argument("type", metavar="TYPE", help="a built-in type (see `list`), an entry point name, "
                                                  "or package.module:Class")
    spec.set_defaults(func=_spec)
    check = sub.add_parser("check", help="validate CONFIG and reach the agency system and the broker")
    check.add_argument("config")
    check.add_argument("--skip-broker", action="store_true", help="only the config and the agency system")
    check.set_defaults(func=_check)
    init = sub.add_parser("init", help="write a starting config for TYPE and an agency")
    init.add_argument("type", metavar="TYPE", help="webhook, sql, filedrop, open311, or package.module:Class")
    init.add_argument("--agency", required=True, help="the agency's code in the directory, e.g. 18.10 or KEMENKES")
    init.add_argument("--id", help="the connector id (default: from the agency's name and the type)")
    init.add_argument("--bootstrap", default="127.0.0.1:9092", help="the hub's Kafka address")
    init.add_argument("--out", help="the file to write (default: <id>.yaml; - prints it)")
    init.add_argument("--force", action="store_true", help="replace an existing file")
    init.set_defaults(func=_init)
    sandbox = sub.add_parser(
        "sandbox", help="try CONFIG's connector against the agency system with sample deliveries; nothing is "
                        "published", description=_SANDBOX_HELP)
    sandbox.add_argument("config")
    sandbox.add_argument("--wait", type=float, default=30.0, help="seconds to wait for the agency's update")
    sandbox.set_defaults(func=_sandbox)
    contract = sub.add_parser("contract", help="write the integration contract's JSON Schemas, OpenAPI document "
                                               "and signature test vectors")
    contract.add_argument("--out", default="docs/contract", help="folder to write them to")
    contract.set_defaults(func=_contract)
    run = sub.add_parser("run", help="run the connector until SIGTERM or Ctrl-C")
    run.add_argument("config")
    run.set_defaults(func=_run)
    return parser


if __name__ == "__main__":
    sys.exit(main())
