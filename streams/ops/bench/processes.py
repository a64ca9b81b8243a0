"""The processes under test: a real hub worker and the raw passthrough, each a subprocess."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select

from lapor_hub.errors import FatalError
from lapor_hub.streams.broker import free_port
from lapor_hub.streams.readmodel.tables import timeline

__all__ = ["HubWorker", "Passthrough", "FaustPassthrough", "ReadModelProbe", "group_lag", "catch_up",
           "BENCH_INSTANCE"]

#: The bench worker's instance id: its projector's group is ``<app id>.readmodel.bench``.
BENCH_INSTANCE = "bench"

_IN_CHUNK = 500


@dataclass
class _Child:
    process: subprocess.Popen
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self, sig: int = signal.SIGINT, timeout: float = 60.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        return self.process.returncode

    def _check_alive(self, what: str) -> None:
        if self.process.poll() is not None:
            raise FatalError(f"{what} exited with code {self.process.returncode}:\n{self.log_tail()}")


@dataclass
class HubWorker(_Child):
    """``lapor-hub run --no-demo`` with its own app id, data directory and web port."""

    base_url: str
    data_dir: Path
    app_id: str

    @classmethod
    def start(cls, bootstrap: str, data_dir: Path, *, partitions: int, app_id: str,
              profile_to: Path | None = None, timeout: float = 300.0, env: dict[str, str] | None = None,
              instance: str = BENCH_INSTANCE) -> HubWorker:
        worker = cls.launch(bootstrap, data_dir, partitions=partitions, app_id=app_id, profile_to=profile_to,
                            env=env, instance=instance)
        try:
            worker.wait_ready(timeout)
        except BaseException:
            worker.stop()
            raise
        return worker

    @classmethod
    def launch(cls, bootstrap: str, data_dir: Path, *, partitions: int, app_id: str,
               profile_to: Path | None = None, env: dict[str, str] | None = None,
               port: int | None = None, instance: str = BENCH_INSTANCE) -> HubWorker:
        """Start the process and return at once (``env``: more ``LAPOR_*`` settings; ``instance``: the
        worker's instance id, which names its projector's group ``<app id>.readmodel.<instance>``)."""
        port = port or free_port()
        data_dir.mkdir(parents=True, exist_ok=True)
        log_path = data_dir / "hub.log"
        # Only our settings: a LAPOR_* variable of the caller's shell (a database URL, a time
        # scale) must not change what is measured.
        child_env = {k: v for k, v in os.environ.items() if not k.startswith("LAPOR_")}
        child_env.update(LAPOR_BROKER=bootstrap, LAPOR_WEB_PORT=str(port), LAPOR_DATA_DIR=str(data_dir),
                         LAPOR_DEMO="0", LAPOR_APP_ID=app_id, LAPOR_TOPIC_PARTITIONS=str(partitions),
                         LAPOR_INSTANCE_ID=instance, **(env or {}))
        command = [sys.executable, "-m", "lapor_hub.streams.cli", "run", "--no-demo"]
        if profile_to is not None:
            command = [sys.executable, "-m", "cProfile", "-o", str(profile_to), *command[1:]]
        with open(log_path, "ab") as log:
            process = subprocess.Popen(command, env=child_env, stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL)
        return cls(process, log_path, f"http://127.0.0.1:{port}", data_dir, app_id)

    def is_ready(self) -> bool:
        """``GET /ready`` answers 200 (raises if the process exited)."""
        self._check_alive("the hub worker")
        try:
            with urllib.request.urlopen(f"{self.base_url}/ready", timeout=5) as response:
                return response.status == 200
        except OSError:
            return False

    @property
    def read_model_path(self) -> Path:
        return self.data_dir / "read-model.db"

    def wait_ready(self, timeout: float) -> None:
        """Until the worker logged Ready and answers ``/health`` (raises past ``timeout`` or if it exited)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive("the hub worker")
            if "Worker]: Ready" in self.log_tail(200_000):
                try:
                    with urllib.request.urlopen(f"{self.base_url}/health", timeout=5) as response:
                        if response.status == 200:
                            return
                except OSError:
                    pass
            time.sleep(0.5)
        raise FatalError(f"the hub worker was not ready within {timeout:.0f}s:\n{self.log_tail()}")


