"""``lapor-hub certs ca|issue|deployment``: a private CA and certificates for a test deployment."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["add_commands"]


def _cmd_ca(args: argparse.Namespace) -> int:
    from lapor_hub.streams.ops.certs import create_ca

    existed = (Path(args.dir) / "ca.pem").exists()
    path = create_ca(Path(args.dir), days=args.days)
    print(f"{'kept the existing CA' if existed else 'made a CA'}: {path} (its key: {path.with_suffix('.key')}, "
          "keep it offline)")
    return 0


def _cmd_issue(args: argparse.Namespace) -> int:
    from lapor_hub.streams.ops.certs import Kind, issue

    issued = issue(Path(args.dir), args.name, Kind(args.kind), dns=args.dns or (), ips=args.ip or (),
                   days=args.days, replace=args.replace)
    for path in (issued.certificate, issued.key, issued.keystore):
        if path is not None:
            print(path)
    return 0


def _cmd_deployment(args: argparse.Namespace) -> int:
    from lapor_hub.streams.ops.certs import deployment

    made, kept = deployment(Path(args.dir), args.public_host)
    for path in made:
        print(f"made {path}")
    for path in kept:
        print(f"kept {path}")
    print("keep ca.key offline: docker/docker-compose.yml does not need it")
    return 0


def add_commands(sub) -> None:
    certs = sub.add_parser("certs", help="a private CA and certificates for a test deployment (bring your own "
                                         "CA in production)")
    actions = certs.add_subparsers(dest="certs_action", required=True)

    ca = actions.add_parser("ca", help="make DIR/ca.pem and DIR/ca.key (an existing CA is kept)")
    ca.add_argument("dir", metavar="DIR")
    ca.add_argument("--days", type=int, default=5 * 365)
    ca.set_defaults(func=_cmd_ca)

    issue = actions.add_parser(
        "issue", help="a certificate signed by DIR's CA: DIR/NAME.pem and DIR/NAME.key (a broker also gets "
                      "DIR/NAME.keystore.pem)",
        description="Kinds: broker (a Kafka node; OU=lapor-cluster, server and client), admin (the cluster admin; "
                    "OU=lapor-cluster), client (the hub or an agency's connector; OU=lapor-clients; NAME is its "
                    "Kafka principal), server (an HTTPS server).")
    issue.add_argument("dir", metavar="DIR")
    issue.add_argument("name", metavar="NAME")
    issue.add_argument("--kind", required=True, choices=["broker", "admin", "client", "server"])
    issue.add_argument("--dns", action="append", help="a host name clients use (broker, server); default NAME")
    issue.add_argument("--ip", action="append", help="an address clients use (broker, server)")
    issue.add_argument("--days", type=int, default=397)
    issue.add_argument("--replace", action="store_true", help="renew an existing certificate (a new key)")
    issue.set_defaults(func=_cmd_issue)

    deploy = actions.add_parser("deployment", help="everything docker/docker-compose.yml mounts, made where missing")
    deploy.add_argument("dir", metavar="DIR", help="e.g. docker/secrets")
    deploy.add_argument("--public-host", action="append", required=True,
                        help="the name (or address) the public reaches the hub by; repeat for more")
    deploy.set_defaults(func=_cmd_deployment)
