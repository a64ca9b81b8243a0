"""``lapor-hub chaos``: each scenario on fresh brokers and workers, under load, then counted.

For one scenario: start the cluster, create the topics, start the workers (and the agency with
its connector), start the retrying clients, let them warm up, inject the faults, keep the load on
a while, stop new complaints and let the clients finish their retries, then look: the topics
from the beginning until every answered complaint is there (bounded), the agency inboxes, and
every worker's API. Then count (:mod:`~lapor_hub.streams.ops.chaos.counting`), time
(:mod:`~lapor_hub.streams.ops.chaos.timing`) and judge (:func:`~lapor_hub.streams.ops.chaos.report.verdict`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from lapor_hub.errors import FatalError
from lapor_hub.streams.core import topics
from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.ops.chaos.agency import CaseApp, WebhookConnectorProcess
from lapor_hub.streams.ops.chaos.bodies import AGENCY
from lapor_hub.streams.ops.chaos.counting import count_agency, count_complaints
from lapor_hub.streams.ops.chaos.load import RetryingClients
from lapor_hub.streams.ops.chaos.model import (
    DISPOSITIONED,
    LOAD_START,
    LOAD_STOP,
    PRELOADED,
    SUBMITTED,
    WORKER_READY,
    WORKER_STOP,
    Seen,
)
from lapor_hub.streams.ops.chaos.observe import TopicReader, first_visible, visible_through
from lapor_hub.streams.ops.chaos.options import ChaosOptions, parse_options
from lapor_hub.streams.ops.chaos.preload import preload_intake, wait_processed
from lapor_hub.streams.ops.chaos.report import ERROR, findings, render, scenario_figures, verdict, write_json
from lapor_hub.streams.ops.chaos.scenarios import FULL, SCENARIOS, SHORT, Plan, Scenario
from lapor_hub.streams.ops.chaos.stage import Stage
from lapor_hub.streams.ops.chaos.timing import (
    Measured,
    answers_during_outage,
    answers_while_not_ready,
    broker_restarts,
    delivery_recovery,
    failover_times,
    recovery_times,
)
from lapor_hub.streams.ops.provenance import code_version, loadavg

__all__ = ["main", "run_chaos", "run_scenario"]

_CONNECTOR_START_S = 90.0
#: Complaints sent to a restarted worker as soon as it says it is ready, and how long they may take.
_PROBES = 4
_PROBE_TIMEOUT_S = 60.0
_PRELOAD_TIMEOUT_S = 900.0


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    results = run_chaos(options)
    path = write_json(results, options.json_path or Path("bench-results") / f"chaos-{results['run_id']}.json")
    print(render(results))
    print(f"\nresults written to {path}")
    return 0 if results["passed"] else 1


def run_chaos(options: ChaosOptions) -> dict:
    started = datetime.now(UTC)
    run_id = started.strftime("%Y%m%dT%H%M%SZ")
    plan = SHORT if options.short else FULL
    names = options.scenarios or tuple(SCENARIOS)
    results: dict = {"run_id": run_id, "started_at": started.isoformat(timespec="seconds"),
                     "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(options).items()},
                     "plan": asdict(plan), "code": code_version(), "loadavg_start": loadavg(), "scenarios": []}
    with _work_dir(options) as home:
        for name in names:
            _say(f"{name}: {SCENARIOS[name].what}")
            try:
                outcome = asyncio.run(run_scenario(SCENARIOS[name], plan, home / name, options, run_id))
            except Exception as exc:  # one scenario failing to run must not hide the others' figures
                _say(f"{name}: could not run: {type(exc).__name__}: {exc}")
                outcome = {"scenario": name, "what": SCENARIOS[name].what, "verdict": ERROR,
                           "error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
            results["scenarios"].append(outcome)
            _say(f"{name}: {outcome['verdict']}")
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["loadavg_end"] = loadavg()
    results["passed"] = all(s["verdict"] == "pass" for s in results["scenarios"])
    return results


async def run_scenario(scenario: Scenario, plan: Plan, home: Path, options: ChaosOptions, run_id: str) -> dict:
    cache = HubSettings.from_env().cache_dir
    stage = Stage(home, nodes=scenario.nodes, workers=scenario.workers, partitions=options.partitions,
                  cache_dir=cache, app_id=f"lapor-chaos-{run_id.lower()}-{scenario.name}")
    started_at = time.time()
    app = connector = None
    load: asyncio.Task | None = None
    async with stage:
        try:
            if scenario.agency:
                app = CaseApp()
                connector = WebhookConnectorProcess(home / "connector", agency=AGENCY, bootstrap=stage.bootstrap,
                                                    app=app, connector_id=f"chaos-{uuid.uuid4().hex[:8]}")
                connector.launch()
                if not await asyncio.to_thread(connector.wait_started, _CONNECTOR_START_S):
                    raise FatalError(f"the webhook connector did not start; see {connector.log_path}")
            preload = plan.preload if options.preload is None else options.preload
            if scenario.preload and preload:
                _say(f"{scenario.name}: preloading {preload} complaints")
                began = time.monotonic()
                await asyncio.to_thread(preload_intake, stage.bootstrap, preload, seed=options.seed)
                await asyncio.to_thread(wait_processed, stage.bootstrap, stage.app_id, timeout=_PRELOAD_TIMEOUT_S)
                stage.note(PRELOADED, detail=f"{preload} complaints processed in {time.monotonic() - began:.0f} s")
            clients = RetryingClients(stage.targets, rate=plan.rate, seed=options.seed)
            probes: list[asyncio.Task] = []
            stage.on_restarted_up = lambda name: probes.append(asyncio.create_task(_probe(stage, clients, name)))
            load = asyncio.create_task(clients.run())
            stage.note(LOAD_START)
            await asyncio.sleep(plan.warmup)
            await scenario.act(stage, plan, app)
            await asyncio.sleep(plan.tail)
            clients.settle(plan.retry_window)
            clients.stop()
            stage.note(LOAD_STOP)
            _say(f"{scenario.name}: load stopped; {clients.in_flight} clients still retrying")
            await load
            ready_lags = [lag for lag in await asyncio.gather(*probes) if lag is not None]
            seen = await _observe(stage, clients, plan, app)
        finally:
            if load is not None and not load.done():  # the scenario failed: no more load against what is torn down
                clients.stop()
                load.cancel()
            connector_exit = connector.stop() if connector is not None else None
            if app is not None:
                app.stop()
    if options.work_dir is not None:  # every request, for questions the summary does not answer
        with open(home / "attempts.jsonl", "w") as out:
            out.writelines(json.dumps(asdict(a)) + "\n" for a in clients.attempts)
    return _summary(scenario, stage, clients, seen, app, started_at, options, connector_exit, ready_lags)


async def _probe(stage: Stage, clients: RetryingClients, name: str) -> Measured | None:
    """A worker restarted under load says it is ready: send it a few complaints at once and
    time until the API shows them (through any worker)."""
    ready_at = time.time()
    keys = set(clients.send_to(name, _PROBES))
    if not keys:
        return None
    deadline = time.monotonic() + _PROBE_TIMEOUT_S
    answered: dict[str, str] = {}
    while len(answered) < len(keys) and time.monotonic() < deadline:
        await asyncio.sleep(0.25)
        answered = {a.key: a.tracking_id for a in clients.attempts if a.key in keys and a.accepted and a.tracking_id}
    workers = {n: w.base_url for n, w in stage.workers.items()}
    shown = await first_visible(workers, answered.values(), timeout=max(1.0, deadline - time.monotonic()))
    complete = len(answered) == len(keys) and set(answered.values()) <= shown.keys()
    return Measured(ready_at, WORKER_READY, name, max(shown.values()) - ready_at if complete else None)


async def _observe(stage: Stage, clients: RetryingClients, plan: Plan, app: CaseApp | None) -> dict:
    deadline = time.monotonic() + plan.settle
    answered = {a.tracking_id for a in clients.attempts if a.accepted and a.tracking_id}
    # A citizen may ask any worker: every one must be up before its API is asked.
    down = [name for name, w in stage.workers.items() if not await asyncio.to_thread(w.is_up)]
    await asyncio.gather(*(stage.wait_worker_up(name, max(1.0, deadline - time.monotonic())) for name in down))
    reader = await asyncio.to_thread(TopicReader, stage.bootstrap, [topics.INTAKE, topics.EVENTS])
    try:
        while True:
            records = await asyncio.to_thread(reader.catch_up)
            present = {(r.tracking_id, r.record_type) for r in records if r.topic == topics.EVENTS}
            if all((t, SUBMITTED) in present and (t, DISPOSITIONED) in present for t in answered):
                break
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(2.0)
    finally:
        reader.close()
    intake = [r for r in records if r.topic == topics.INTAKE]
    events = [r for r in records if r.topic == topics.EVENTS]
    # Only the inboxes our complaints went to (a preload reaches hundreds of agencies).
    ours = answered | {e.tracking_id for e in events if e.key is not None}
    agencies = sorted({e.agency for e in events if e.record_type == DISPOSITIONED and e.agency
                       and e.tracking_id in ours})
    inbox: list[Seen] = []
    if agencies:
        inbox_reader = await asyncio.to_thread(TopicReader, stage.bootstrap, [topics.inbox(c) for c in agencies])
        try:
            inbox = list(await asyncio.to_thread(inbox_reader.catch_up))
        finally:
            inbox_reader.close()
    if app is not None:
        expected = {s.event_id for s in inbox if s.record_type == DISPOSITIONED}
        while time.monotonic() < deadline and not expected <= {p.key for p in app.posts if p.new_case}:
            await asyncio.sleep(1.0)
    workers = {name: w.base_url for name, w in stage.workers.items()}
    visible = await visible_through(workers, answered, timeout=max(15.0, deadline - time.monotonic()))
    return {"intake": intake, "events": events, "inbox": inbox, "visible": visible}


def _summary(scenario: Scenario, stage: Stage, clients: RetryingClients, seen: dict, app: CaseApp | None,
             started_at: float, options: ChaosOptions, connector_exit: int | None,
             ready_lags: list[Measured]) -> dict:
    attempts = clients.attempts
    complaints = count_complaints(attempts, seen["events"], intake=seen["intake"], inboxes=seen["inbox"],
                                  visible=seen["visible"])
    mine = {a.tracking_id for a in attempts if a.tracking_id} | {e.tracking_id for e in seen["events"]
                                                                  if e.key is not None}
    agency = count_agency(seen["inbox"], app.posts, mine) if app is not None else None
    events = [e for e in seen["events"] if e.tracking_id in mine]
    failover = failover_times(stage.timeline, events, partitions=options.partitions, after=scenario.failover_after)
    recovery = recovery_times(stage.timeline, attempts) if scenario.recovery else []
    delivery = delivery_recovery(stage.timeline, seen["inbox"], app.posts, mine) if app is not None else []
    failures = [f"{f.target} did not stop within {scenario.stop_within:.0f} s of SIGTERM"
                for f in stage.timeline if scenario.stop_within and f.kind == WORKER_STOP
                and not f.detail.startswith("exit code")]
    result, reasons = verdict(complaints, agency, failures)
    figures = scenario_figures(complaints=complaints, agency=agency, attempts=attempts, failover=failover,
                               recovery=recovery, delivery=delivery, broker_restarts=broker_restarts(stage.timeline),
                               during_outage=answers_during_outage(stage.timeline, attempts),
                               timeline=stage.timeline, started_at=started_at)
    summary = {"scenario": scenario.name, "what": scenario.what, "verdict": result, "reasons": reasons,
               "brokers": scenario.nodes, "workers": scenario.workers, "partitions": options.partitions,
               "duration_s": round(time.time() - started_at, 1), **figures,
               "ready_to_processing_s": [{"at": round(m.at - started_at, 2), "target": m.target,
                                          "seconds": None if m.seconds is None else round(m.seconds, 1)}
                                         for m in ready_lags],
               "answers_while_not_ready": answers_while_not_ready(stage.timeline, attempts),
               "log_growth_while_broker_down": stage.log_growth, "worker_stops": stage.stops,
               "connector_exit_code": connector_exit,
               "agency_app": None if app is None else {"refused_while_down": app.refused,
                                                       "bad_signatures": app.bad_signatures}}
    summary["findings"] = findings(summary)
    return summary


@contextlib.contextmanager
def _work_dir(options: ChaosOptions) -> Iterator[Path]:
    if options.work_dir is not None:
        options.work_dir.mkdir(parents=True, exist_ok=True)
        yield options.work_dir.resolve()
        return
    with tempfile.TemporaryDirectory(prefix="lapor-chaos-") as tmp:
        yield Path(tmp)


def _say(text: str) -> None:
    print(f"[chaos {datetime.now():%H:%M:%S}] {text}", file=sys.stderr, flush=True)

