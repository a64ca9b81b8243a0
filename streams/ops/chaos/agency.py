"""An agency behind a webhook connector: its case-management app, and ``lapor-connect run``.

The app checks every signature, keeps one case per Idempotency-Key as the webhook contract asks,
and records each delivery it answered (:class:`~lapor_hub.streams.ops.chaos.model.Post`); while ``down`` it
answers 503 as a system under maintenance would. The connector is a real ``lapor-connect run``
process with a YAML configuration, its secret passed in its environment only.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml
from aiohttp import web

from lapor_hub.connectors.sdk.inbound import InboundServer
from lapor_hub.connectors.sdk.signing import SIGNATURE_HEADER, SignatureError, verify
from lapor_hub.streams.broker import free_port
from lapor_hub.streams.ops.chaos.model import Post

__all__ = ["CaseApp", "WebhookConnectorProcess", "CONNECTOR_RUNTIME"]

#: The connector's runtime settings: production-like except that the longest backoff is 10 s,
#: so that a delivery resumes within seconds of the agency coming back.
CONNECTOR_RUNTIME = {"batch_size": 50, "poll_interval": 1.0, "heartbeat_interval": 5.0, "backoff_initial": 0.5,
                     "backoff_max": 10.0, "idle_wait": 0.5, "session_timeout": 10}
_SECRET_ENV = "CHAOS_WEBHOOK_SECRET"


class CaseApp:
    def __init__(self) -> None:
        self.secret = secrets.token_hex(24)
        self.down = False
        self.posts: list[Post] = []
        self.refused = 0
        self.bad_signatures = 0
        self.pings = 0
        self._cases: set[str] = set()
        self._lock = threading.Lock()
        self._server = InboundServer([web.post("/api/lapor/assignments", self._receive)], host="127.0.0.1", port=0)
        self.url = f"http://127.0.0.1:{self._server.start()}/api/lapor/assignments"

    async def _receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            verify(self.secret, body, request.headers.get(SIGNATURE_HEADER), window=300)
        except SignatureError:
            self.bad_signatures += 1
            return web.json_response({"error": "bad signature"}, status=401)
        payload = json.loads(body)
        if payload.get("type") == "ping":
            self.pings += 1
            return web.json_response({"pong": True})
        if self.down:
            self.refused += 1
            return web.json_response({"error": "case database unavailable"}, status=503)
        key = request.headers.get("Idempotency-Key", "")
        with self._lock:
            new_case = key not in self._cases
            self._cases.add(key)
            self.posts.append(Post(key, payload.get("tracking_id", ""), payload.get("type", ""), time.time(), new_case))
        return web.json_response({"reference": f"SIPP-{key[:8]}"})

    def stop(self) -> None:
        self._server.stop()


class WebhookConnectorProcess:
    """``lapor-connect run`` for one agency's webhook connector."""

    def __init__(self, home: Path, *, agency: str, bootstrap: str, app: CaseApp, connector_id: str) -> None:
        home.mkdir(parents=True, exist_ok=True)
        self.config_path = home / "webhook.yaml"
        self.log_path = home / "connector.log"
        self.config_path.write_text(yaml.safe_dump({
            "type": "webhook", "id": connector_id, "agency": agency,
            "broker": {"bootstrap": bootstrap}, "runtime": CONNECTOR_RUNTIME,
            "inbound": {"host": "127.0.0.1", "port": free_port()},
            "settings": {"url": app.url, "secret": "${" + _SECRET_ENV + "}", "timeout": 5}}))
        self._env = {**os.environ, _SECRET_ENV: app.secret}
        self._process: subprocess.Popen | None = None

    def launch(self) -> None:
        with open(self.log_path, "ab") as log:
            self._process = subprocess.Popen([sys.executable, "-m", "lapor_hub.connectors.cli", "run",
                                              str(self.config_path)],
                                             env=self._env, stdout=log, stderr=subprocess.STDOUT,
                                             stdin=subprocess.DEVNULL)

    def wait_started(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                return False
            if " started" in self.log_path.read_text(errors="replace"):
                return True
            time.sleep(0.25)
        return False

    def stop(self, timeout: float = 30.0) -> int | None:
        if self._process is None or self._process.poll() is not None:
            return None if self._process is None else self._process.returncode
        self._process.terminate()
        try:
            return self._process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=30)
            return None
