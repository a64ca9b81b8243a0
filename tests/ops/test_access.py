"""Who may use the broker: the pure permission lists, the access plan, and applying them to a
broker that authenticates everyone and grants nothing by default (TLS, SASL/SCRAM, the authorizer)."""

import secrets
import time

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError, TopicAuthorizationFailedError

from lapor_hub.errors import ConfigurationError, UnknownAgencyError
from lapor_hub.streams.core import topics
from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.directory import default_directory
from lapor_hub.streams.ops.access import (
    Permission,
    agency_permissions,
    apply_plan,
    check_principal,
    grant_agency,
    hub_permissions,
    list_permissions,
    load_plan,
    revoke_agency,
)
from tests.ops.secure import KEMENKES, PRINGSEWU, run_cli

AGENCY_CODES = [agency.code for agency in default_directory()]


def test_an_agency_principal_may_touch_only_its_own_topics():
    granted = agency_permissions("18.10", "connect-pringsewu")
    resources = {(p.resource, p.operation) for p in granted}
    assert ("agency.18.10.inbox", "read") in resources and ("agency.18.10.outbox", "write") in resources
    assert not any("KEMENKES" in p.resource or p.resource == topics.EVENTS for p in granted)
    assert ("agency.18.10.outbox", "read") not in resources  # it cannot read others' updates back
    assert all(p.principal == "User:connect-pringsewu" for p in granted)
    assert not any(p.operation in ("create", "delete", "alter") for p in granted)


def test_the_hub_reads_every_outbox_and_writes_every_inbox_but_never_the_reverse():
    granted = hub_permissions("lapor-hub", "lapor-hub", AGENCY_CODES)
    by_topic: dict[str, set[str]] = {}
    for p in granted:
        if p.resource_type == "topic" and not p.prefixed:
            by_topic.setdefault(p.resource, set()).add(p.operation)
    for code in AGENCY_CODES:
        assert by_topic[topics.inbox(code)] == {"write", "describe"}  # no reading an agency's mail
        assert by_topic[topics.outbox(code)] == {"read", "describe"}  # no writing in an agency's name
    assert by_topic[topics.ESCALATIONS] == {"write", "describe"}
    assert "write" not in by_topic[topics.CONNECTOR_HEALTH]
    # It creates only its own internal topics (faust's changelogs), alters nothing, owns no cluster right.
    assert {(p.resource, p.operation) for p in granted if p.operation == "create"} == {("lapor-hub-", "create")}
    assert not any(p.resource_type == "cluster" or p.operation in ("alter", "delete", "alter_configs")
                   for p in granted)
    assert {p.resource for p in granted if p.prefixed} == {"lapor-hub-", "lapor-hub", "lapor-connect."}


@pytest.mark.parametrize("principal", ["", "User:x", "a b", "x;y", "cluster.lapor-admin", "cluster.kafka-1"])
def test_a_principal_is_a_plain_name_that_cannot_pass_for_the_cluster(principal):
    with pytest.raises(ConfigurationError, match="principal"):
        check_principal(principal)


def test_grants_name_known_agencies_plain_principals_and_long_passwords():
    settings = HubSettings()
    with pytest.raises(UnknownAgencyError):
        grant_agency(settings, default_directory(), "NOPE", "someone", "a-long-password-1")
    with pytest.raises(ConfigurationError, match="plain user name"):
        grant_agency(settings, default_directory(), "18.10", "User:x", "a-long-password-1")
    with pytest.raises(ConfigurationError, match="certificate"):
        grant_agency(settings, default_directory(), "18.10", "cluster.lapor-admin", "a-long-password-1")
    with pytest.raises(ConfigurationError, match="at least 12"):
        grant_agency(settings, default_directory(), "18.10", "pringsewu", "short")


def _plan(tmp_path, text: str):
    (tmp_path / "pw").write_text("a-long-enough-password\n")
    path = tmp_path / "access.yaml"
    path.write_text(text)
    return load_plan(path, default_directory())


