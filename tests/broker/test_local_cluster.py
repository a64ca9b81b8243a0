"""LocalCluster: three real KRaft nodes on loopback, one of which can be SIGKILLed and restarted."""

import uuid

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.broker import LocalCluster
from tests.conftest import CACHE


def test_every_node_lists_all_voters_and_has_its_own_ports_and_data(tmp_path):
    cluster = LocalCluster(tmp_path / "cluster", nodes=3, cache_dir=CACHE)
    configs = {i: dict(line.split("=", 1) for line in cluster.node_config(i).splitlines()
                       if line and not line.startswith("#")) for i in (1, 2, 3)}
    voters = {c["controller.quorum.voters"] for c in configs.values()}
    assert len(voters) == 1 and voters.pop().count("@127.0.0.1:") == 3
    assert [c["node.id"] for c in configs.values()] == ["1", "2", "3"]
    assert len({c["listeners"] for c in configs.values()}) == 3
    assert len({c["log.dirs"] for c in configs.values()}) == 3
    for c in configs.values():
        assert c["default.replication.factor"] == "3" and c["min.insync.replicas"] == "2"
        assert c["offsets.topic.replication.factor"] == "3"
        assert c["transaction.state.log.replication.factor"] == "3"
    assert cluster.bootstrap.count(",") == 2


def test_a_single_node_cluster_replicates_once(tmp_path):
    cluster = LocalCluster(tmp_path / "one", nodes=1, cache_dir=CACHE)
    assert "default.replication.factor=1\n" in cluster.node_config(1)
    assert "min.insync.replicas=1\n" in cluster.node_config(1)


def test_impossible_replication_is_a_configuration_error(tmp_path):
    with pytest.raises(ConfigurationError, match="replication"):
        LocalCluster(tmp_path / "c", nodes=2, replication_factor=3)
    with pytest.raises(ConfigurationError, match="no node 4"):
        LocalCluster(tmp_path / "c", nodes=3).kill(4)


@pytest.mark.kafka
@pytest.mark.timeout(600)
def test_a_killed_leader_loses_no_acknowledged_record_and_rejoins_after_restart(tmp_path):
    cluster = LocalCluster(tmp_path / "cluster", nodes=3, cache_dir=CACHE)
    cluster.start()
    try:
        assert sorted(cluster.running()) == [1, 2, 3]
        topic = f"test.cluster.{uuid.uuid4().hex[:8]}"
        admin = KafkaAdminClient(bootstrap_servers=cluster.bootstrap.split(","))
        admin.create_topics([NewTopic(topic, 1, 3)], wait_for_metadata=True)
        admin.close()
        producer = KafkaProducer(bootstrap_servers=cluster.bootstrap.split(","), acks="all", retries=20,
                                 request_timeout_ms=10000)
        producer.send(topic, b"before").get(timeout=30)

        leader = cluster.leader_of(topic, 0)
        assert leader in (1, 2, 3)
        assert cluster.kill(leader)
        assert leader not in cluster.running()
        # Two replicas are left: min.insync.replicas=2 still accepts acks=all writes.
        producer.send(topic, b"after").get(timeout=60)
        producer.close()
        new_leader = cluster.leader_of(topic, 0)
        assert new_leader not in (None, leader)

        cluster.restart(leader)
        assert sorted(cluster.running()) == [1, 2, 3]
        consumer = KafkaConsumer(bootstrap_servers=cluster.bootstrap.split(","), enable_auto_commit=False,
                                 consumer_timeout_ms=10000)
        consumer.assign([TopicPartition(topic, 0)])
        consumer.seek_to_beginning()
        assert [r.value for r in consumer] == [b"before", b"after"]
        consumer.close()
    finally:
        cluster.stop()
    assert cluster.running() == []
