"""``lapor-hub users``: the embedded issuer's accounts, channel API keys and signing keys.

Passwords and API keys are shown once, when made, and never again: only their hashes are kept,
and no command prints a hash. ``users token`` prints nothing but the token on standard output,
so that ``TOKEN=$(lapor-hub users token alice)`` works. A mistake exits 2 with what to do.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.core.identity_settings import MAX_TOKEN_TTL_S
from lapor_hub.streams.identity.errors import AccountError
from lapor_hub.streams.identity.principal import Role

if TYPE_CHECKING:
    from lapor_hub.streams.identity.issuer import EmbeddedIssuer

__all__ = ["add_commands", "run_users_command"]

#: Exit code for a mistake on the command line (as argparse uses).
USAGE_ERROR = 2


def add_commands(sub) -> None:
    """``lapor-hub users ...`` on the CLI's subparsers."""
    users = sub.add_parser("users", help="accounts, channel API keys and signing keys of the embedded issuer")
    actions = users.add_subparsers(dest="action", required=True)

    add = actions.add_parser("add", help="add an account; prints a generated password once unless one is given")
    add.add_argument("username")
    people = [r.value for r in Role if r not in (Role.CHANNEL, Role.CONNECTOR)]  # programs use API keys
    add.add_argument("--role", required=True, choices=people)
    add.add_argument("--agency", help="the agency code the role acts for, e.g. 18.10 (see `lapor-hub directory list`)")
    add.add_argument("--password-file", help="read the password from this file ('-' for standard input)")

    actions.add_parser("list", help="accounts and channel API keys (never a hash or a secret)")

    disable = actions.add_parser("disable", help="disable an account: its tokens stop working at once")
    disable.add_argument("username")

    token = actions.add_parser("token", help="print a short-lived token for an account")
    token.add_argument("username")
    token.add_argument("--ttl", type=int, help=f"lifetime in seconds (default LAPOR_IDENTITY_TOKEN_TTL, "
                                               f"at most {MAX_TOKEN_TTL_S})")

    api_key = actions.add_parser("api-key", help="issue an API key for a program: a channel (an application "
                                                 "submitting on citizens' behalf) or an operator tool such as "
                                                 "Prometheus; printed once")
    api_key.add_argument("channel", help="the channel id, e.g. open311-pringsewu, or the program's name")
    api_key.add_argument("--role", default="channel", choices=["channel", "operator", "connector"],
                         help="channel (default), operator (reads /metrics and the health overview) or connector "
                              "(an agency's connector: fetches the identity of public reports its agency holds)")
    api_key.add_argument("--agency", help="the agency whose own application this is, if any")

    revoke = actions.add_parser("revoke-api-key", help="revoke one channel API key by its id (see `users list`)")
    revoke.add_argument("key_id")

    actions.add_parser("keys", help="the signing keys: active and retired")
    actions.add_parser("rotate-key", help="sign with a new key; the old one keeps verifying until retired")
    retire = actions.add_parser("retire-key", help="stop accepting tokens of a retired signing key")
    retire.add_argument("kid")
    users.set_defaults(func=run_users_command)


def run_users_command(args: argparse.Namespace) -> int:
    """Carry out one ``users`` action; 0 when done, 2 (with what to do) on a mistake."""
    try:
        return _run(args)
    except (AccountError, ConfigurationError) as exc:
        print(f"lapor-hub users: {exc}", file=sys.stderr)
        return USAGE_ERROR


def _run(args: argparse.Namespace) -> int:
    from lapor_hub.streams.core.identity_settings import IdentitySettings
    from lapor_hub.streams.directory import default_directory
    from lapor_hub.streams.identity.issuer import EmbeddedIssuer

    settings = IdentitySettings.from_env()
    issuer = EmbeddedIssuer(settings, default_directory())
    action = args.action
    if action == "add":
        password = _read_password(args.password_file) if args.password_file else None
        made = issuer.accounts.add(args.username, args.role, args.agency, password=password)
        account = made.account
        print(f"added {account.username} ({account.role.value}{', ' + account.agency if account.agency else ''})")
        if made.generated_password:
            print(f"password (shown once, not stored): {made.generated_password}")
    elif action == "list":
        _print_list(issuer)
    elif action == "disable":
        account = issuer.accounts.disable(args.username)
        print(f"disabled {account.username}: its tokens are refused from now on")
    elif action == "token":
        issued = issuer.issue_token(args.username, ttl_s=args.ttl)
        print(issued.token)
        print(f"expires {issued.expires_at:%Y-%m-%d %H:%M:%S} UTC (token id {issued.token_id})", file=sys.stderr)
    elif action == "api-key":
        issued_key = issuer.api_keys.issue(args.channel, args.agency, role=Role(args.role))
        print(f"API key {issued_key.info.key_id} for {args.role} {issued_key.info.channel} "
              "(shown once, only its hash is stored):", file=sys.stderr)
        print(issued_key.api_key)
    elif action == "revoke-api-key":
        key = issuer.api_keys.revoke(args.key_id)
        print(f"revoked API key {key.key_id} of {key.role.value} {key.channel}")
    elif action == "keys":
        for info in issuer.keys.list_keys():
            state = "active" if info.active else f"retired {info.retired_at}"
            print(f"{info.kid}  created {info.created_at}  {state}")
    elif action == "rotate-key":
        kid = issuer.keys.rotate()
        print(f"signing with {kid} from now on; retire the old key with `lapor-hub users retire-key KID` "
              f"once its tokens have expired (after {settings.token_ttl_s} s)")
    elif action == "retire-key":
        issuer.keys.retire(args.kid)
        print(f"retired {args.kid}: tokens it signed are refused from now on")
    return 0


def _read_password(path: str) -> str:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AccountError(f"cannot read the password file {path!r}: {getattr(exc, 'strerror', None) or exc}") from None
    password = text.rstrip("\r\n")
    if not password:
        raise AccountError(f"the password file {path!r} is empty")
    return password


def _print_list(issuer: EmbeddedIssuer) -> None:
    accounts = issuer.accounts.list_accounts()
    for a in accounts:
        print(f"{a.username:<32} {a.role.value:<15} {a.agency or '-':<12} "
              f"{'disabled' if a.disabled else 'enabled':<9} {a.created_at}")
    print(f"{len(accounts)} accounts")
    keys = issuer.api_keys.list_keys()
    if keys:
        print()
        for k in keys:
            print(f"{k.key_id:<14} {k.role.value:<8} {k.channel:<28} {k.agency or '-':<12} "
                  f"{f'revoked {k.revoked_at}' if k.revoked else 'active':<34} {k.created_at}")
        print(f"{len(keys)} API keys")
