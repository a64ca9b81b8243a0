"""The chain on a real broker, from the outside: a real hub worker appends and signs, the
``lapor-hub audit`` commands verify, export and check, and a client outside the hub tampers.

The test has its own broker so that the log it verifies was written by this hub alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

from lapor_hub.streams.broker import LocalBroker, free_port
from lapor_hub.streams.core import topics
from lapor_hub.streams.core.config import HubSettings
from tests.conftest import CACHE
from tests.hub.harness import http, start_hub, wait_for

pytestmark = pytest.mark.kafka

PARTITIONS = 2


def _complaint(number: int) -> dict:
    return {"title": f"Jalan desa rusak parah nomor {number}",
            "description": "Jalan penghubung antar desa rusak berat sejak musim hujan, mohon diperbaiki.",
            "category": "infrastructure.road.regency", "region_code": "18.10", "channel": "web",
            "privacy": "anonymous", "reporter": {}}


def _submit(hub, count: int) -> list[str]:
    tracking_ids = []
    for number in range(count):
        status, body = http("POST", f"{hub.base_url}/api/v1/complaints", _complaint(number),
                            {"Idempotency-Key": str(uuid.uuid4())})
        assert status == 202, body
        tracking_ids.append(body["tracking_id"])
    return tracking_ids


def _audit(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lapor_hub.streams.cli", "audit", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def _events(bootstrap: str) -> dict[int, list]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topics.EVENTS, p) for p in range(PARTITIONS)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        found: dict[int, list] = {p: [] for p in range(PARTITIONS)}
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            for tp, batch in consumer.poll(timeout_ms=2000).items():
                found[tp.partition].extend(batch)
        return found
    finally:
        consumer.close()


def _agency_key(folder):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from lapor_hub.streams.chain import public_key_text

    private = Ed25519PrivateKey.generate()
    pem = folder / "pringsewu.pem"
    pem.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    (folder / "keys").mkdir()
    (folder / "keys" / "18.10.pub").write_text(public_key_text(private.public_key()))
    return pem, folder / "keys"


def _agency_updates(bootstrap: str, tracking_ids: list[str], agency_pem) -> dict[str, str]:
    """KAB. PRINGSEWU accepts three complaints through the SDK's publisher: signed with its key,
    unsigned, and signed with a key the hub does not know. Returns the status each event records."""
    from lapor_hub.connectors.sdk.config import ConnectorConfig
    from lapor_hub.connectors.sdk.model import AgencyUpdate
    from lapor_hub.connectors.sdk.publisher import ConnectorPublisher
    from lapor_hub.streams.chain.agency import SIGNATURE_STATUS_HEADER

    folder = agency_pem.parent / "stranger"
    folder.mkdir()
    stranger, _ = _agency_key(folder)
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for tracking_id, key_file in zip(tracking_ids, (agency_pem, None, stranger), strict=False):
        config = ConnectorConfig.model_validate({"type": "webhook", "id": "pringsewu-sipp", "agency": "18.10",
                                                 "broker": {"bootstrap": bootstrap},
                                                 "signing_key_file": str(key_file) if key_file else None})
        ConnectorPublisher(producer, config, connector_type="webhook").publish(
            [AgencyUpdate("ComplaintAccepted", tracking_id, f"case-{tracking_id}")])
    producer.close()
    wanted = set(tracking_ids[:3])

    def accepted() -> dict[str, str] | None:
        found = {}
        for records in _events(bootstrap).values():
            for record in records:
                headers = dict(record.headers)
                if record.key.decode() in wanted and headers.get("ce_type") == b"id.go.lapor.complaint.accepted":
                    found[record.key.decode()] = headers.get(SIGNATURE_STATUS_HEADER, b"").decode()
        return found if set(found) == wanted else None

    found = wait_for(accepted, timeout=90, interval=1, what="the three acceptances on complaints.events")
    kinds = ("signed", "unsigned", "stranger")
    return {kind: found[tracking_id] for kind, tracking_id in zip(kinds, tracking_ids[:3], strict=True)}


def _all_signed(env: dict) -> bool:
    result = _audit(env, "verify")
    return result.returncode == 0 and result.stdout.count(" 0 not signed yet") == PARTITIONS


def _created(settings: HubSettings, codes: list[str]) -> bool:
    from lapor_hub.errors import RetriableError
    from lapor_hub.streams.core.admin import init_topics

    try:
        init_topics(settings, codes)
    except RetriableError:
        return False
    return True


@pytest.fixture(scope="module")
def signed_log(tmp_path_factory):
    """A broker, a hub that appended events under two keys (rotated between), and its untouched log."""
    broker = LocalBroker(tmp_path_factory.mktemp("chain-kafka"), port=free_port(), controller_port=free_port(),
                         cache_dir=CACHE)
    broker.start()
    data = tmp_path_factory.mktemp("chain-hub")
    agency_pem, agency_keys = _agency_key(tmp_path_factory.mktemp("agency"))
    extra = {"LAPOR_AUDIT_SIGN_INTERVAL": "0.5", "LAPOR_TOPIC_PARTITIONS": str(PARTITIONS),
             "LAPOR_AUDIT_AGENCY_KEYS_DIR": str(agency_keys)}
    env = {**os.environ, "LAPOR_BROKER": broker.bootstrap, "LAPOR_DATA_DIR": str(data), **extra}
    try:
        from lapor_hub.streams.directory import default_directory

        settings = HubSettings(broker=broker.bootstrap, partitions=PARTITIONS, data_dir=data)
        # 1,363 topics on a fresh broker: on a busy machine their metadata can take more than a minute.
        wait_for(lambda: _created(settings, [a.code for a in default_directory()]), timeout=600, interval=1,
                 what="the hub's topics created")
        hub = start_hub(broker.bootstrap, data, app_id="chain-test", extra_env=extra)
        try:
            first = _submit(hub, 6)
            wait_for(lambda: _all_signed(env), timeout=90, what="every event signed under the first key")
        finally:
            assert hub.stop() == 0, hub.log()[-3000:]
        rotated = _audit(env, "rotate-key")
        assert rotated.returncode == 0, rotated.stderr
        hub = start_hub(broker.bootstrap, data, app_id="chain-test", extra_env=extra)
        try:
            second = _submit(hub, 6)
            statuses = _agency_updates(broker.bootstrap, second, agency_pem)
            wait_for(lambda: _all_signed(env), timeout=90, what="every event signed under the second key")
            status, published = http("GET", f"{hub.base_url}/api/v1/audit/keys")
            assert status == 200
        finally:
            assert hub.stop() == 0, hub.log()[-3000:]
        yield {"broker": broker, "env": env, "tracking_ids": first + second, "keys": published["keys"],
               "pristine": _events(broker.bootstrap), "data": data, "agency_statuses": statuses}
    finally:
        broker.stop()


def test_an_untouched_log_verifies_with_heads_signed_before_and_after_a_key_rotation(signed_log):
    keys = signed_log["keys"]
    assert len(keys) == 2 and [k["signing"] for k in keys].count(True) == 1
    consumer = KafkaConsumer(topics.HEADS, bootstrap_servers=signed_log["broker"].bootstrap,
                             auto_offset_reset="earliest", consumer_timeout_ms=3000)
    kids = {json.loads(record.value)["kid"] for record in consumer}
    consumer.close()
    assert kids == {k["kid"] for k in keys}  # heads under both keys on the topic
    events = sum(len(records) for records in signed_log["pristine"].values())
    assert events >= 24  # submitted and dispositioned, 12 complaints
    # An outside party passes the published keys instead of trusting the operator's key folder.
    arguments = [argument for key in keys for argument in ("--public-key", key["public_key"])]
    result = _audit(signed_log["env"], "verify", *arguments)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "verified" in result.stdout
    only_new = _audit(signed_log["env"], "verify", "--public-key", next(k for k in keys if k["signing"])["public_key"])
    assert only_new.returncode == 1 and "not among the trusted public keys" in only_new.stdout


def test_the_hub_records_on_each_agency_update_whether_the_agencys_signature_verified(signed_log):
    assert signed_log["agency_statuses"] == {"signed": "verified", "unsigned": "unsigned",
                                              "stranger": "unknown-key"}


def test_an_export_verifies_offline_and_fails_after_one_byte_is_changed(signed_log, tmp_path):
    tracking_id = signed_log["tracking_ids"][0]
    export = tmp_path / "export.json"
    made = _audit(signed_log["env"], "export", tracking_id, "--output", str(export))
    assert made.returncode == 0, made.stdout + made.stderr
    public_key = tmp_path / "hub.pub"
    public_key.write_text(next(k for k in signed_log["keys"] if not k["signing"])["public_key"])
    offline = {"PATH": os.environ["PATH"]}  # no broker, no key folder: only the file and the key
    checked = _audit(offline, "check", str(export), "--public-key", str(public_key))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "id.go.lapor.complaint.submitted" in checked.stdout
    text = export.read_bytes()
    document = json.loads(text)
    value = next(r for r in document["records"] if "value" in r)["value"]
    at = text.index(value.encode()) + 10
    changed = text[:at] + (b"A" if text[at:at + 1] != b"A" else b"B") + text[at + 1:]
    export.write_bytes(changed)
    broken = _audit(offline, "check", str(export), "--public-key", str(public_key))
    assert broken.returncode == 1 and "BROKEN" in broken.stdout


def _rewrite(bootstrap: str, partition: int, records: list) -> None:
    """What an operator with admin rights could do: delete the topic and produce its records again."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.delete_topics([topics.EVENTS], timeout_ms=30000)

        def recreated() -> bool:
            try:
                admin.create_topics([NewTopic(topics.EVENTS, PARTITIONS, 1)], timeout_ms=30000)
                return True
            except Exception:  # noqa: BLE001 - still being deleted: try again
                return False

        wait_for(recreated, timeout=60, what="complaints.events deleted and created again")
    finally:
        admin.close()
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for record in records:
        producer.send(topics.EVENTS, key=record.key, value=record.value, headers=list(record.headers),
                      partition=partition)
    producer.flush()
    producer.close()


