"""A real multi-node Apache Kafka cluster (KRaft) on loopback, for fault injection.

Production runs three brokers with replication 3 and ``min.insync.replicas=2`` (``docker/``):
a write acknowledged with ``acks=all`` is on two machines, and losing one broker loses nothing.
:class:`LocalCluster` runs that shape on one machine so that ``make chaos`` can SIGKILL the
leader of a partition and measure what the hub does. Each node is a combined broker and
controller, with its own ports and data folder; every node lists all nodes as quorum voters and
is formatted with the same cluster id.
"""

from __future__ import annotations

import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lapor_hub.errors import ConfigurationError, FatalError
from lapor_hub.streams.broker.jars import fetch_broker_jars
from lapor_hub.streams.broker.local import free_port, new_cluster_id, require_java
from lapor_hub.streams.broker.node import KraftNode, server_properties, wait_answering

__all__ = ["LocalCluster"]


class LocalCluster:
    """``nodes`` KRaft broker+controller nodes under ``home`` (``node-1``, ``node-2``, ...).

    Node ids are 1..N. Replication defaults to ``min(3, nodes)`` for new topics and for the
    offsets and transaction topics, and ``min.insync.replicas`` to ``min(2, replication)``.
    """

    def __init__(self, home: Path, *, nodes: int = 3, cache_dir: Path = Path(".cache"),
                 replication_factor: int | None = None, min_insync_replicas: int | None = None) -> None:
        if nodes < 1:
            raise ConfigurationError("a cluster needs at least one node")
        self.home = home.resolve()
        self.cache_dir = cache_dir.resolve()
        self.replication_factor = replication_factor or min(3, nodes)
        self.min_insync_replicas = min_insync_replicas or min(2, self.replication_factor)
        if not 1 <= self.min_insync_replicas <= self.replication_factor <= nodes:
            raise ConfigurationError(
                f"need 1 <= min.insync.replicas ({self.min_insync_replicas}) <= replication "
                f"({self.replication_factor}) <= nodes ({nodes})")
        self.nodes = {i: KraftNode(i, self.home / f"node-{i}", free_port(), free_port()) for i in range(1, nodes + 1)}
        self._processes: dict[int, subprocess.Popen] = {}

    @property
    def bootstrap(self) -> str:
        """Every node's address: a client finds the cluster through any node that is up."""
        return ",".join(node.address for node in self.nodes.values())

    @property
    def voters(self) -> str:
        return ",".join(f"{i}@127.0.0.1:{node.controller_port}" for i, node in self.nodes.items())

    def node_config(self, node_id: int) -> str:
        """The ``server.properties`` of one node."""
        node = self._node(node_id)
        return server_properties(node_id=node_id, port=node.port, controller_port=node.controller_port,
                                 voters=self.voters, log_dirs=node.data_dir,
                                 replication=self.replication_factor, min_insync=self.min_insync_replicas)

    def running(self) -> list[int]:
        """Ids of the nodes whose process is alive."""
        return [i for i, node in self.nodes.items() if node.live_pid() is not None]

    def pid_of(self, node_id: int) -> int | None:
        return self._node(node_id).live_pid()

    def start(self, *, timeout: float = 120.0) -> None:
        """Format every node with one cluster id (once), start them all, and wait until every
        node is registered as a broker. A node already running is left as it is."""
        java = require_java()
        lib = fetch_broker_jars(self.cache_dir)
        # One id for all: a node formatted by an earlier start keeps the id it has.
        cluster_id = next((cid for node in self.nodes.values() if (cid := node.cluster_id())), None) or new_cluster_id()
        for i, node in self.nodes.items():
            node.write_config(self.node_config(i))
            node.format(java, lib, cluster_id)
        for i, node in self.nodes.items():
            if node.live_pid() is None:
                self._processes[i] = node.launch(java, lib)
        try:
            self._wait(list(self.nodes), timeout)
        except BaseException:
            self.stop()
            raise

    def stop(self, *, timeout: float = 30.0) -> None:
        """Stop every node (SIGTERM, SIGKILL after ``timeout``), all at once."""
        with ThreadPoolExecutor(max_workers=len(self.nodes)) as pool:
            list(pool.map(lambda node: node.stop(timeout=timeout), self.nodes.values()))
        self._processes.clear()

    def kill(self, node_id: int) -> bool:
        """SIGKILL one node, as a crash would: nothing flushed. True if it ran."""
        self._processes.pop(node_id, None)
        return self._node(node_id).kill()

    def restart(self, node_id: int, *, timeout: float = 120.0) -> None:
        """Start one node again on its data (stopping it first if it runs); wait until it is
        registered again."""
        node = self._node(node_id)
        node.stop()
        java = require_java()
        lib = fetch_broker_jars(self.cache_dir)
        node.write_config(self.node_config(node_id))
        self._processes[node_id] = node.launch(java, lib)
        self._wait([node_id], timeout)

    def leader_of(self, topic: str, partition: int, *, timeout: float = 30.0) -> int | None:
        """The node id leading ``topic``'s ``partition`` now, or None while it has no leader.

        Asked of a node that runs (a killed node refuses connections); right after a SIGKILL the
        answer is still the killed node until the controller fences it (broker session timeout).
        """
        from kafka import KafkaAdminClient
        from kafka.errors import KafkaError

        deadline = time.monotonic() + timeout
        while True:
            for node_id in self.running():
                try:
                    admin = KafkaAdminClient(bootstrap_servers=[self.nodes[node_id].address], request_timeout_ms=5000)
                except KafkaError:
                    continue
                try:
                    [described] = admin.describe_topics([topic])
                except KafkaError:
                    continue
                finally:
                    admin.close()
                for entry in described.get("partitions", ()):
                    if entry.get("partition_index") == partition:
                        leader = entry.get("leader_id")
                        return leader if leader is not None and leader >= 0 else None
                raise ConfigurationError(f"{topic} has no partition {partition}")
            if time.monotonic() > deadline:
                raise FatalError(f"no node of the cluster answered within {timeout:.0f}s")
            time.sleep(0.5)

    def _node(self, node_id: int) -> KraftNode:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise ConfigurationError(f"no node {node_id}: the nodes are {sorted(self.nodes)}") from None

    def _wait(self, node_ids: list[int], timeout: float) -> None:
        """Until each node answers on its own port and every one of them is registered."""
        processes = [self._processes[i] for i in node_ids if i in self._processes]
        for i in node_ids:
            node = self.nodes[i]
            wait_answering(node.address, timeout=timeout, log_file=node.log_file, processes=processes,
                           brokers=node_ids)