@dataclass
class Passthrough(_Child):
    """``python -m streams.bench.passthrough``: the raw Kafka baseline."""

    @classmethod
    def start(cls, bootstrap: str, source: str, target: str, group: str, log_dir: Path,
              timeout: float = 120.0) -> Passthrough:
        log_path = log_dir / "passthrough.log"
        process = subprocess.Popen([sys.executable, "-m", "lapor_hub.streams.ops.bench.passthrough",
                                    bootstrap, source, target, group],
                                   stdout=subprocess.PIPE, stderr=open(log_path, "ab"), stdin=subprocess.DEVNULL,
                                   text=True)
        child = cls(process, log_path)
        assert process.stdout is not None  # stdout=PIPE
        line = process.stdout.readline()  # blocks until "ready" or exit; the broker is up already
        if line.strip() != "ready":
            child.stop()
            raise FatalError(f"the passthrough did not start:\n{child.log_tail()}")
        return child


@dataclass
class FaustPassthrough(_Child):
    """``python -m ...bench.faust_passthrough``: the smallest Faust agent, the second baseline."""

    @classmethod
    def start(cls, bootstrap: str, source: str, target: str, app_id: str, log_dir: Path,
              timeout: float = 120.0) -> FaustPassthrough:
        log_path = log_dir / "faust-passthrough.log"
        data_dir = log_dir / "faust-passthrough"
        process = subprocess.Popen([sys.executable, "-m", "lapor_hub.streams.ops.bench.faust_passthrough", bootstrap,
                                    source, target, app_id, str(data_dir)],
                                   stdout=subprocess.PIPE, stderr=open(log_path, "ab"), stdin=subprocess.DEVNULL,
                                   text=True)
        child = cls(process, log_path)
        assert process.stdout is not None  # stdout=PIPE above
        line = process.stdout.readline()  # blocks until "ready" or exit
        if line.strip() != "ready":
            child.stop()
            raise FatalError(f"the Faust passthrough did not start:\n{child.log_tail()}")
        return child


class ReadModelProbe:
    """Counts timeline rows in the worker's SQLite read model, read-only."""

    def __init__(self, path: Path) -> None:
        self._engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")

    def events_for(self, tracking_ids: list[str]) -> int:
        total = 0
        with self._engine.connect() as conn:
            for start in range(0, len(tracking_ids), _IN_CHUNK):
                chunk = tracking_ids[start:start + _IN_CHUNK]
                total += conn.execute(select(func.count()).select_from(timeline)
                                      .where(timeline.c.tracking_id.in_(chunk))).scalar_one()
        return total

    def settled(self, submissions: Sequence[Any]) -> Callable[[], bool]:
        """A check: the read model has the submission and the disposition of each of ``submissions``."""
        ids = [s.tracking_id for s in submissions]
        return lambda: self.events_for(ids) >= 2 * len(ids)

    def dispose(self) -> None:
        self._engine.dispose()


async def catch_up(bootstrap: str, app_id: str, instances: Sequence[str] = (BENCH_INSTANCE,), *,
                   timeout: float = 120.0) -> int:
    """Wait until the workers' groups have committed everything on their topics; the lag found first.

    The lifecycle group is shared by every worker of ``app_id``; each instance's projector has a group
    of its own (SQLite read model).
    """
    from lapor_hub.streams.core import topics

    def lag() -> int:
        lifecycle = group_lag(bootstrap, app_id, [topics.INTAKE, topics.COMMANDS])
        return lifecycle + sum(group_lag(bootstrap, f"{app_id}.readmodel.{instance}", [topics.EVENTS])
                               for instance in instances)

    first = behind = await asyncio.to_thread(lag)
    deadline = time.monotonic() + timeout
    while behind and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        behind = await asyncio.to_thread(lag)
    if behind:
        raise FatalError(f"the hub workers still lag {behind} records behind after {timeout:.0f}s of catch-up")
    return first


def group_lag(bootstrap: str, group: str, topic_names: list[str]) -> int:
    """Records on ``topic_names`` that consumer group ``group`` has not committed yet."""
    from kafka import KafkaConsumer, TopicPartition

    # committed() asks the group coordinator without joining the group: the worker keeps its partitions.
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(t, p) for t in topic_names for p in consumer.partitions_for_topic(t) or ()]
        ends = consumer.end_offsets(partitions)
        return sum(max(0, end - (consumer.committed(tp) or 0)) for tp, end in ends.items())
    finally:
        consumer.close()
