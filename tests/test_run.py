"""`lapor-hub run` (what `make run` calls) against the test broker: it serves /health and stops cleanly."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from lapor_hub.streams.broker import free_port

pytestmark = pytest.mark.kafka


def _get_json(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_the_hub_serves_health_and_stops_on_sigint(kafka_broker, tmp_path):
    port = free_port()
    env = {**os.environ, "LAPOR_BROKER": kafka_broker.bootstrap, "LAPOR_WEB_PORT": str(port),
           "LAPOR_DATA_DIR": str(tmp_path), "LAPOR_DEMO": "0", "LAPOR_APP_ID": f"hub-run-{port}"}
    hub = subprocess.Popen([sys.executable, "-m", "lapor_hub.streams.cli", "run"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert hub.stdout is not None  # stdout=PIPE
    try:
        deadline = time.monotonic() + 120
        status = None
        while time.monotonic() < deadline and hub.poll() is None:
            try:
                status, body = _get_json(f"http://127.0.0.1:{port}/health")
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200, hub.stdout.read() if hub.poll() is not None else "no answer from /health"
        assert body == {"status": "ok", "worker": "up", "broker": "reachable"}
    finally:
        hub.send_signal(signal.SIGINT)
        output, _ = hub.communicate(timeout=60)
    assert hub.returncode == 0, output[-2000:]
    assert "topics:" in output
