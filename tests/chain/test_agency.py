"""An agency's signature on its outbox records: made by the SDK, judged by the hub, never claimed."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lapor_hub.connectors.sdk.config import ConnectorConfig
from lapor_hub.connectors.sdk.model import AgencyUpdate
from lapor_hub.connectors.sdk.publisher import ConnectorPublisher
from lapor_hub.schemas import decode
from lapor_hub.streams.chain import AuditKeyRing, public_key_text
from lapor_hub.streams.chain.agency import (
    AGENCY_SIGNATURE_HEADER,
    SIGNATURE_STATUS_HEADER,
    AgencyKeys,
    sign_agency_update,
    signature_status,
)
from lapor_hub.streams.core.publisher import SENDER_HEADER, header
from lapor_hub.streams.lifecycle.agent import decode_command
from lapor_hub.streams.lifecycle.commands import INTAKE
from lapor_hub.streams.lifecycle.outbox import agency_signature_status, agency_update_command_headers


def _agency_key(tmp_path, agency: str = "18.10", *, label: str = ""):
    """The agency's private key file (as its IT team makes it) and its public key registered at the hub."""
    private = Ed25519PrivateKey.generate()
    pem = tmp_path / f"{agency}{label}.pem"
    pem.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    folder = tmp_path / "agency-keys"
    folder.mkdir(exist_ok=True)
    (folder / f"{agency}{label}.pub").write_text(public_key_text(private.public_key()))
    return pem, folder


class _Producer:
    """Keeps what the SDK would hand to Kafka."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, bytes, list]] = []

    def send(self, topic, *, key, value, headers):
        self.sent.append((topic, key, value, headers))

    def flush(self, timeout=None):
        pass


def _publish(tmp_path, signing_key_file=None):
    config = ConnectorConfig.model_validate({"type": "webhook", "id": "pringsewu-sipp", "agency": "18.10",
                                             "broker": {"bootstrap": "127.0.0.1:9092"},
                                             "signing_key_file": str(signing_key_file) if signing_key_file else None})
    producer = _Producer()
    ConnectorPublisher(producer, config, connector_type="webhook").publish(
        [AgencyUpdate("ComplaintAccepted", "LPR-20261130-AAAAAAAA", "case-1")])
    return producer.sent[0]


def test_an_update_signed_by_the_sdk_verifies_at_the_hub(tmp_path):
    pem, folder = _agency_key(tmp_path)
    topic, key, value, headers = _publish(tmp_path, pem)
    assert topic == "agency.18.10.outbox" and header(headers, AGENCY_SIGNATURE_HEADER)
    assert agency_signature_status("18.10", key, value, headers, AgencyKeys(folder)) == "verified"


def test_a_changed_record_or_another_agency_does_not_verify(tmp_path):
    pem, folder = _agency_key(tmp_path)
    _, key, value, headers = _publish(tmp_path, pem)
    keys = AgencyKeys(folder)
    assert agency_signature_status("18.10", key, value[:-1] + b"\x01", headers, keys) == "invalid"
    assert agency_signature_status("18.10", b"LPR-20261130-BBBBBBBB", value, headers, keys) == "invalid"
    # 18.71's outbox carrying 18.10's signature: the key is not one of 18.71's.
    assert agency_signature_status("18.71", key, value, headers, keys) == "unknown-key"


def test_an_unsigned_update_and_an_unregistered_key_are_recorded_as_such(tmp_path):
    _, folder = _agency_key(tmp_path)
    _, key, value, headers = _publish(tmp_path)
    assert agency_signature_status("18.10", key, value, headers, AgencyKeys(folder)) == "unsigned"
    (tmp_path / "stranger").mkdir()
    stranger = AuditKeyRing.load_signing_key(_agency_key(tmp_path / "stranger")[0])
    signature = sign_agency_update(stranger, "18.10", key, value)
    assert signature_status("18.10", key, value, signature, AgencyKeys(None).of("18.10")) == "unknown-key"
    assert signature_status("18.10", key, value, b"garbage", AgencyKeys(folder).of("18.10")) == "unknown-key"


def test_an_agency_may_register_several_keys_and_codes_with_dots_are_read_whole(tmp_path):
    first, folder = _agency_key(tmp_path)
    second, _ = _agency_key(tmp_path, label=".sipp")
    keys = AgencyKeys(folder)
    for pem in (first, second):
        signed = AuditKeyRing.load_signing_key(pem)
        assert signed.kid in keys.of("18.10", signed.kid)
    assert keys.of("18") == {}


def test_the_relay_replaces_a_status_header_the_agency_sent_itself(tmp_path):
    pem, folder = _agency_key(tmp_path)
    _, key, value, headers = _publish(tmp_path)
    forged = [*headers, (SIGNATURE_STATUS_HEADER, b"verified"), (SENDER_HEADER, b"KEMENPANRB")]
    record_type, record = decode(value)
    forwarded = agency_update_command_headers("18.10", record_type, record, forged)
    assert header(forwarded, SIGNATURE_STATUS_HEADER) is None and header(forwarded, SENDER_HEADER) == "18.10"
    status = agency_signature_status("18.10", key, value, forged, AgencyKeys(folder))
    command = decode_command(key, value, [*forwarded, (SIGNATURE_STATUS_HEADER, status.encode())])
    assert command.agency_signature == "unsigned"


def test_a_submission_cannot_claim_a_verified_signature():
    from lapor_hub.schemas import cloudevent_headers, encode
    from tests.hub.submissions import submission_record

    record = submission_record("LPR-20261130-AAAAAAAA")
    headers = [*cloudevent_headers("ComplaintSubmitted", record["event_id"], "/test", record["tracking_id"],
                                   record["occurred_at"]),
               (SIGNATURE_STATUS_HEADER, b"verified"), (SENDER_HEADER, INTAKE.encode())]
    command = decode_command(record["tracking_id"].encode(), encode("ComplaintSubmitted", record), headers)
    assert command.agency_signature is None
