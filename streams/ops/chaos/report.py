"""One scenario's figures and verdict, the results table printed for people, and the JSON."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from lapor_hub.streams.ops.chaos.counting import AgencyCounts, ComplaintCounts
from lapor_hub.streams.ops.chaos.model import Attempt, Fault
from lapor_hub.streams.ops.chaos.timing import Measured, worst

__all__ = ["verdict", "scenario_figures", "findings", "render", "write_json", "PASS", "FAIL", "ERROR"]

PASS, FAIL, ERROR = "pass", "FAIL", "error"
#: Tracking ids listed per reason in the JSON (the counts are complete; the lists are examples).
_EXAMPLES = 20
_COLUMNS = ("scenario", "answered 202", "lost", "duplicated", "failover / recovery time", "verdict")
#: Issue 11's targets, used for findings (which do not decide the verdict).
_FAILOVER_TARGET_S = 15.0
_STOP_TARGET_S = 30.0
#: A restarted worker that says it is ready shows new complaints within this (else /ready was early).
_READY_LAG_S = 5.0
#: Log lines per second per worker while the broker is down, beyond which the log floods.
_LOG_LINES_PER_S = 5.0


def verdict(complaints: ComplaintCounts, agency: AgencyCounts | None = None,
            failures: Sequence[str] = ()) -> tuple[str, list[str]]:
    """Pass only with complaints answered, none lost and none duplicated (and none of the
    scenario's own ``failures``); the reasons otherwise."""
    reasons = list(failures)
    lost = complaints.lost + (agency.lost if agency else 0)
    duplicated = complaints.duplicated + (agency.duplicated if agency else 0)
    if complaints.answered == 0:
        reasons.append("no complaint was answered 202")
    if lost:
        reasons.append(f"{lost} lost")
    if duplicated:
        reasons.append(f"{duplicated} duplicated")
    return (FAIL if reasons else PASS), reasons


def scenario_figures(*, complaints: ComplaintCounts, agency: AgencyCounts | None, attempts: Sequence[Attempt],
                     failover: Sequence[Measured], recovery: Sequence[Measured], delivery: Sequence[Measured],
                     broker_restarts: Sequence[Measured], during_outage: dict, timeline: Sequence[Fault],
                     started_at: float) -> dict:
    """The JSON figures of one scenario (everything but its name, settings and verdict)."""
    outcomes = Counter(str(a.status) if a.status is not None else a.outcome for a in attempts)
    return {
        "answered": complaints.answered,
        "lost": complaints.lost + (agency.lost if agency else 0),
        "duplicated": complaints.duplicated + (agency.duplicated if agency else 0),
        "complaints": _counts_json(complaints),
        "agency": _counts_json(agency) if agency else None,
        "attempts": {"total": len(attempts), "by_answer": dict(sorted(outcomes.items()))},
        "answers_while_broker_down": during_outage,
        "failover_s": [_measured_json(m, started_at) for m in failover],
        "recovery_s": [_measured_json(m, started_at) for m in recovery],
        "delivery_recovery_s": [_measured_json(m, started_at) for m in delivery],
        "broker_restart_s": [_measured_json(m, started_at) for m in broker_restarts],
        "timeline": [{**asdict(f), "at": round(f.at - started_at, 2)} for f in timeline],
    }


def findings(s: dict) -> list[str]:
    """What else the run saw that issue 11 asks to fix; reported, not part of the verdict."""
    found = []
    down = s.get("answers_while_broker_down") or {}
    if s.get("brokers", 1) == 1:  # the whole cluster was down
        if down and "503" not in down:
            found.append(f"no 503 while the broker was down ({down.get('timeout', 0)} requests timed out, "
                         f"{down.get('connection', 0)} connection errors)")
        if down.get("202 first request"):
            found.append(f"{down['202 first request']} new complaints answered 202 while the broker was down")
    elif down.get("timeout"):
        found.append(f"{down['timeout']} requests timed out while one broker was down and the others served")
    errors = {status: n for status, n in ((s.get("attempts") or {}).get("by_answer") or {}).items()
              if status.isdigit() and int(status) >= 500 and status != "503"}
    if errors:
        found.append(f"{sum(errors.values())} answers were server errors, not 503 with Retry-After: {errors}")
    failovers = s.get("failover_s") or []
    slow = [m for m in failovers if m["seconds"] is None or m["seconds"] > _FAILOVER_TARGET_S]
    if slow:
        longest, _ = worst(Measured(m["at"], m["kind"], m["target"], m["seconds"]) for m in slow)
        found.append(f"failover over {_FAILOVER_TARGET_S:.0f} s after {len(slow)} of {len(failovers)} kills "
                     f"(longest {'never' if longest is None else f'{longest:.1f} s'})")
    for lag in s.get("ready_to_processing_s") or []:
        if lag["seconds"] is None or lag["seconds"] > _READY_LAG_S:
            shown = "never shown" if lag["seconds"] is None else f"shown {lag['seconds']} s later"
            found.append(f"{lag['target']} said ready (at {lag['at']} s), but complaints sent to it then were {shown}")
    for worker, answers in (s.get("answers_while_not_ready") or {}).items():
        if answers.get("202"):
            found.append(f"{worker} answered {answers['202']} submissions 202 after a restart, before it was ready")
    for growth in s.get("log_growth_while_broker_down") or []:
        for worker, lines in growth["worker_log_lines"].items():
            if lines > _LOG_LINES_PER_S * max(1.0, growth["seconds_down"]):
                found.append(f"{worker} wrote {lines} log lines in the {growth['seconds_down']} s "
                             f"{growth['broker']} was down")
    timeline = s.get("timeline") or []
    for f in timeline:
        if f["kind"] == "worker-stop" and not f["detail"].startswith("exit code"):
            found.append(f"{f['target']} (at {f['at']} s): {f['detail']}")
    for worker, stop in sorted((s.get("worker_stops") or {}).items()):
        if stop["exit_code"] is None and stop["seconds"]:
            found.append(f"{worker} did not exit within {_STOP_TARGET_S:.0f} s of SIGTERM at the end")
    exits = Counter((f["target"], f["detail"]) for f in timeline if f["kind"] == "worker-exit")
    for (worker, detail), n in sorted(exits.items()):
        found.append(f"{worker} ended by itself {n} time{'s' if n > 1 else ''} ({detail}); restarted")
    return found


def render(results: dict) -> str:
    rows = [_COLUMNS]
    for s in results["scenarios"]:
        if s["verdict"] == ERROR:
            rows.append((s["scenario"], "-", "-", "-", "-", ERROR))
            continue
        rows.append((s["scenario"], str(s["answered"]), str(s["lost"]), str(s["duplicated"]), _times(s), s["verdict"]))
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
    lines = [" | ".join(cell.ljust(widths[i]) if i in (0, 4, 5) else cell.rjust(widths[i])
                        for i, cell in enumerate(row)) for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    for s in results["scenarios"]:
        lines.append("")
        lines.extend(_details(s))
    return "\n".join(lines)


def write_json(results: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return path


def _times(s: dict) -> str:
    parts = []
    for label, key in (("failover", "failover_s"), ("recovery", "recovery_s"), ("delivery", "delivery_recovery_s")):
        measured = s.get(key) or []
        if not measured:
            continue
        longest, complete = worst(Measured(m["at"], m["kind"], m["target"], m["seconds"]) for m in measured)
        text = "never" if longest is None else f"{longest:.1f} s"
        if longest is not None and not complete:
            text = f"> {text} (one never)"
        parts.append(f"{label} {text}" + (f" (max of {len(measured)})" if len(measured) > 1 else ""))
        if key == "recovery_s" and s.get("broker_restart_s"):
            own = [m["seconds"] for m in s["broker_restart_s"] if m["seconds"] is not None]
            parts[-1] += f" (broker itself {max(own):.1f} s)" if own else ""
    return "; ".join(parts) or "-"


def _details(s: dict) -> list[str]:
    name = s["scenario"]
    if s["verdict"] == ERROR:
        return [f"{name}: error: {s.get('error')}"]
    c = s["complaints"]
    lines = [f"{name}: {s['what']}",
             f"  sent {c['sent']} complaints; {c['keys_answered']} answered 202, {c['keys_rejected']} 4xx, "
             f"{c['keys_unanswered']} never answered; answers {s['attempts']['by_answer']}"]
    for reason, n in c["lost_by_reason"].items():
        lines.append(f"  lost: {n['count']} {reason}")
    if c["answered"] and c["never_on_intake"]:
        lines.append(f"  of the answered, {c['never_on_intake']} never reached complaints.intake")
    for kind, n in c["duplicated_by_kind"].items():
        lines.append(f"  duplicated: {n['count']} {kind}")
    if s.get("agency"):
        a = s["agency"]
        lines.append(f"  agency: {a['arrived']} of {a['assignments']} assignments arrived, "
                     f"{a['redeliveries']} redeliveries answered from an existing case")
        lines += [f"  lost: {n['count']} {reason}" for reason, n in a["lost_by_reason"].items()]
        lines += [f"  duplicated: {n['count']} {kind}" for kind, n in a["duplicated_by_kind"].items()]
    if s.get("broker_restart_s"):
        after = ", ".join("never" if m["seconds"] is None else f"{m['seconds']} s" for m in s["broker_restart_s"])
        lines.append(f"  broker restarted: answering again after {after} (included in the recovery time)")
    if s.get("answers_while_broker_down"):
        lines.append(f"  answers while a broker was down: {s['answers_while_broker_down']}")
    lines += [f"  finding: {text}" for text in s.get("findings") or ()]
    if s.get("reasons"):
        lines.append(f"  verdict {s['verdict']}: {', '.join(s['reasons'])}")
    return lines


def _counts_json(counts: ComplaintCounts | AgencyCounts) -> dict:
    data = asdict(counts)
    for group in ("lost_by_reason", "duplicated_by_kind"):
        data[group] = {name: {"count": len(items), "examples": list(items[:_EXAMPLES])}
                       for name, items in data[group].items()}
    return data


def _measured_json(m: Measured, started_at: float) -> dict:
    return {"at": round(m.at - started_at, 2), "kind": m.kind, "target": m.target,
            "seconds": None if m.seconds is None else round(m.seconds, 1)}