@pytest.mark.parametrize(("text", "message"), [
    ("hub: {principal: a, password_file: pw}\nagencies:\n  - {agency: '18.10', principal: a, password_file: pw}\n",
     "principal of its own"),
    ("agencies:\n  - {agency: NOPE, principal: a, password_file: pw}\n", r"agencies\[0\].agency"),
    ("agencies:\n  - {agency: '18.10', principal: a, password_file: missing}\n", r"agencies\[0\].password_file"),
    ("agencies:\n  - {agency: '18.10', principal: a, password: inline}\n", "give exactly"),
    ("hub: {principal: cluster.x, password_file: pw}\n", r"hub.principal"),
    ("users: []\n", "expected the keys hub and agencies"),
])
def test_an_access_plan_with_a_mistake_is_refused_naming_the_entry(tmp_path, text, message):
    with pytest.raises(ConfigurationError, match=message):
        _plan(tmp_path, text)


def test_an_access_plan_reads_passwords_from_files_and_never_shows_them(tmp_path):
    plan = _plan(tmp_path, "hub: {principal: lapor-hub, password_file: pw}\n"
                           "agencies:\n  - {agency: '18.10', principal: connect-pringsewu, password_file: pw}\n")
    assert plan.passwords() == {"lapor-hub": "a-long-enough-password", "connect-pringsewu": "a-long-enough-password"}
    assert "a-long-enough-password" not in repr(plan)
    permissions = plan.permissions("lapor-hub", default_directory())
    assert set(agency_permissions("18.10", "connect-pringsewu")) <= set(permissions)
    assert set(hub_permissions("lapor-hub", "lapor-hub", AGENCY_CODES)) <= set(permissions)


def _read_as(options: dict, topic: str) -> tuple[list[bytes], type[KafkaError] | None]:
    """What a principal gets from ``topic``: the records it read, and the broker's refusal if any.

    kafka-python's consumer does not raise on a topic it may not read: the broker's metadata
    answer marks the topic unauthorized (and it logs that), and poll returns nothing."""
    spy = KafkaConsumer(group_id="lapor-connect.pringsewu-sipp", **options)
    got: list[bytes] = []
    deadline = time.monotonic() + 30  # TLS and SCRAM handshakes on a busy machine: give it time
    try:
        spy.assign([TopicPartition(topic, 0)])
        spy.seek_to_beginning()
        while not got and time.monotonic() < deadline:
            for records in spy.poll(timeout_ms=500).values():
                got += [r.value for r in records]
            if topic in spy._client.cluster.unauthorized_topics:
                return got, TopicAuthorizationFailedError
    except KafkaError as exc:
        return got, type(exc)
    finally:
        spy.close()
    return got, None


@pytest.mark.kafka
def test_the_deploy_step_applied_again_changes_nothing(secure_cluster):
    done = run_cli(secure_cluster.admin_env(), "access", "apply", str(secure_cluster.plan))
    assert done.returncode == 0, done.stderr
    assert "0 added, 0 removed" in done.stdout
    assert "lapor-hub, connect-pringsewu, connect-kemenkes" in done.stdout


@pytest.mark.kafka
def test_applying_the_plan_takes_back_what_a_planned_principal_holds_beyond_it(secure_cluster):
    admin = HubSettings.from_env(secure_cluster.admin_env())
    directory = default_directory()
    # Someone granted Pringsewu's connector Kemenkes's inbox by hand; an unplanned principal exists too.
    grant_agency(admin, directory, KEMENKES, "connect-pringsewu", secure_cluster.passwords["connect-pringsewu"])
    grant_agency(admin, directory, PRINGSEWU, "someone-else", secrets.token_urlsafe(16))
    try:
        applied = apply_plan(admin, load_plan(secure_cluster.plan, directory), directory)
        assert Permission("User:connect-pringsewu", "topic", topics.inbox(KEMENKES), "read") in applied.removed
        assert not applied.added
        assert {p.principal for p in applied.removed} == {"User:connect-pringsewu"}
        assert "User:someone-else" in applied.unmanaged  # reported, not touched
        held = {(p.principal, p.resource, p.operation) for p in list_permissions(admin)}
        assert ("User:connect-pringsewu", topics.inbox(KEMENKES), "read") not in held
        assert ("User:connect-pringsewu", topics.inbox(PRINGSEWU), "read") in held
        assert ("User:someone-else", topics.inbox(PRINGSEWU), "read") in held
    finally:
        revoke_agency(admin, directory, PRINGSEWU, "someone-else")


