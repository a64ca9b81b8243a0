"""One KRaft node (a combined broker and controller) as a process: the part that
:class:`~lapor_hub.streams.broker.local.LocalBroker` and :class:`~lapor_hub.streams.broker.cluster.LocalCluster`
share.

A node owns a folder (``server.properties``, ``data/``, ``server.log``, ``stdout.log`` and a pid
file), so that a node that was SIGKILLed can be started again on the same data, as an operator
would restart a crashed broker.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from lapor_hub.errors import FatalError

__all__ = ["KraftNode", "server_properties", "wait_answering", "port_open", "process_alive"]

_SERVER_PROPERTIES = """\
process.roles=broker,controller
node.id={node_id}
controller.quorum.voters={voters}
listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:{port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs={log_dirs}
# Kafka's defaults assume three nodes; a single node must say 1 here.
offsets.topic.replication.factor={replication}
offsets.topic.num.partitions=4
transaction.state.log.replication.factor={replication}
transaction.state.log.min.isr={min_insync}
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor={replication}
share.coordinator.state.topic.min.isr={min_insync}
default.replication.factor={replication}
min.insync.replicas={min_insync}
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
num.partitions=1
auto.create.topics.enable=false
# Thousands of small agency topics: keep idle segments small on disk.
log.segment.bytes=16777216
log.index.size.max.bytes=1048576
"""


def server_properties(*, node_id: int, port: int, controller_port: int, voters: str, log_dirs: Path,
                      replication: int = 1, min_insync: int = 1) -> str:
    """The ``server.properties`` of one combined broker+controller node on loopback.

    ``voters`` is ``controller.quorum.voters`` (``1@127.0.0.1:9093,2@...``): every node of a
    cluster lists all of them, so that any majority can elect a controller.
    """
    return _SERVER_PROPERTIES.format(node_id=node_id, port=port, controller_port=controller_port, voters=voters,
                                     log_dirs=log_dirs, replication=replication, min_insync=min_insync)


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def process_alive(pid: int) -> bool:
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


@dataclass
class KraftNode:
    """One node's folder, ports and process."""

    node_id: int
    home: Path
    port: int
    controller_port: int

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.home / "server.log"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def config_file(self) -> Path:
        return self.home / "server.properties"

    @property
    def pid_file(self) -> Path:
        return self.home / "broker.pid"

    @property
    def formatted(self) -> bool:
        return (self.data_dir / "meta.properties").exists()

    def cluster_id(self) -> str | None:
        """The cluster id this node was formatted with, or None before formatting."""
        try:
            lines = (self.data_dir / "meta.properties").read_text().splitlines()
        except OSError:
            return None
        return next((line.split("=", 1)[1].strip() for line in lines if line.startswith("cluster.id=")), None)

    def live_pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text())
        except (OSError, ValueError):
            return None
        return pid if process_alive(pid) else None

    def write_config(self, text: str) -> Path:
        self.home.mkdir(parents=True, exist_ok=True)
        self.config_file.write_text(text)
        self.config_file.chmod(0o600)
        return self.config_file

    def format(self, java: str, lib: Path, cluster_id: str) -> None:
        """Format the storage once; a node that has data keeps it (a restart after a crash)."""
        if self.formatted:
            return
        # One id in 64 starts with "-": passed as --cluster-id=..., it is never read as an option.
        done = subprocess.run(
            [java, "-cp", f"{lib}/*", "kafka.tools.StorageTool", "format",
             f"--cluster-id={cluster_id}", "-c", str(self.config_file)],
            capture_output=True, text=True, timeout=120, check=False,
        )
        if done.returncode != 0:
            output = f"{done.stdout}{done.stderr}".strip()
            raise FatalError(f"formatting the broker's storage failed: {output}")

    def launch(self, java: str, lib: Path) -> subprocess.Popen:
        """Start the node's JVM in its own session and record its pid; does not wait."""
        log4j = resources.files("lapor_hub.streams.broker").joinpath("log4j2.properties")
        with resources.as_file(log4j) as log4j_path, open(self.home / "stdout.log", "ab") as out:
            process = subprocess.Popen(
                [java, "-Xms256m", "-Xmx1g", "-XX:+UseG1GC",
                 f"-Dlog4j2.configurationFile={log4j_path}",
                 f"-Dlapor.broker.log={self.log_file}",
                 "-cp", f"{lib}/*", "kafka.Kafka", str(self.config_file)],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C in a terminal reaches the hub, which stops us in order
            )
        self.pid_file.write_text(str(process.pid))
        return process

    def kill(self) -> bool:
        """SIGKILL, as a crash or the kernel's OOM killer would. True if it ran."""
        pid = self.live_pid()
        if pid is None:
            return False
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while process_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        _reap(pid)
        return True

    def stop(self, *, timeout: float = 30.0) -> bool:
        """Stop cleanly (SIGTERM, then SIGKILL after ``timeout``). True if it ran."""
        pid = self.live_pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process_alive(pid):
            time.sleep(0.2)
        if process_alive(pid):
            os.kill(pid, signal.SIGKILL)
        _reap(pid)
        self.pid_file.unlink(missing_ok=True)
        return True


def wait_answering(bootstrap: str, *, timeout: float, log_file: Path, processes: Sequence[subprocess.Popen] = (),
                   client_options: dict | None = None, brokers: Sequence[int] | None = None) -> None:
    """Wait until a metadata request is answered, and every node id in ``brokers`` is registered.

    A process of ``processes`` that exits meanwhile is a FatalError naming ``log_file``.
    """
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError

    deadline = time.monotonic() + timeout
    ports = [int(server.rpartition(":")[2]) for server in bootstrap.split(",")]
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise FatalError(f"the broker exited with code {process.returncode}; see {log_file}")
        # Only once a port listens: a client started earlier backs off for seconds between its
        # connection attempts, and would see the broker up long after it is.
        if any(port_open(port) for port in ports):
            try:
                admin = KafkaAdminClient(bootstrap_servers=bootstrap.split(","), request_timeout_ms=5000,
                                         reconnect_backoff_max_ms=1000, **(client_options or {}))
            except KafkaError:
                pass
            else:
                try:
                    described = admin.describe_cluster()
                    registered = {b["broker_id"] for b in described.get("brokers", ())}
                    if brokers is None or set(brokers) <= registered:
                        return
                except KafkaError:
                    pass
                finally:
                    admin.close()
        time.sleep(0.5)
    raise FatalError(f"the broker did not answer within {timeout:.0f}s; see {log_file}")
