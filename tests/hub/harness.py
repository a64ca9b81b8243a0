"""A real hub worker in a subprocess, against the test broker, and helpers to talk to it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from lapor_hub.schemas import cloudevent_headers, decode, encode
from lapor_hub.streams.broker import free_port

__all__ = ["HubProcess", "start_hub", "http", "http_with_headers", "InboxReader", "produce_record", "wait_for",
           "Credentials", "bearer", "OPEN_RATE_LIMITS"]

#: Tests send many requests from one address: limits far above what they send (one test sets its own).
OPEN_RATE_LIMITS = {f"LAPOR_RATE_LIMIT_{bucket}": "100000/minute" for bucket in ("SUBMISSIONS", "REPORTER", "SIGN_IN",
                                                                                   "STAFF")}


@dataclass
class HubProcess:
    process: subprocess.Popen
    base_url: str
    bootstrap: str
    data_dir: Path
    log_path: Path

    def stop(self, sig: int = signal.SIGINT) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        return self.process.returncode

    def kill(self) -> None:
        """As a crash would: no chance to commit or flush anything."""
        self.process.kill()
        self.process.wait(timeout=30)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def session_kek() -> Path:
    """The key-encryption key every test hub of this pytest run shares, as a hub's workers share theirs.

    The hubs of a run share one broker, so each reads every other's complaints (and agency inboxes
    hold deliveries of them all); with one KEK, any of them opens what another sealed. A test that
    wants another KEK passes ``LAPOR_PRIVACY_KEK_FILE`` in ``extra_env``.
    """
    from lapor_hub.errors import ConfigurationError
    from lapor_hub.streams.privacy import write_new_kek

    path = Path(tempfile.gettempdir()) / f"lapor-test-kek-{os.getpid()}"
    if not path.exists():
        try:
            write_new_kek(path)
        except ConfigurationError:
            pass  # made meanwhile
    return path


def start_hub(bootstrap: str, data_dir: Path, *, app_id: str | None = None, extra_env: dict | None = None,
              timeout: float = 180.0) -> HubProcess:
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / f"hub-{port}.log"
    env = {**os.environ, "LAPOR_PRIVACY_KEK_FILE": str(session_kek()),
           "LAPOR_BROKER": bootstrap, "LAPOR_WEB_PORT": str(port), "LAPOR_DATA_DIR": str(data_dir),
           "LAPOR_DEMO": "0", "LAPOR_APP_ID": app_id or f"hub-test-{uuid.uuid4().hex[:8]}",
           "LAPOR_TOPIC_PARTITIONS": "2", **OPEN_RATE_LIMITS, **(extra_env or {})}
    with open(log_path, "ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "lapor_hub.streams.cli", "run", "--no-demo"], env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
    hub = HubProcess(process, f"http://127.0.0.1:{port}", bootstrap, data_dir, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the hub exited with {process.returncode}:\n{hub.log()[-3000:]}")
        try:
            status, body = http("GET", f"{hub.base_url}/ready")
            if status == 200:
                return hub
        except OSError:
            pass
        time.sleep(0.5)
    hub.stop()
    raise AssertionError(f"the hub did not become ready:\n{hub.log()[-3000:]}")


def http(method: str, url: str, body: dict | None = None, headers: dict | None = None,
         timeout: float = 10) -> tuple[int, dict]:
    status, body, _ = http_with_headers(method, url, body, headers, timeout)
    return status, body


def http_with_headers(method: str, url: str, body: dict | None = None, headers: dict | None = None,
                      timeout: float = 10) -> tuple[int, dict, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null"), dict(response.headers)
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null"), dict(err.headers)


def wait_for(check, *, timeout: float = 60.0, interval: float = 0.3, what: str = "condition"):
    """Poll ``check()`` until it returns something truthy; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


class InboxReader:
    """Reads a topic from the beginning, decoding the hub's Avro records, with their headers."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self._consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        partitions = [TopicPartition(topic, p) for p in self._consumer.partitions_for_topic(topic) or {0}]
        self._consumer.assign(partitions)
        self._consumer.seek_to_beginning(*partitions)
        self.records: list[tuple[str, dict, dict]] = []

    def poll(self) -> list[tuple[str, dict, dict]]:
        for records in self._consumer.poll(timeout_ms=500).values():
            for record in records:
                record_type, value = decode(record.value)
                self.records.append((record_type, value, {k: v for k, v in record.headers or ()}))
        return self.records

    def find(self, predicate, *, timeout: float = 60.0, what: str = "a record"):
        def check():
            return [r for r in self.poll() if predicate(*r)]

        return wait_for(check, timeout=timeout, what=what)

    def close(self) -> None:
        self._consumer.close()


def produce_record(bootstrap: str, topic: str, record_type: str, value: dict, *, source: str,
                   extra_headers: list | None = None, raw: bytes | None = None,
                   key: bytes | None = None) -> tuple[int, int]:
    """Produce one record as a connector would (CloudEvents binary mode), or ``raw`` bytes.

    Returns where the broker stored it: (partition, offset).
    """
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    now = value.get("occurred_at") or datetime.now(timezone.utc)
    headers = cloudevent_headers(record_type, value.get("event_id") or str(uuid.uuid4()), source,
                                 value.get("tracking_id", ""), now) + (extra_headers or [])
    payload = raw if raw is not None else encode(record_type, value)
    stored = producer.send(topic, key=key if key is not None else value.get("tracking_id", "").encode() or None,
                           value=payload, headers=headers).get(timeout=30)
    producer.close()
    return stored.partition, stored.offset


class Credentials:
    """Accounts, tokens and API keys of a hub's embedded issuer, made the way `lapor-hub users` makes them."""

    def __init__(self, data_dir: Path) -> None:
        from lapor_hub.streams.identity import IdentitySettings, open_identity

        self.issuer = open_identity(IdentitySettings.from_env({}, data_dir=data_dir)).embedded
        self._keys: dict[str, str] = {}

    def token(self, username: str, role: str, agency: str | None = None) -> str:
        """A staff token for ``username``, adding the account on first use."""
        from lapor_hub.streams.identity import AccountError, Role

        try:
            self.issuer.accounts.add(username, Role(role), agency, password="password-" + username)
        except AccountError:
            pass  # made earlier
        return self.issuer.issue_token(username).token

    def api_key(self, name: str, role: str = "channel", agency: str | None = None) -> str:
        from lapor_hub.streams.identity import Role

        if name not in self._keys:
            self._keys[name] = self.issuer.api_keys.issue(name, agency, role=Role(role)).api_key
        return self._keys[name]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
