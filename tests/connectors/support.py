"""Helpers for connector tests: configs, a runtime in a thread, bounded waits, signed posts."""

from __future__ import annotations

import contextlib
import itertools
import json
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

from lapor_hub.connectors.sdk import Connector, ConnectorRuntime
from lapor_hub.connectors.sdk.config_file import build_config
from lapor_hub.connectors.sdk.inbound import InboundServer
from lapor_hub.connectors.sdk.signing import sign
from lapor_hub.connectors.testing import Counterpart, sample_delivery

__all__ = ["FAST_RUNTIME", "LocalAgencyApp", "config_for", "running", "wait_until", "post_signed"]

FAST_RUNTIME = {"poll_interval": 0.2, "heartbeat_interval": 0.5, "backoff_initial": 0.05,
                "backoff_max": 0.3, "idle_wait": 0.2, "session_timeout": 6}
_IDS = itertools.count(1)


def config_for(kind: str, agency: str, settings: dict, *, bootstrap: str = "127.0.0.1:9", inbound: bool = False,
               connector_id: str | None = None, **extra: Any):
    raw = {"type": kind, "id": connector_id or f"test-{kind}-{next(_IDS)}", "agency": agency,
           "broker": {"bootstrap": bootstrap}, "runtime": FAST_RUNTIME, "settings": settings,
           "state_dir": tempfile.mkdtemp(prefix="lapor-connect-state-"), **extra}
    if inbound:
        raw["inbound"] = {"host": "127.0.0.1", "port": 0}
    return build_config(raw, env={})


@contextlib.contextmanager
def running(connector: Connector, timeout: float = 30.0, **options: Any) -> Iterator[ConnectorRuntime]:
    """The connector's runtime in a thread; stopped (like SIGTERM) when the block ends."""
    runtime = ConnectorRuntime(connector, **options)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            runtime.run()
        except BaseException as exc:  # surfaced to the test below
            failure.append(exc)

    thread = threading.Thread(target=run, name=f"runtime-{connector.config.id}", daemon=True)
    thread.start()
    assert runtime.ready.wait(timeout), "the runtime did not start"
    try:
        yield runtime
    finally:
        runtime.stop()
        thread.join(timeout)
        assert not thread.is_alive(), "the runtime did not stop within the timeout"
    if failure:
        raise failure[0]


def wait_until(predicate: Callable[[], Any], *, timeout: float = 30.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def post_signed(url: str, secret: str, payload: Any, *, signature: str | None = None) -> tuple[int, dict]:
    body = json.dumps(payload).encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "X-Lapor-Signature": signature or sign(secret, body)})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as answer:
        return answer.code, json.loads(answer.read())


class LocalAgencyApp(Counterpart):
    """An agency's system served on a local port (``routes``), for the conformance suite of an example
    connector: it can go down, and it refuses the delivery of tracking ids starting with ``REJECT``."""

    def __init__(self, routes: list) -> None:
        self.down = False
        self._server = InboundServer(routes, host="127.0.0.1", port=0)
        self.port = self._server.start()

    def go_down(self) -> None:
        self.down = True

    def come_back(self) -> None:
        self.down = False

    def undeliverable(self, agency: str):
        return sample_delivery(agency, "REJECT-1")

    def stop(self) -> None:
        self._server.stop()
