"""``lapor-hub audit verify|export|check|keys|rotate-key``: the complaint log oversight can verify.

``verify`` and ``export`` read the broker; ``check`` needs nothing but the export and the hub's
public key, so an outside party runs it offline. Exit codes: 0 verified, 1 a break (printed:
topic, partition, offset, what is wrong) or the broker cannot be read, 2 a configuration error.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.cli._settings import settings as _settings

__all__ = ["add_commands"]


def _public_key(text: str):
    from lapor_hub.streams.chain import parse_public_key

    path = Path(text)
    if len(text) < 4096 and path.is_file():
        try:
            text = path.read_text()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigurationError(f"--public-key {path} cannot be read: {exc}") from exc
    return parse_public_key(text)


def _date(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date such as 2026-11-01 or 2026-11-01T08:00+07:00") from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _trusted(settings, given: list[str] | None) -> dict:
    from lapor_hub.streams.chain import AuditKeyRing, key_id

    if given:  # an outside party trusts the keys it was given, not the operator's folder
        return {key_id(key): key for key in map(_public_key, given)}
    keys = AuditKeyRing(settings.audit_key_folder, settings.audit_signing_key_file).public_keys()
    if not keys:
        raise ConfigurationError(f"no public keys in {settings.audit_key_folder / 'public'}; pass --public-key KEY "
                                 "(GET /api/v1/audit/keys publishes them)")
    return keys


def _reader(settings):
    from lapor_hub.streams.chain.logs import LogReader
    from lapor_hub.streams.core import topics

    return LogReader(topics.EVENTS, topics.HEADS, settings.client_options())


def _cmd_verify(args: argparse.Namespace) -> int:
    settings = _settings()
    reports = _reader(settings).verify(_trusted(settings, args.public_key), getattr(args, "from"))
    for report in reports:
        if report.broken:
            print(f"BROKEN {report.broken}")
            return 1
        before = f", {report.before_chain} from before the chain began (not checked)" if report.before_chain else ""
        print(f"{report.topic} partition {report.partition}: {report.records} records, {report.heads} signed heads "
              f"match, {report.unsigned} not signed yet{before}")
    print("verified: every link and every signature holds")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from lapor_hub.streams.intake.submission import partition_of

    settings = _settings()
    document = _reader(settings).export(args.tracking_id, partition_of, _trusted(settings, args.public_key))
    text = json.dumps(document, indent=1, sort_keys=True) + "\n"
    if args.output == "-":
        sys.stdout.write(text)
        return 0
    output = Path(args.output or f"{args.tracking_id}.audit.json")
    output.write_text(text)
    full = sum(1 for r in document["records"] if "value" in r)
    print(f"{output}: {full} events of {args.tracking_id} and {len(document['records']) - full} other records' "
          f"digests up to the head signed at {document['head']['signed_at']} by key {document['head']['kid']}")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from lapor_hub.streams.chain.export import check_export

    try:
        document = json.loads(Path(args.file).read_bytes())
    except OSError as exc:
        raise ConfigurationError(f"{args.file} cannot be read: {exc.strerror}") from exc
    except ValueError:
        print(f"BROKEN {args.file}: not JSON")
        return 1
    problem = check_export(document, _public_key(args.public_key))
    if problem:
        print(f"BROKEN {args.file}: {problem}")
        return 1
    events = [r for r in document["records"] if "value" in r]
    print(f"verified: {len(events)} events of {document['tracking_id']}, chained up to the head signed at "
          f"{document['head']['signed_at']} by key {document['head']['kid']}")
    for event in events:
        summary = event["summary"]
        print(f"  {summary.get('time', '?')}  {summary.get('type', '?')}  {summary.get('status', '')} "
              f"{summary.get('agency', '')}".rstrip())
    return 0


def _cmd_keys(args: argparse.Namespace) -> int:
    from lapor_hub.streams.chain import AuditKeyRing, public_key_text

    settings = _settings()
    ring = AuditKeyRing(settings.audit_key_folder, settings.audit_signing_key_file)
    if args.action == "rotate-key":
        print(f"new signing key {ring.rotate()}; restart the workers to sign with it (older heads keep verifying)")
        return 0
    current = ring.current_kid()
    for kid, key in ring.public_keys().items():
        print(f"{kid}  {public_key_text(key)}{'  (signing)' if kid == current else ''}")
    return 0


def add_commands(sub) -> None:
    audit = sub.add_parser("audit", help="verify the hash chain and signed heads of complaints.events")
    actions = audit.add_subparsers(dest="action", required=True)
    verify = actions.add_parser("verify", help="check every link and signature; print the first break")
    verify.add_argument("--from", type=_date, metavar="DATE", help="only records written since DATE (ISO 8601)")
    verify.add_argument("--public-key", action="append", metavar="KEY",
                        help="trust this key (a file, PEM or base64; repeatable) instead of LAPOR_AUDIT_KEY_DIR's")
    verify.set_defaults(func=_cmd_verify)
    export = actions.add_parser("export", help="a complaint's history with the proofs to check it offline")
    export.add_argument("tracking_id", metavar="TRACKING_ID")
    export.add_argument("--output", "-o", help="where to write it (default TRACKING_ID.audit.json; - for stdout)")
    export.add_argument("--public-key", action="append", metavar="KEY", help="heads signed by these keys only")
    export.set_defaults(func=_cmd_export)
    check = actions.add_parser("check", help="verify an export offline with the hub's public key")
    check.add_argument("file", metavar="FILE")
    check.add_argument("--public-key", required=True, metavar="KEY", help="a file (PEM or base64) or the base64 key")
    check.set_defaults(func=_cmd_check)
    for name, help_text in (("keys", "the public keys that signed heads here"),
                            ("rotate-key", "a new signing key; the old public key stays published")):
        actions.add_parser(name, help=help_text).set_defaults(func=_cmd_keys)
