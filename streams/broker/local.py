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
from lapor_hub.streams.broker.security import NodeTls, secure_node_properties
from lapor_hub.streams.core.broker_security import BrokerTls, security_options

__all__ = ["LocalBroker", "LocalTls", "BrokerStatus", "free_port", "new_cluster_id", "require_java"]


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
class LocalTls:
    """A broker secured as production is (see :mod:`lapor_hub.streams.broker.security`)."""

    node: NodeTls
    #: The cluster admin's client side (CA, certificate, key): how the broker is asked whether it is up.
    admin: BrokerTls
    #: The name in the node's certificate: what clients connect to and verify.
    host: str
    #: Common names of the super users: the node's and the admin's.
    super_users: tuple[str, ...]


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
    """One KRaft broker+controller whose data, pid and log live under ``home``.

    With ``tls`` every listener is TLS, clients sign in with SASL/SCRAM over TLS on ``port`` and
    show a certificate, the cluster admin reaches ``internal_port`` with its certificate, and
    ACLs decide everything else (nothing is allowed by default).
    """

    def __init__(self, home: Path, *, port: int = 9092, controller_port: int | None = None,
                 internal_port: int | None = None, cache_dir: Path = Path(".cache"),
                 tls: LocalTls | None = None) -> None:
        self.home = home.resolve()
        self.port = port
        self.controller_port = controller_port or port + 1
        self.internal_port = internal_port or self.controller_port + 1
        self.cache_dir = cache_dir.resolve()
        self.tls = tls
        self._node = KraftNode(1, self.home, self.port, self.controller_port)

    @property
    def host(self) -> str:
        return "127.0.0.1" if self.tls is None else self.tls.host

    @property
    def bootstrap(self) -> str:
        """Where clients connect (with TLS: SASL/SCRAM and a client certificate)."""
        return f"{self.host}:{self.port}"

    @property
    def log_file(self) -> Path:
        return self._node.log_file

    def admin_options(self) -> dict:
        """kafka-python options to connect as the cluster admin (with TLS: on the internal
        listener, by certificate)."""
        if self.tls is None:
            return {"bootstrap_servers": [self.bootstrap]}
        return {"bootstrap_servers": [f"{self.host}:{self.internal_port}"], **security_options(None, self.tls.admin)}

    def status(self) -> BrokerStatus:
        pid = self._node.live_pid()
        return BrokerStatus(pid is not None and port_open(self.port), self.bootstrap, pid, self.log_file)

    def start(self, *, timeout: float = 90.0) -> BrokerStatus:
        """Start the broker and wait until it answers; a no-op when it already runs."""
        if self._node.live_pid() is not None:
            self._wait_ready(timeout)
            return self.status()
        ports = {self.port: "client", self.controller_port: "controller"}
        if self.tls is not None:
            ports[self.internal_port] = "internal"
        for port, which in ports.items():
            if port_open(port):
                raise ConfigurationError(
                    f"port {port} on 127.0.0.1 (the broker's {which} port) is taken by another program; "
                    "stop it, or choose other ports with LAPOR_BROKER_PORT and LAPOR_CONTROLLER_PORT "
                    "(or point LAPOR_BROKER at a running Kafka)"
                )
        java = require_java()
        lib = fetch_broker_jars(self.cache_dir)
        self._node.write_config(self._config_text())
        self._node.format(java, lib, new_cluster_id())
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
        voters = f"1@{self.host}:{self.controller_port}"
        text = server_properties(node_id=1, port=self.port, controller_port=self.controller_port,
                                 voters=voters, log_dirs=self._node.data_dir)
        if self.tls is None:
            return text
        secure = secure_node_properties(bind_host="127.0.0.1", advertised_host=self.tls.host, client_port=self.port,
                                        internal_port=self.internal_port, controller_port=self.controller_port,
                                        tls=self.tls.node, super_users=self.tls.super_users)
        kept = [line for line in text.splitlines() if line.split("=", 1)[0] not in secure]
        return "".join(f"{line}\n" for line in kept) + "".join(f"{k}={v}\n" for k, v in secure.items())

    def _wait_ready(self, timeout: float, process=None) -> None:
        options = self.admin_options()
        wait_answering(",".join(options.pop("bootstrap_servers")), timeout=timeout, log_file=self.log_file,
                       processes=[process] if process is not None else (), client_options=options)
