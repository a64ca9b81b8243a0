"""What one scenario runs against: a fresh cluster, the hub's topics, worker processes under a
supervisor, and the timeline of everything done to them.

Each scenario gets its own brokers and data under its own folder, so that no scenario sees
another's complaints, consumer groups or half-recovered logs. The supervisor restarts a worker
whose process ended by itself (exit code noted on the timeline) after 2 s, as systemd or
Kubernetes would; a worker the scenario kills is restarted by the scenario at once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from lapor_hub.errors import FatalError
from lapor_hub.streams.broker import LocalCluster
from lapor_hub.streams.core.admin import init_topics
from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.directory import default_directory
from lapor_hub.streams.ops.chaos.load import Target
from lapor_hub.streams.ops.chaos.model import (
    BROKER_KILL,
    BROKER_READY,
    BROKER_RESTART,
    WORKER_EXIT,
    WORKER_KILL,
    WORKER_READY,
    WORKER_START,
    WORKER_STOP,
    Fault,
)
from lapor_hub.streams.ops.chaos.workers import Worker

__all__ = ["Stage"]

_SUPERVISOR_BACKOFF_S = 2.0
_START_TIMEOUT_S = 240.0


class Stage:
    def __init__(self, home: Path, *, nodes: int, workers: int, partitions: int, cache_dir: Path,
                 app_id: str) -> None:
        self.home = home
        self.partitions = partitions
        self.app_id = app_id
        self.cluster = LocalCluster(home / "kafka", nodes=nodes, cache_dir=cache_dir)
        replication = self.cluster.replication_factor
        self.workers = {f"worker-{i}": Worker(f"worker-{i}", home / f"worker-{i}", bootstrap=self.cluster.bootstrap,
                                              app_id=app_id, partitions=partitions, replication=replication)
                        for i in range(1, workers + 1)}
        self.timeline: list[Fault] = []
        #: Per worker at the end: how its SIGTERM went (exit code, seconds).
        self.stops: dict[str, dict] = {}
        #: Per broker outage and worker: how many log lines it wrote while the broker was down.
        self.log_growth: list[dict] = []
        #: Called with a worker's name when a worker restarted during the scenario is up again.
        self.on_restarted_up: Callable[[str], None] | None = None
        self._supervisor: asyncio.Task | None = None
        self._restart_due: dict[str, float] = {}
        self._lines_at_kill: dict[str, tuple[float, dict[str, int]]] = {}

    @property
    def bootstrap(self) -> str:
        return self.cluster.bootstrap

    @property
    def targets(self) -> list[Target]:
        return [Target(name, w.base_url) for name, w in self.workers.items()]

    def note(self, kind: str, target: str = "", detail: str = "") -> Fault:
        fault = Fault(time.time(), kind, target, detail)
        self.timeline.append(fault)
        return fault

    async def __aenter__(self) -> Stage:
        await asyncio.to_thread(self.cluster.start)
        settings = HubSettings(broker=self.cluster.bootstrap, data_dir=self.home, partitions=self.partitions,
                               replication_factor=self.cluster.replication_factor)
        await asyncio.to_thread(init_topics, settings, [a.code for a in default_directory()])
        try:
            for worker in self.workers.values():
                self._launch(worker)
            await asyncio.gather(*(self._first_up(w) for w in self.workers.values()))
        except BaseException:
            await self._teardown()
            raise
        self._supervisor = asyncio.create_task(self._supervise())
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._teardown()

    # -- faults ---------------------------------------------------------------------------

    def kill_worker(self, name: str, *, restart: bool = True) -> Fault:
        """SIGKILL a worker and, as a supervisor would, start it again at once."""
        worker = self.workers[name]
        worker.kill()
        fault = self.note(WORKER_KILL, name)
        if restart:
            self._launch(worker)
        return fault

    async def stop_worker(self, name: str, timeout: float = 30.0) -> Fault:
        """SIGTERM a worker, as an operator or an orchestrator would; it must exit within
        ``timeout`` (then it is SIGKILLed). Started again at once, like a rolling restart."""
        worker = self.workers[name]
        self._restart_due[name] = float("inf")  # the supervisor keeps off while we wait
        try:
            code, seconds = await asyncio.to_thread(worker.stop, timeout)
            detail = (f"exit code {code} after {seconds:.1f} s" if code is not None
                      else f"no exit within {timeout:.0f} s of SIGTERM; SIGKILLed")
            fault = self.note(WORKER_STOP, name, detail)
            self._launch(worker)
        finally:
            self._restart_due.pop(name, None)
        return fault

    async def wait_worker_up(self, name: str, timeout: float) -> float | None:
        """Seconds until the worker is up (noted on the timeline), None if not within ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seconds = await asyncio.to_thread(self.workers[name].wait_up, deadline - time.monotonic())
            if seconds is not None:
                self.note(WORKER_READY, name)
                if self.on_restarted_up is not None and self.workers[name].launches > 1:
                    self.on_restarted_up(name)
                return seconds
            await asyncio.sleep(0.5)  # it exited: the supervisor restarts it
        return None

    async def kill_broker(self, node: int) -> Fault:
        killed = await asyncio.to_thread(self.cluster.kill, node)
        fault = self.note(BROKER_KILL, f"node-{node}", "" if killed else "was not running")
        self._lines_at_kill[fault.target] = (fault.at, await asyncio.to_thread(self._log_lines))
        return fault

    async def restart_broker(self, node: int) -> Fault:
        fault = self.note(BROKER_RESTART, f"node-{node}")
        await asyncio.to_thread(self.cluster.restart, node)
        ready = self.note(BROKER_READY, f"node-{node}")
        if fault.target in self._lines_at_kill:
            killed_at, before = self._lines_at_kill.pop(fault.target)
            after = await asyncio.to_thread(self._log_lines)
            self.log_growth.append({"broker": fault.target, "seconds_down": round(ready.at - killed_at, 1),
                                    "worker_log_lines": {w: after[w] - before.get(w, 0) for w in after}})
        return fault

    def _log_lines(self) -> dict[str, int]:
        return {name: worker.log_lines() for name, worker in self.workers.items()}

    # -- internals ------------------------------------------------------------------------

    def _launch(self, worker: Worker) -> None:
        worker.launch()
        self.note(WORKER_START, worker.name, f"pid {worker.pid}")

    async def _first_up(self, worker: Worker) -> None:
        seconds = await asyncio.to_thread(worker.wait_up, _START_TIMEOUT_S)
        if seconds is None:
            raise FatalError(f"{worker.name} was not up within {_START_TIMEOUT_S:.0f}s (exit code "
                             f"{worker.exit_code()}):\n{worker.log_tail()}")
        self.note(WORKER_READY, worker.name)

    async def _supervise(self) -> None:
        while True:
            await asyncio.sleep(0.5)
            now = time.monotonic()
            for name, worker in self.workers.items():
                code = worker.exit_code()
                if code is None:
                    continue
                if name not in self._restart_due:
                    self.note(WORKER_EXIT, name, f"exit code {code}")
                    self._restart_due[name] = now + _SUPERVISOR_BACKOFF_S
                elif now >= self._restart_due[name]:
                    del self._restart_due[name]
                    self._launch(worker)

    async def _teardown(self) -> None:
        if self._supervisor is not None:
            self._supervisor.cancel()
            try:
                await self._supervisor
            except asyncio.CancelledError:
                pass

        async def stop(worker: Worker) -> None:
            code, seconds = await asyncio.to_thread(worker.stop, 30.0)
            self.stops[worker.name] = {"exit_code": code, "seconds": round(seconds, 1)}

        await asyncio.gather(*(stop(w) for w in self.workers.values()))
        await asyncio.to_thread(self.cluster.stop)
