"""A worker that crashes exits non-zero, so that whatever supervises it (systemd, Docker, Kubernetes) restarts it."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

from lapor_hub.streams.broker import free_port

pytestmark = pytest.mark.kafka

#: Runs the hub with the recovery's committed-offsets lookup failing, as a broker refusing it would.
_CRASHING_WORKER = """
import sys
import lapor_hub.streams.core.rewind as rewind

def refuse(settings):
    raise OSError("simulated: the broker refuses the offsets request")

rewind._read_committed = refuse
rewind._ATTEMPTS = 1
from lapor_hub.streams.cli import main
sys.exit(main(["run", "--no-demo"]))
"""


def test_a_worker_whose_recovery_crashes_exits_with_a_failure_code(kafka_broker, hub_topics, tmp_path):
    env = {**os.environ, "LAPOR_BROKER": kafka_broker.bootstrap, "LAPOR_DATA_DIR": str(tmp_path),
           "LAPOR_WEB_PORT": str(free_port()), "LAPOR_APP_ID": f"crash-{uuid.uuid4().hex[:8]}",
           "LAPOR_TOPIC_PARTITIONS": "2"}
    done = subprocess.run([sys.executable, "-c", _CRASHING_WORKER], env=env, capture_output=True, text=True,
                          timeout=240, check=False)
    assert done.returncode != 0, done.stdout[-3000:]
    assert "the worker stops rather than skip records" in done.stdout + done.stderr