def _with_partition_rewritten(signed_log, how) -> tuple[int, int, subprocess.CompletedProcess]:
    pristine = signed_log["pristine"]
    partition = max(pristine, key=lambda p: len(pristine[p]))
    records = list(pristine[partition])
    expected = how(records)
    bootstrap = signed_log["broker"].bootstrap
    _rewrite(bootstrap, partition, records)
    for other, kept in pristine.items():
        if other != partition:
            producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
            for record in kept:
                producer.send(topics.EVENTS, key=record.key, value=record.value, headers=list(record.headers),
                              partition=other)
            producer.flush()
            producer.close()
    return expected, partition, _audit(signed_log["env"], "verify")


def _change(records: list) -> int:
    records[3] = records[3]._replace(value=records[3].value[:-1] + bytes([records[3].value[-1] ^ 1]))
    return 3


def _remove(records: list) -> int:
    del records[4]
    return 4


def _reorder(records: list) -> int:
    records[5], records[6] = records[6], records[5]
    return 5


def _copy_unchanged(records: list) -> int:
    return -1


@pytest.mark.parametrize("how", [_copy_unchanged, _change, _remove, _reorder],
                         ids=["unchanged", "changed", "removed", "reordered"])
def test_a_rewritten_partition_is_found_at_the_offset_of_the_change(signed_log, how):
    expected, partition, result = _with_partition_rewritten(signed_log, how)
    if expected < 0:
        assert result.returncode == 0, result.stdout + result.stderr  # the copy itself changes nothing
        return
    assert result.returncode == 1, result.stdout
    assert f"BROKEN complaints.events partition {partition} offset {expected}:" in result.stdout


def test_a_record_appended_by_a_client_outside_the_hub_is_found_at_its_offset(signed_log):
    _, partition, restored = _with_partition_rewritten(signed_log, _copy_unchanged)
    assert restored.returncode == 0, restored.stdout
    producer = KafkaProducer(bootstrap_servers=signed_log["broker"].bootstrap, acks="all")
    sent = producer.send(topics.EVENTS, key=signed_log["tracking_ids"][0].encode(), value=b"\x00forged",
                         headers=[("ce_type", b"id.go.lapor.complaint.closed")], partition=partition).get(30)
    producer.close()
    result = _audit(signed_log["env"], "verify")
    assert result.returncode == 1
    assert f"BROKEN complaints.events partition {partition} offset {sent.offset}: no chain headers" in result.stdout