@pytest.mark.kafka
def test_a_granted_agency_reads_its_inbox_writes_its_outbox_and_nothing_else(secure_cluster):
    producer = KafkaProducer(acks="all", **secure_cluster.options("connect-pringsewu"))
    producer.send(topics.outbox(PRINGSEWU), key=b"LPR-1", value=b"follow-up").get(timeout=30)
    for foreign in (topics.outbox(KEMENKES), topics.EVENTS, topics.COMMANDS, topics.inbox(PRINGSEWU)):
        with pytest.raises(TopicAuthorizationFailedError):
            producer.send(foreign, key=b"LPR-1", value=b"forged").get(timeout=30)
    producer.close()
    admin_producer = KafkaProducer(acks="all", **HubSettings.from_env(secure_cluster.admin_env()).client_options())
    for code in (PRINGSEWU, KEMENKES):
        admin_producer.send(topics.inbox(code), key=b"LPR-1", value=f"assignment for {code}".encode()).get(timeout=30)
    admin_producer.close()
    mine, refused = _read_as(secure_cluster.options("connect-pringsewu"), topics.inbox(PRINGSEWU))
    assert b"assignment for 18.10" in mine and refused is None
    theirs, refused = _read_as(secure_cluster.options("connect-kemenkes"), topics.inbox(KEMENKES))
    assert b"assignment for KEMENKES" in theirs and refused is None
    # Each one's records are there to be read, and a look with the wrong principal is refused.
    for principal, topic in (("connect-pringsewu", topics.inbox(KEMENKES)),
                             ("connect-kemenkes", topics.inbox(PRINGSEWU)),
                             ("connect-pringsewu", topics.EVENTS)):
        assert _read_as(secure_cluster.options(principal), topic) == ([], TopicAuthorizationFailedError), topic


@pytest.mark.kafka
def test_a_revoked_grant_gets_nothing_and_the_next_apply_restores_the_plan(secure_cluster):
    admin = HubSettings.from_env(secure_cluster.admin_env())
    revoke_agency(admin, default_directory(), PRINGSEWU, "connect-pringsewu")
    try:
        producer = KafkaProducer(**secure_cluster.options("connect-pringsewu"))
        with pytest.raises(TopicAuthorizationFailedError):
            producer.send(topics.outbox(PRINGSEWU), value=b"after revocation").get(timeout=30)
        producer.close()
        assert not any(p.principal == "User:connect-pringsewu" for p in list_permissions(admin))
    finally:
        done = run_cli(secure_cluster.admin_env(), "access", "apply", str(secure_cluster.plan))
        assert done.returncode == 0, done.stderr
    assert f"{len(agency_permissions(PRINGSEWU, 'connect-pringsewu'))} added, 0 removed" in done.stdout


@pytest.mark.kafka
def test_the_hub_principal_cannot_change_who_may_do_what(secure_cluster):
    as_hub = HubSettings.from_env(secure_cluster.env_as("lapor-hub"))
    admin = HubSettings.from_env(secure_cluster.admin_env())
    before = list_permissions(admin)
    # Refused for good (a configuration error, not waited out), saying who may.
    with pytest.raises(ConfigurationError, match="refused .*only the cluster admin may"):
        grant_agency(as_hub, default_directory(), PRINGSEWU, "lapor-hub", "a-long-password-to-steal")
    with pytest.raises(ConfigurationError, match="refused"):
        revoke_agency(as_hub, default_directory(), PRINGSEWU, "connect-pringsewu")
    with pytest.raises(ConfigurationError, match="refused"):
        list_permissions(as_hub)
    assert list_permissions(admin) == before
    # Its password is still the one the plan gave it: the grant changed no credential.
    producer = KafkaProducer(acks="all", **secure_cluster.options("lapor-hub"))
    producer.send(topics.inbox(PRINGSEWU), key=b"LPR-1", value=b"still the hub").get(timeout=30)
    producer.close()


@pytest.mark.kafka
def test_the_deploy_step_as_a_client_principal_fails_at_once_saying_who_may(secure_cluster):
    done = run_cli(secure_cluster.env_as("lapor-hub"), "access", "apply", str(secure_cluster.plan), "--wait", "120")
    assert done.returncode != 0
    assert "applying the access plan was refused" in done.stderr and "trying again" not in done.stderr
