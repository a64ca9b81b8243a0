"""A real single-node Apache Kafka broker (KRaft mode) on loopback, managed by the project.

Used by ``lapor-hub broker start|stop|status``, ``make run`` and the test fixtures alike.
"""

from __future__ import annotations

import base64
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from streams.broker.jars import fetch_broker_jars
from streams.config import BrokerCredentials
from streams.errors import ConfigurationError, FatalError

__all__ = ["LocalBroker", "BrokerStatus", "free_port"]

_SERVER_PROPERTIES = """\
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{controller_port}
listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:{port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs={log_dirs}
# Single-node settings: the defaults assume three nodes.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
num.partitions=1
auto.create.topics.enable=false
# Thousands of small agency topics: keep idle segments small on disk.
log.segment.bytes=16777216
log.index.size.max.bytes=1048576
"""

# Per-agency access (X-Road style: every member authenticated, nothing granted by default).
# The controller listener stays PLAINTEXT on loopback; its requests run as User:ANONYMOUS.
_SECURE_PROPERTIES = """\
listeners=SASL_PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners=SASL_PLAINTEXT://127.0.0.1:{port}
inter.broker.listener.name=SASL_PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-256
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-256
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="{admin}" password="{password}";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:{admin};User:ANONYMOUS
"""


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@dataclass(frozen=True)
class BrokerStatus:
    running: bool
    bootstrap: str
    pid: int | None
    log_file: Path

    def describe(self) -> str:
        if self.running:
            return f"broker running at {self.bootstrap} (pid {self.pid}); log: {self.log_file}"
        return f"broker not running (would listen at {self.bootstrap})"


class LocalBroker:
    """One KRaft broker+controller whose data, pid and log live under ``home``."""

    def __init__(self, home: Path, *, port: int = 9092, controller_port: int | None = None,
                 cache_dir: Path = Path(".cache"), admin: BrokerCredentials | None = None) -> None:
        self.home = home.resolve()
        self.port = port
        self.controller_port = controller_port or port + 1
        self.cache_dir = cache_dir.resolve()
        #: With credentials, clients must authenticate (SASL/SCRAM) and ACLs decide access.
        self.admin = admin

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.home / "server.log"

    @property
    def _pid_file(self) -> Path:
        return self.home / "broker.pid"

    def client_options(self) -> dict:
        """kafka-python options to connect as the broker's admin."""
        return {} if self.admin is None else self.admin.client_options()

    def status(self) -> BrokerStatus:
        pid = self._live_pid()
        return BrokerStatus(pid is not None and _port_open(self.port), self.bootstrap, pid, self.log_file)

    def start(self, *, timeout: float = 90.0) -> BrokerStatus:
        """Start the broker and wait until it answers; a no-op when it already runs."""
        if self._live_pid() is not None:
            self._wait_ready(timeout)
            return self.status()
        for port in (self.port, self.controller_port):
            if _port_open(port):
                which = "client" if port == self.port else "controller"
                raise ConfigurationError(
                    f"port {port} on 127.0.0.1 (the broker's {which} port) is taken by another program; "
                    "stop it, or choose other ports with LAPOR_BROKER_PORT and LAPOR_CONTROLLER_PORT "
                    "(or point LAPOR_BROKER at a running Kafka)"
                )
        java = shutil.which("java")
        if java is None:
            raise ConfigurationError(
                "Java 17 or later is needed to run the local Kafka broker: "
                "apt-get install openjdk-17-jre-headless"
            )
        lib = fetch_broker_jars(self.cache_dir)
        properties = self._write_config()
        self._format_storage(java, lib, properties)
        log4j = resources.files("streams.broker").joinpath("log4j2.properties")
        with resources.as_file(log4j) as log4j_path, open(self.home / "stdout.log", "ab") as out:
            process = subprocess.Popen(
                [java, "-Xms256m", "-Xmx1g", "-XX:+UseG1GC",
                 f"-Dlog4j2.configurationFile={log4j_path}",
                 f"-Dlapor.broker.log={self.log_file}",
                 "-cp", f"{lib}/*", "kafka.Kafka", str(properties)],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C in a terminal reaches the hub, which stops us in order
            )
        self._pid_file.write_text(str(process.pid))
        try:
            self._wait_ready(timeout, process)
        except BaseException:
            self.stop()
            raise
        return self.status()

    def stop(self, *, timeout: float = 30.0) -> bool:
        """Stop the broker cleanly (SIGTERM, then SIGKILL after ``timeout``). True if it ran."""
        pid = self._live_pid()
        if pid is None:
            self._pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.2)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
        _reap(pid)
        self._pid_file.unlink(missing_ok=True)
        return True

    def _live_pid(self) -> int | None:
        try:
            pid = int(self._pid_file.read_text())
        except (OSError, ValueError):
            return None
        return pid if _alive(pid) else None

    def _write_config(self) -> Path:
        self.home.mkdir(parents=True, exist_ok=True)
        path = self.home / "server.properties"
        text = _SERVER_PROPERTIES.format(port=self.port, controller_port=self.controller_port,
                                         log_dirs=self.home / "data")
        if self.admin is not None:
            overrides = _SECURE_PROPERTIES.format(port=self.port, controller_port=self.controller_port,
                                                  admin=self.admin.username, password=self.admin.password)
            keys = {line.split("=", 1)[0] for line in overrides.splitlines()}
            text = "".join(line + "\n" for line in text.splitlines() if line.split("=", 1)[0] not in keys) + overrides
        path.write_text(text)
        path.chmod(0o600)  # it holds the admin password when secure
        return path

    def _format_storage(self, java: str, lib: Path, properties: Path) -> None:
        if (self.home / "data" / "meta.properties").exists():
            return
        # One id in 64 starts with "-": passed as --cluster-id=..., it is never read as an option.
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        scram = [] if self.admin is None else [
            "--add-scram", f"SCRAM-SHA-256=[name={self.admin.username},password={self.admin.password}]"]
        done = subprocess.run(
            [java, "-cp", f"{lib}/*", "kafka.tools.StorageTool", "format",
             f"--cluster-id={cluster_id}", "-c", str(properties), *scram],
            capture_output=True, text=True, timeout=120, check=False,
        )
        if done.returncode != 0:
            output = f"{done.stdout}{done.stderr}".strip()
            if self.admin is not None:
                output = output.replace(self.admin.password, "***")
            raise FatalError(f"formatting the broker's storage failed: {output}")

    def _wait_ready(self, timeout: float, process: subprocess.Popen | None = None) -> None:
        from kafka import KafkaAdminClient
        from kafka.errors import KafkaError

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                raise FatalError(f"the broker exited with code {process.returncode}; see {self.log_file}")
            if _port_open(self.port):
                try:
                    admin = KafkaAdminClient(bootstrap_servers=self.bootstrap, request_timeout_ms=5000,
                                             **self.client_options())
                except KafkaError:
                    pass
                else:
                    try:
                        admin.describe_cluster()
                        return
                    except KafkaError:
                        pass
                    finally:
                        admin.close()
            time.sleep(0.5)
        raise FatalError(f"the broker did not answer within {timeout:.0f}s; see {self.log_file}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie child of ours counts as gone
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return True


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
