"""The faults, by the names users script against (``lapor-hub chaos --scenario NAME``).

A scenario says what it needs (brokers, workers, an agency) and what it does while the load
runs; :mod:`lapor_hub.streams.ops.chaos.run` starts the load before and counts after. Durations come from a
:class:`Plan`: :data:`FULL` for ``make chaos``, :data:`SHORT` for the form in ``make test``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from lapor_hub.errors import FatalError
from lapor_hub.streams.core import topics
from lapor_hub.streams.ops.chaos.agency import CaseApp
from lapor_hub.streams.ops.chaos.model import AGENCY_DOWN, AGENCY_UP, BROKER_KILL, WORKER_KILL
from lapor_hub.streams.ops.chaos.stage import Stage

__all__ = ["Plan", "Scenario", "SCENARIOS", "FULL", "SHORT"]


@dataclass(frozen=True)
class Plan:
    #: New complaints per second, spread over the workers.
    rate: float
    #: Seconds of load before the first fault, and after the last one is over.
    warmup: float
    tail: float
    #: Clients still without an answer retry this long after the last fault is over.
    retry_window: float
    #: After the load stops: how long the topics and every worker's API may take to show it all.
    settle: float
    #: worker-kill: how many SIGKILLs, and the seconds between a restarted worker being up and the next.
    kills: int
    kill_interval: float
    #: broker-restart and broker-down-worker-kill: seconds the broker is down.
    broker_down: float
    #: broker-down-worker-kill: seconds into the outage when the worker is killed (late enough for
    #: clients to have timed out and retried once: 10 s timeout).
    worker_kill_after: float
    #: broker-down-stop: seconds into the outage when the worker is told to stop (SIGTERM).
    stop_after: float
    #: leader-kill: seconds the partition leader is down.
    leader_down: float
    #: agency-down: seconds the agency's system answers 503.
    agency_down: float
    #: Seconds a restarted worker may take to be up.
    up_timeout: float
    #: Complaints the hub holds before the load starts, in scenarios that preload (worker-kill).
    preload: int = 0


FULL = Plan(rate=10, warmup=15, tail=20, retry_window=90, settle=90, kills=4, kill_interval=15, broker_down=22,
            worker_kill_after=16, stop_after=5, leader_down=30, agency_down=60, up_timeout=180,
            preload=20000)
SHORT = Plan(rate=5, warmup=8, tail=8, retry_window=30, settle=30, kills=2, kill_interval=10, broker_down=16,
             worker_kill_after=13, stop_after=5, leader_down=15, agency_down=20, up_timeout=120)

#: Issue 11: SIGINT and SIGTERM end ``lapor-hub run`` within 30 s in every state.
_STOP_WITHIN_S = 30.0

Act = Callable[[Stage, Plan, "CaseApp | None"], Awaitable[None]]


@dataclass(frozen=True)
class Scenario:
    name: str
    #: One line: what is done, for ``--help`` and the results.
    what: str
    nodes: int
    workers: int
    act: Act
    #: Fault kinds that failover is measured from (see :mod:`lapor_hub.streams.ops.chaos.timing`).
    failover_after: tuple[str, ...] = ()
    #: Whether recovery (broker restart until a new complaint is answered 202) is measured.
    recovery: bool = False
    agency: bool = False
    #: A worker told to stop (SIGTERM) must exit within this many seconds, or the scenario fails.
    stop_within: float | None = None
    #: The hub holds :attr:`Plan.preload` complaints before the load (state to restore on restarts).
    preload: bool = False


async def _all_workers_up(stage: Stage, plan: Plan) -> None:
    await asyncio.gather(*(stage.wait_worker_up(name, plan.up_timeout) for name in stage.workers))


async def _worker_kill(stage: Stage, plan: Plan, app: CaseApp | None) -> None:
    for i in range(plan.kills):
        if i:
            await asyncio.sleep(plan.kill_interval)
        stage.kill_worker("worker-2")
        await stage.wait_worker_up("worker-2", plan.up_timeout)


async def _broker_restart(stage: Stage, plan: Plan, app: CaseApp | None) -> None:
    await stage.kill_broker(1)
    await asyncio.sleep(plan.broker_down)
    await stage.restart_broker(1)
    await _all_workers_up(stage, plan)


async def _broker_down_worker_kill(stage: Stage, plan: Plan, app: CaseApp | None) -> None:
    await stage.kill_broker(1)
    await asyncio.sleep(plan.worker_kill_after)
    stage.kill_worker("worker-2")
    await asyncio.sleep(max(0.0, plan.broker_down - plan.worker_kill_after))
    await stage.restart_broker(1)
    await _all_workers_up(stage, plan)


async def _broker_down_stop(stage: Stage, plan: Plan, app: CaseApp | None) -> None:
    killed = await stage.kill_broker(1)
    await asyncio.sleep(plan.stop_after)
    await stage.stop_worker("worker-2", timeout=_STOP_WITHIN_S)
    await asyncio.sleep(max(0.0, plan.broker_down - (time.time() - killed.at)))
    await stage.restart_broker(1)
    await _all_workers_up(stage, plan)


async def _leader_kill(stage: Stage, plan: Plan, app: CaseApp | None) -> None:
    leader = await asyncio.to_thread(stage.cluster.leader_of, topics.INTAKE, 0)
    if leader is None:  # before any fault every partition has a leader; this one has none to kill
        raise FatalError(f"{topics.INTAKE} partition 0 has no leader to kill")
    await stage.kill_broker(leader)
    await asyncio.sleep(plan.leader_down)
    await stage.restart_broker(leader)
    await _all_workers_up(stage, plan)


async def _agency_down(stage: Stage, plan: Plan, app: CaseApp | None) -> None:
    assert app is not None
    app.down = True
    stage.note(AGENCY_DOWN, "18.10")
    await asyncio.sleep(plan.agency_down)
    app.down = False
    stage.note(AGENCY_UP, "18.10")


SCENARIOS: dict[str, Scenario] = {s.name: s for s in (
    Scenario("worker-kill", "two workers under load; one SIGKILLed repeatedly and restarted", nodes=1, workers=2,
             act=_worker_kill, failover_after=(WORKER_KILL,), preload=True),
    Scenario("broker-restart", "the broker SIGKILLed under load and restarted", nodes=1, workers=2,
             act=_broker_restart, recovery=True),
    Scenario("broker-down-worker-kill", "the broker down (SIGKILL) while a worker is SIGKILLed; clients retry",
             nodes=1, workers=2, act=_broker_down_worker_kill, failover_after=(WORKER_KILL,), recovery=True),
    Scenario("broker-down-stop", "the broker down (SIGKILL); a worker told to stop (SIGTERM) must exit within 30 s, "
             "then is started again", nodes=1, workers=2, act=_broker_down_stop, recovery=True,
             stop_within=_STOP_WITHIN_S),
    Scenario("leader-kill", "3 brokers (replication 3, min.insync.replicas=2); the leader of complaints.intake "
             "partition 0 SIGKILLed under load, then restarted", nodes=3, workers=2, act=_leader_kill,
             failover_after=(BROKER_KILL,)),
    Scenario("agency-down", "an agency's system down (503) behind a webhook connector under load", nodes=1,
             workers=1, act=_agency_down, agency=True),
)}
