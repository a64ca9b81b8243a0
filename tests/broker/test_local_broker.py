"""The project-managed broker is a real Kafka: these tests produce to it and consume from it."""

import shutil
import subprocess
import uuid

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic

from lapor_hub.streams.core import topics
from lapor_hub.streams.core.admin import init_topics, plan_topics
from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.directory import default_directory

pytestmark = pytest.mark.kafka


def test_a_record_produced_to_the_broker_is_consumed_back(kafka_broker):
    topic = f"test.roundtrip.{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=kafka_broker.bootstrap)
    admin.create_topics([NewTopic(topic, 1, 1)])
    admin.close()
    producer = KafkaProducer(bootstrap_servers=kafka_broker.bootstrap, acks="all")
    producer.send(topic, key=b"LPR-1", value=b"hello pringsewu").get(timeout=30)
    producer.close()
    consumer = KafkaConsumer(topic, bootstrap_servers=kafka_broker.bootstrap, auto_offset_reset="earliest",
                             consumer_timeout_ms=10000)
    records = [(r.key, r.value) for r in consumer]
    consumer.close()
    assert records == [(b"LPR-1", b"hello pringsewu")]


def test_starting_a_running_broker_is_a_no_op(kafka_broker):
    before = kafka_broker.status()
    after = kafka_broker.start()
    assert before.running and after.running
    assert after.pid == before.pid


def test_topics_init_creates_every_hub_and_agency_topic_idempotently(kafka_broker, tmp_path):
    settings = HubSettings(broker=kafka_broker.bootstrap, data_dir=tmp_path, partitions=2)
    codes = [a.code for a in default_directory()]
    first = init_topics(settings, codes)
    second = init_topics(settings, codes)
    planned = plan_topics(settings, codes)
    assert len(planned) == len(topics.HUB_TOPICS) + len(topics.TABLES) + 2 * 678
    assert second == (0, len(planned))
    assert sum(first) == len(planned)

    consumer = KafkaConsumer(bootstrap_servers=kafka_broker.bootstrap)
    names = consumer.topics()
    assert {"agency.18.10.inbox", "agency.18.10.outbox", "agency.KEMENKES.inbox", topics.INTAKE,
            topics.EVENTS, topics.ESCALATIONS, topics.DEADLETTER, topics.CONNECTOR_HEALTH} <= names
    assert consumer.partitions_for_topic(topics.INTAKE) == {0, 1}
    # The tables' changelogs exist before any worker, partitioned like their source topics.
    assert consumer.partitions_for_topic(topics.changelog(settings.app_id, topics.STATE_TABLE)) == {0, 1}
    consumer.close()


def test_kcat_an_independent_client_lists_the_hub_topics(kafka_broker, tmp_path):
    kcat = shutil.which("kcat")
    assert kcat, "kcat is installed by scripts/install-system-packages"
    settings = HubSettings(broker=kafka_broker.bootstrap, data_dir=tmp_path)
    init_topics(settings, [a.code for a in default_directory()])
    listing = subprocess.run([kcat, "-b", kafka_broker.bootstrap, "-L"], capture_output=True, text=True,
                             timeout=60, check=True).stdout
    assert 'topic "complaints.intake"' in listing
    assert 'topic "agency.18.10.inbox"' in listing


def test_a_cluster_id_starting_with_a_dash_formats_and_starts(tmp_path, monkeypatch):
    import lapor_hub.streams.broker.local as local
    from lapor_hub.streams.broker import LocalBroker, free_port
    from tests.conftest import CACHE

    class _Uuid:  # base64url of 0xfb... begins with "-": once in 64 random ids
        bytes = b"\xfb" + bytes(15)

    monkeypatch.setattr(local.uuid, "uuid4", _Uuid)
    broker = LocalBroker(tmp_path / "kafka", port=free_port(), controller_port=free_port(), cache_dir=CACHE)
    try:
        assert broker.start().running
    finally:
        broker.stop()
