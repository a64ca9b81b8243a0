"""``lapor-hub status``: the dashboard's picture in a terminal, and a health check for scripts.

Reads the running hub's ``/api/v1/health/overview`` and exits 0 when every threshold holds,
3 when one is crossed (printing which), 1 when the hub cannot be reached.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table
from rich.text import Text

__all__ = ["Thresholds", "check_thresholds", "render", "add_commands", "UNHEALTHY"]

#: Exit code when a threshold is crossed (as ``lapor-hub broker status`` for a stopped broker).
UNHEALTHY = 3
_BAR_WIDTH = 24
_STATUS_STYLE = {"UP": "green", "DEGRADED": "yellow", "DOWN": "red", "SILENT": "red", "NO_HEARTBEAT": "dim"}


@dataclass(frozen=True)
class Thresholds:
    #: Records any one partition may lag behind, in any group.
    max_lag: int = 1000
    #: Dead letters allowed within the last hour.
    max_dead_letters: int = 10
    #: Seconds a connector may go without a heartbeat (4 missed at the default 30 s interval).
    max_connector_silence: float = 120.0


def check_thresholds(overview: dict, limits: Thresholds) -> list[str]:
    """Every crossed threshold, as a sentence an operator can act on; empty when healthy."""
    failures = []
    if not overview["broker"]["reachable"]:
        failures.append(f"broker unreachable: {overview['broker'].get('error') or 'no answer'}")
    if overview["worker"]["assigned_partitions"] == 0:
        failures.append("the worker has no partitions assigned (starting or rebalancing)")
    for group in overview["lag"]["groups"]:
        for p in group["partitions"]:
            if p["lag"] > limits.max_lag:
                failures.append(f"lag {p['lag']} > {limits.max_lag} on {p['topic']}[{p['partition']}] "
                                f"for group {group['group']}")
    dead = overview["dead_letters"]
    if dead["recent"] > limits.max_dead_letters:
        failures.append(f"{dead['recent']} dead letters in the last {dead['recent_window_s'] / 60:g} min "
                        f"> {limits.max_dead_letters} (see `lapor-hub dlq list`)")
    for c in overview["connectors"]["items"]:
        if c["silent_s"] is None:
            # Known from its consumer group only: silent for longer than the hub looks back.
            if limits.max_connector_silence != float("inf"):
                failures.append(f"connector {c['connector_id']} has a consumer group but sent no heartbeat recently")
        elif c["silent_s"] > limits.max_connector_silence:
            failures.append(f"connector {c['connector_id']} silent for {c['silent_s']:.0f} s "
                            f"> {limits.max_connector_silence:g} s")
    return failures


def _bar(value: float, top: float, style: str) -> Text:
    filled = 0 if top <= 0 else round(_BAR_WIDTH * value / top)
    return Text("█" * filled, style=style) + Text("·" * (_BAR_WIDTH - filled), style="dim")


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", expand=False)
    for column in columns:
        table.add_column(column, justify="right" if column in ("records", "rec/s", "lag", "count", "n") else "left")
    return table


def render(overview: dict, console: Console, *, limits: Thresholds) -> None:
    w, b = overview["worker"], overview["broker"]
    broker = Text("reachable", style="green") if b["reachable"] else Text(f"unreachable ({b['error']})", style="red")
    console.print(Text.assemble(("LAPOR Hub ", "bold"), (w["app_id"], "cyan"), "  broker ", broker,
                                f"  partitions {w['assigned_partitions']}  events {w['events_processed']}"
                                f"  up {w['uptime_s']:.0f} s"))
    series = overview["throughput"]["series"]
    top = max((s["records_per_second"] for s in series), default=0)
    throughput = _table("Throughput", "topic", "records", "rec/s", "")
    for s in series:
        throughput.add_row(s["topic"], str(s["records_total"]), f"{s['records_per_second']:g}",
                           _bar(s["records_per_second"], top, "blue"))
    console.print(throughput)
    lag = _table("Consumer lag", "group", "topic", "lag", "")
    rows = sorted(((g["group"], p) for g in overview["lag"]["groups"] for p in g["partitions"]),
                  key=lambda r: -r[1]["lag"])[:10]
    worst = max((p["lag"] for _, p in rows), default=0)
    for group, p in rows:
        style = "red" if p["lag"] > limits.max_lag else "yellow" if p["lag"] else "green"
        lag.add_row(group, f"{p['topic']}[{p['partition']}]", Text(str(p["lag"]), style=style),
                    _bar(p["lag"], worst, style))
    console.print(lag)
    connectors = _table("Connectors", "connector", "agency", "status", "last heartbeat", "delivered", "failed")
    for c in overview["connectors"]["items"]:
        seen = "never" if c["silent_s"] is None else f"{c['silent_s']:.0f} s ago"
        connectors.add_row(c["connector_id"], c["agency"], Text(c["status"], style=_STATUS_STYLE.get(c["status"], "")),
                           seen, str(c["delivered"]), str(c["failed"]))
    console.print(connectors if overview["connectors"]["items"] else Text("Connectors: none has reported", style="dim"))
    _render_sla(overview, console)
    _render_dead_letters(overview, console)


def _render_sla(overview: dict, console: Console) -> None:
    sla = overview.get("sla")
    if sla is None:
        console.print(Text(f"SLA: not sampled yet {overview.get('sla_error') or ''}", style="dim"))
        return
    funnel = _table("Complaint funnel", "stage", "n", "")
    top = max(sla["funnel"].values(), default=0)
    for stage, n in sla["funnel"].items():
        funnel.add_row(stage.replace("_", " "), str(n), _bar(n, top, "cyan"))
    console.print(funnel)
    tiers = "  ".join(f"tier {t}: {n}" for t, n in sla["escalations_by_tier"].items()) or "none"
    console.print(Text.assemble(f"open {sla['open']}  ", ("overdue ", "bold"),
                                (str(sla["overdue"]), "red" if sla["overdue"] else "green"),
                                f"  escalated {sla['escalated']}  escalations by tier: {tiers}"))
    if sla["top_overdue_agencies"]:
        overdue = _table("Most overdue agencies", "agency", "name", "n")
        for row in sla["top_overdue_agencies"]:
            overdue.add_row(row["agency"], row["name"] or "", Text(str(row["overdue"]), style="red"))
        console.print(overdue)


def _render_dead_letters(overview: dict, console: Console) -> None:
    dead = overview["dead_letters"]
    console.print(Text.assemble(("Dead letters ", "bold"), f"total {dead['total']}  last hour ",
                                (str(dead["recent"]), "red" if dead["recent"] else "green")))
    if dead["latest"]:
        latest = _table("Latest dead letters", "failed at (UTC)", "stage", "error class", "reason", "source")
        for e in dead["latest"][:5]:
            latest.add_row(time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(e["failed_at"])), e["stage"],
                           e["error_class"], e["reason"],
                           f"{e['source_topic']}[{e['source_partition']}]@{e['source_offset']}")
        console.print(latest)


def _cmd_status(args: argparse.Namespace) -> int:
    from lapor_hub.streams.cli.hubclient import hub_get
    from lapor_hub.streams.core.config import HubSettings

    overview = hub_get("/api/v1/health/overview", web_port=HubSettings.from_env().web_port)
    if overview is None:
        print("lapor-hub: this hub has no /api/v1/health/overview (an older version?)")
        return 1
    limits = Thresholds(args.max_lag, args.max_dead_letters, args.max_connector_silence)
    failures = check_thresholds(overview, limits)
    if args.json:
        print(json.dumps({"healthy": not failures, "failures": failures, "overview": overview}, indent=2))
    else:
        console = Console()
        render(overview, console, limits=limits)
        for failure in failures:
            console.print(Text(f"✗ {failure}", style="bold red"))
        if not failures:
            console.print(Text("✓ all thresholds hold", style="bold green"))
    return UNHEALTHY if failures else 0


def add_commands(sub) -> None:
    """``lapor-hub status`` on the CLI's subparsers."""
    defaults = Thresholds()
    status = sub.add_parser("status", help="stream health of the running hub; exits 3 when a threshold is crossed")
    status.add_argument("--max-lag", type=int, default=defaults.max_lag,
                        help=f"records any partition may lag, in any group (default {defaults.max_lag})")
    status.add_argument("--max-dead-letters", type=int, default=defaults.max_dead_letters,
                        help=f"dead letters allowed in the last hour (default {defaults.max_dead_letters})")
    status.add_argument("--max-connector-silence", type=float, default=defaults.max_connector_silence,
                        help=f"seconds without a connector heartbeat (default {defaults.max_connector_silence:g})")
    status.add_argument("--json", action="store_true", help="print the overview and the verdict as JSON")
    status.set_defaults(func=_cmd_status)
