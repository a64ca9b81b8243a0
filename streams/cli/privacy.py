"""``lapor-hub privacy erase|export TRACKING_ID`` (the national admin, through the running hub) and ``new-kek FILE``.

Erasure and export go through the hub's API (``/api/v1/privacy/...``) with ``LAPOR_HUB_TOKEN``,
a national admin's token: the hub checks the role, opens or destroys the keys, and audits the
call, exactly as for the dashboard. The export is printed as JSON (it holds personal data: write
it only where the subject-access request is answered from).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lapor_hub.streams.cli._settings import settings as _settings

__all__ = ["add_commands"]

_ROLE = "a national admin's"


def _cmd_privacy(args: argparse.Namespace) -> int:
    from lapor_hub.streams.cli.hubclient import hub_get, hub_post

    if args.action == "new-kek":
        from lapor_hub.streams.privacy import write_new_kek

        kek_id = write_new_kek(Path(args.target))
        print(f"key-encryption key {kek_id} written to {args.target} (mode 0600): give every worker this file "
              "(LAPOR_PRIVACY_KEK_FILE) and keep a backup apart from the broker's data")
        return 0
    port = _settings().web_port
    path = f"/api/v1/privacy/{args.target}/{args.action}"
    answer = hub_post(path, {"confirm": args.target}, web_port=port, role=_ROLE) if args.action == "erase" else \
        hub_get(path, web_port=port, role=_ROLE)
    if answer is None:
        print(f"lapor-hub: no complaint {args.target!r} at the hub", file=sys.stderr)
        return 1
    if args.action == "export":
        print(json.dumps(answer, ensure_ascii=False, indent=2))
    else:
        print(f"identity of {answer['tracking_id']} erased at {answer['erased_at']} ({answer['reason']}); "
              f"{answer['data_keys_destroyed']} data key(s) destroyed now")
    return 0


def add_commands(sub) -> None:
    privacy = sub.add_parser("privacy", help="erase or export a reporter's identity; make a key-encryption key")
    privacy.add_argument("action", choices=["erase", "export", "new-kek"])
    privacy.add_argument("target", metavar="TRACKING_ID|FILE",
                         help="the complaint (erase, export) or the file (new-kek)")
    privacy.set_defaults(func=_cmd_privacy)
