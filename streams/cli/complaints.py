"""``lapor-hub track`` and ``stats``: complaints and figures from the running hub's API."""

from __future__ import annotations

import argparse
import json
import sys

from lapor_hub.streams.cli._settings import settings as _settings

__all__ = ["add_commands"]


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
    assert stats is not None  # an unknown agency returned above; /api/v1/stats is always there
    if args.code:
        print(f"{stats['agency']}  {stats['name']}")
        for key in ("received", "followed_up", "open", "awaiting_follow_up", "overdue", "escalated"):
            print(f"  {key.replace('_', ' '):<20} {stats[key]}")
        print(f"  {'received as':<20} {_classifications(stats)}")
        print(f"  {'rated':<20} {_ratings(stats['ratings'])}")
        return 0
    funnel = stats["funnel"]
    print("funnel: " + " -> ".join(f"{k.replace('_', ' ')} {v}" for k, v in funnel.items()))
    print(f"overdue: {stats['overdue']}   escalated: {stats['escalated']}")
    print(f"received as: {_classifications(stats)}   rated: {_ratings(stats['ratings'])}")
    for row in stats["top_overdue_agencies"]:
        print(f"  {row['agency']:<12} {row['overdue']:>5} overdue  {row['name']}")
    return 0


def _classifications(stats: dict) -> str:
    counts = stats.get("by_classification") or {}
    return ", ".join(f"{kind.replace('_', ' ')} {n}" for kind, n in counts.items()) or "nothing yet"


def _ratings(ratings: dict) -> str:
    if not ratings.get("count"):
        return "not yet"
    return f"{ratings['average']} of 5 on average, {ratings['count']} ratings"


def _cmd_track(args: argparse.Namespace) -> int:
    view = _hub_get(f"/api/v1/complaints/{args.tracking_id}")
    if view is None:
        print(f"lapor-hub: no complaint {args.tracking_id} (a new one appears within seconds)", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(view, ensure_ascii=False, indent=2))
        return 0
    print(f"{view['tracking_id']}  {view['status']}  "
          f"at {view.get('agency_code') or '-'} {view.get('agency_name') or ''}")
    for step in view.get("timeline", []):
        print(f"  {step['at']}  {step['type']:<28} {step.get('agency') or '':<12} {step.get('summary', '')}")
    return 0


def add_commands(sub) -> None:
    track = sub.add_parser("track", help="where a complaint stands, from the running hub's API")
    track.add_argument("tracking_id")
    track.add_argument("--json", action="store_true")
    track.set_defaults(func=_cmd_track)

    stats = sub.add_parser("stats", help="national or per-agency statistics from the running hub")
    stats.add_argument("code", nargs="?", help="an agency code; national figures when left out")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(func=_cmd_stats)
