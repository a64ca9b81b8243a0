"""Hub workers as real processes (``lapor-hub run --no-demo``), killed and restarted as a
crash and a supervisor (systemd, Kubernetes) would.

A worker keeps its web port and its data directory across restarts, like a pod with a volume,
so that clients keep their list of workers. It is *up* when ``GET /ready`` answers 200 (the hub's
promise: it owns partitions and its state is restored); a hub without ``/ready`` is up when
``/health`` answers 200 and its log says ``Worker]: Ready``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from lapor_hub.streams.broker import free_port

__all__ = ["Worker"]

_READY_LINE = "Worker]: Ready"


class Worker:
    def __init__(self, name: str, data_dir: Path, *, bootstrap: str, app_id: str, partitions: int,
                 replication: int = 1) -> None:
        self.name = name
        self.data_dir = data_dir
        self.port = free_port()
        self.log_path = data_dir / "hub.log"
        # Only our settings: a LAPOR_* variable of the caller's shell must not change what is measured.
        self._env = {k: v for k, v in os.environ.items() if not k.startswith("LAPOR_")}
        self._env.update(LAPOR_BROKER=bootstrap, LAPOR_WEB_PORT=str(self.port), LAPOR_DATA_DIR=str(data_dir),
                         LAPOR_APP_ID=app_id, LAPOR_TOPIC_PARTITIONS=str(partitions),
                         LAPOR_TOPIC_REPLICATION=str(replication), LAPOR_DEMO="0",
                         # Every simulated citizen calls from 127.0.0.1: one address, not one client.
                         LAPOR_RATE_LIMIT_SUBMISSIONS="1000000/minute", LAPOR_RATE_LIMIT_REPORTER="1000000/minute")
        self._process: subprocess.Popen | None = None
        self._log_offset = 0
        self.launches = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def exit_code(self) -> int | None:
        """The exit code once the current process has ended; None while it runs (or never ran)."""
        return None if self._process is None else self._process.poll()

    def launch(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.launches += 1
        with open(self.log_path, "ab") as log:
            log.write(f"\n=== chaos: launch {self.launches} at {time.time():.3f}\n".encode())
            self._log_offset = log.tell()
            self._process = subprocess.Popen([sys.executable, "-m", "lapor_hub.streams.cli", "run", "--no-demo"],
                                             env=self._env, stdout=log, stderr=subprocess.STDOUT,
                                             stdin=subprocess.DEVNULL)

    def kill(self) -> None:
        """SIGKILL: nothing flushed, nothing committed."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=30)

    def stop(self, timeout: float = 30.0) -> tuple[int | None, float]:
        """SIGTERM, then SIGKILL after ``timeout``: (exit code, seconds it took; None if it had to be killed)."""
        if self._process is None or self._process.poll() is not None:
            return (None if self._process is None else self._process.returncode), 0.0
        started = time.monotonic()
        self._process.send_signal(signal.SIGTERM)
        try:
            code = self._process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=30)
            return None, time.monotonic() - started
        return code, time.monotonic() - started

    def is_up(self) -> bool:
        """Ready for traffic now (see the module docstring)."""
        if self.exit_code() is not None or self._process is None:
            return False
        status = _get_status(f"{self.base_url}/ready")
        if status != 404:
            return status == 200
        return _get_status(f"{self.base_url}/health") == 200 and _READY_LINE in self.log_since_launch()

    def wait_up(self, timeout: float) -> float | None:
        """Seconds until up, polling; None if it was not up within ``timeout`` or it exited."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.exit_code() is not None:
                return None
            if self.is_up():
                return time.monotonic() - started
            time.sleep(0.25)
        return None

    def log_since_launch(self) -> str:
        try:
            with open(self.log_path, "rb") as log:
                log.seek(self._log_offset)
                return log.read().decode(errors="replace")
        except OSError:
            return ""

    def log_lines(self) -> int:
        """Lines in the worker's log so far (all launches)."""
        try:
            with open(self.log_path, "rb") as log:
                return sum(chunk.count(b"\n") for chunk in iter(lambda: log.read(1 << 20), b""))
        except OSError:
            return 0

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def _get_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code
    except OSError:
        return None
