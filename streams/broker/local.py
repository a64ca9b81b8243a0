"""A real single-node Apache Kafka broker (KRaft mode) on loopback, managed by the project.

Used by ``lapor-hub broker start|stop|status``, ``make run`` and the test fixtures alike.
"""

from __future__ import annotations

import base64
import shutil
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path

from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.broker.jars import fetch_broker_jars
from lapor_hub.streams.broker.node import KraftNode, port_open, server_properties, wait_answering
from lapor_hub.streams.core.config import BrokerCredentials

__all__ = ["LocalBroker", "BrokerStatus", "free_port", "new_cluster_id", "require_java"]

# Per-agency access (X-Road style: every member authenticated, nothing granted by default).
# The controller listener stays PLAINTEXT on loopback; its requests run as User:ANONYMOUS.
_SECURE_PROPERTIES = """\
listeners=SASL_PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners=SASL_PLAINTEXT://127.0.0.1:{port}
inter.broker.listener.name=SASL_PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-256
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-256
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule \
required username="{admin}" password="{password}";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:{admin};User:ANONYMOUS
"""


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def new_cluster_id() -> str:
    """A random KRaft cluster id (22 characters of URL-safe base64)."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()


def require_java() -> str:
    """The ``java`` executable, or a ConfigurationError saying what to install."""
    java = shutil.which("java")
    if java is None:
        raise ConfigurationError(
            "Java 17 or later is needed to run the local Kafka broker: "
            "apt-get install openjdk-17-jre-headless"
        )
    return java


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
        self._node = KraftNode(1, self.home, self.port, self.controller_port)

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self._node.log_file

    def client_options(self) -> dict:
        """kafka-python options to connect as the broker's admin."""
        return {} if self.admin is None else self.admin.client_options()

    def status(self) -> BrokerStatus:
        pid = self._node.live_pid()
        return BrokerStatus(pid is not None and port_open(self.port), self.bootstrap, pid, self.log_file)

    def start(self, *, timeout: float = 90.0) -> BrokerStatus:
        """Start the broker and wait until it answers; a no-op when it already runs."""
        if self._node.live_pid() is not None:
            self._wait_ready(timeout)
            return self.status()
        for port in (self.port, self.controller_port):
            if port_open(port):
                which = "client" if port == self.port else "controller"
                raise ConfigurationError(
                    f"port {port} on 127.0.0.1 (the broker's {which} port) is taken by another program; "
                    "stop it, or choose other ports with LAPOR_BROKER_PORT and LAPOR_CONTROLLER_PORT "
                    "(or point LAPOR_BROKER at a running Kafka)"
                )
        java = require_java()
        lib = fetch_broker_jars(self.cache_dir)
        self._node.write_config(self._config_text())
        scram = [] if self.admin is None else [
            "--add-scram", f"SCRAM-SHA-256=[name={self.admin.username},password={self.admin.password}]"]
        self._node.format(java, lib, new_cluster_id(), scram, secret=self.admin.password if self.admin else None)
        process = self._node.launch(java, lib)
        try:
            self._wait_ready(timeout, process)
        except BaseException:
            self.stop()
            raise
        return self.status()

    def stop(self, *, timeout: float = 30.0) -> bool:
        """Stop the broker cleanly (SIGTERM, then SIGKILL after ``timeout``). True if it ran."""
        return self._node.stop(timeout=timeout)

    def _config_text(self) -> str:
        text = server_properties(node_id=1, port=self.port, controller_port=self.controller_port,
                                 voters=f"1@127.0.0.1:{self.controller_port}", log_dirs=self._node.data_dir)
        if self.admin is not None:
            overrides = _SECURE_PROPERTIES.format(port=self.port, controller_port=self.controller_port,
                                                  admin=self.admin.username, password=self.admin.password)
            keys = {line.split("=", 1)[0] for line in overrides.splitlines()}
            text = "".join(line + "\n" for line in text.splitlines() if line.split("=", 1)[0] not in keys) + overrides
        return text

    def _wait_ready(self, timeout: float, process=None) -> None:
        wait_answering(self.bootstrap, timeout=timeout, log_file=self.log_file,
                       processes=[process] if process is not None else (), client_options=self.client_options())
