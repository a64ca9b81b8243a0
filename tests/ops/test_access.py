"""Per-agency access on a broker that authenticates everyone and grants nothing by default."""

import secrets

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAuthorizationFailedError

from lapor_hub.errors import ConfigurationError, UnknownAgencyError
from lapor_hub.streams.broker import LocalBroker, free_port
from lapor_hub.streams.core import topics
from lapor_hub.streams.core.admin import admin_client
from lapor_hub.streams.core.config import BrokerCredentials, HubSettings
from lapor_hub.streams.directory import default_directory
from lapor_hub.streams.ops.access import agency_permissions, grant_agency, list_permissions, revoke_agency
from tests.conftest import CACHE

PRINGSEWU_PASSWORD = secrets.token_urlsafe(18)


def test_an_agency_principal_may_touch_only_its_own_topics():
    granted = agency_permissions("18.10", "connect-pringsewu")
    resources = {(p.resource, p.operation) for p in granted}
    assert ("agency.18.10.inbox", "read") in resources and ("agency.18.10.outbox", "write") in resources
    assert not any("KEMENKES" in p.resource or p.resource == topics.EVENTS for p in granted)
    assert ("agency.18.10.outbox", "read") not in resources  # it cannot read others' updates back
    assert all(p.principal == "User:connect-pringsewu" for p in granted)


@pytest.fixture(scope="module")
def secure_broker(tmp_path_factory):
    admin = BrokerCredentials("admin", secrets.token_urlsafe(18))
    broker = LocalBroker(tmp_path_factory.mktemp("secure-kafka"), port=free_port(), controller_port=free_port(),
                         cache_dir=CACHE, admin=admin)
    broker.start()
    settings = HubSettings(broker=broker.bootstrap, credentials=admin)
    client = admin_client(settings)
    client.create_topics([NewTopic(name, 1, 1) for name in (
        topics.inbox("18.10"), topics.outbox("18.10"), topics.inbox("KEMENKES"), topics.outbox("KEMENKES"),
        topics.INTAKE, topics.CONNECTOR_HEALTH, topics.DEADLETTER, topics.EVENTS)])
    client.close()
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, **broker.client_options())
    for code in ("18.10", "KEMENKES"):
        producer.send(topics.inbox(code), key=b"LPR-1", value=f"assignment for {code}".encode()).get(timeout=30)
    producer.close()
    yield settings
    broker.stop()


def _read_as(options, topic) -> list[bytes]:
    """What a principal gets from ``topic``: records, or nothing when refused."""
    spy = KafkaConsumer(group_id="lapor-connect.pringsewu-sipp", **options)
    got = []
    try:
        spy.assign([TopicPartition(topic, 0)])
        spy.seek_to_beginning()
        for _ in range(10):
            for records in spy.poll(timeout_ms=500).values():
                got += [r.value for r in records]
    except KafkaError:
        pass
    finally:
        spy.close()
    return got


def _as(settings, user, password, **extra):
    return dict(bootstrap_servers=settings.broker, security_protocol="SASL_PLAINTEXT",
                sasl_mechanism="SCRAM-SHA-256", sasl_plain_username=user, sasl_plain_password=password, **extra)


@pytest.mark.kafka
def test_a_granted_agency_reads_its_inbox_writes_its_outbox_and_nothing_else(secure_broker):
    grant_agency(secure_broker, default_directory(), "18.10", "connect-pringsewu", PRINGSEWU_PASSWORD)
    options = _as(secure_broker, "connect-pringsewu", PRINGSEWU_PASSWORD)
    producer = KafkaProducer(**options)
    producer.send(topics.outbox("18.10"), key=b"LPR-1", value=b"follow-up").get(timeout=30)
    with pytest.raises(TopicAuthorizationFailedError):
        producer.send(topics.outbox("KEMENKES"), key=b"LPR-1", value=b"forged").get(timeout=30)
    producer.close()

    consumer = KafkaConsumer(topics.inbox("18.10"), group_id="lapor-connect.pringsewu-sipp",
                             auto_offset_reset="earliest", consumer_timeout_ms=15000, **options)
    assert [r.value for r in consumer] == [b"assignment for 18.10"]
    consumer.close()
    assert _read_as(options, topics.inbox("KEMENKES")) == []  # it holds a record: nothing leaks
    assert {p.resource for p in list_permissions(secure_broker)} >= {"agency.18.10.inbox", "agency.18.10.outbox"}


@pytest.mark.kafka
def test_a_wrong_password_or_a_revoked_grant_gets_nothing(secure_broker):
    grant_agency(secure_broker, default_directory(), "18.10", "connect-pringsewu", PRINGSEWU_PASSWORD)
    with pytest.raises(KafkaError):
        producer = KafkaProducer(**_as(secure_broker, "connect-pringsewu", "not-the-password", max_block_ms=5000))
        producer.send(topics.outbox("18.10"), value=b"x").get(timeout=10)
    revoke_agency(secure_broker, default_directory(), "18.10", "connect-pringsewu")
    producer = KafkaProducer(**_as(secure_broker, "connect-pringsewu", PRINGSEWU_PASSWORD))
    with pytest.raises(TopicAuthorizationFailedError):
        producer.send(topics.outbox("18.10"), value=b"after revocation").get(timeout=30)
    producer.close()
    assert not any(p.principal == "User:connect-pringsewu" for p in list_permissions(secure_broker))


def test_grants_name_known_agencies_and_plain_principals():
    settings = HubSettings()
    with pytest.raises(UnknownAgencyError):
        grant_agency(settings, default_directory(), "NOPE", "someone", "a-long-password-1")
    with pytest.raises(ConfigurationError, match="plain user name"):
        grant_agency(settings, default_directory(), "18.10", "User:x", "a-long-password-1")
    with pytest.raises(ConfigurationError, match="at least 12"):
        grant_agency(settings, default_directory(), "18.10", "pringsewu", "short")
