"""``lapor-hub certs``: a private CA and the certificates a deployment needs, read back with
``cryptography`` and checked as a TLS library would."""

import stat
import subprocess
import sys

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.core.broker_security import BrokerTls
from lapor_hub.streams.ops.certs import DEPLOYMENT_BROKERS, DEPLOYMENT_CLIENTS, Kind, create_ca, deployment, issue


def _certificate(path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _verify(ca: x509.Certificate, leaf: x509.Certificate) -> None:
    leaf.verify_directly_issued_by(ca)


@pytest.fixture
def ca(tmp_path):
    create_ca(tmp_path)
    return tmp_path


def test_the_ca_is_a_ca_and_its_key_is_private(ca):
    certificate = _certificate(ca / "ca.pem")
    assert certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert stat.S_IMODE((ca / "ca.key").stat().st_mode) == 0o600
    again = create_ca(ca)  # kept, not replaced
    assert _certificate(again) == certificate


@pytest.mark.parametrize(("kind", "unit", "usages"), [
    (Kind.BROKER, "lapor-cluster", {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}),
    (Kind.ADMIN, "lapor-cluster", {ExtendedKeyUsageOID.CLIENT_AUTH}),
    (Kind.CLIENT, "lapor-clients", {ExtendedKeyUsageOID.CLIENT_AUTH}),
    (Kind.SERVER, "lapor-https", {ExtendedKeyUsageOID.SERVER_AUTH}),
])
def test_each_kind_names_its_holder_and_what_it_may_do(ca, kind, unit, usages):
    issued = issue(ca, "holder-1", kind, dns=["holder-1", "holder.internal"], ips=["10.0.0.5"])
    certificate = _certificate(issued.certificate)
    _verify(_certificate(ca / "ca.pem"), certificate)
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "holder-1"
    assert certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == unit
    assert set(certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == usages
    assert not certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    if kind in (Kind.BROKER, Kind.SERVER):
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert names.get_values_for_type(x509.DNSName) == ["holder-1", "holder.internal"]
        assert [str(a) for a in names.get_values_for_type(x509.IPAddress)] == ["10.0.0.5"]
    assert stat.S_IMODE(issued.key.stat().st_mode) == 0o600
    key = serialization.load_pem_private_key(issued.key.read_bytes(), password=None)
    assert key.public_key() == certificate.public_key()
    # The client side of a TLS library accepts the pair as a client certificate.
    pair = BrokerTls(ca=(ca / "ca.pem").read_text(), cert=issued.certificate.read_text(), key=issued.key.read_text())
    pair.validate()


def test_a_broker_gets_one_key_store_file_with_its_key_and_certificate(ca):
    issued = issue(ca, "kafka-1", Kind.BROKER)
    assert issued.keystore is not None
    text = issued.keystore.read_text()
    assert text == issued.key.read_text() + issued.certificate.read_text()
    assert stat.S_IMODE(issued.keystore.stat().st_mode) == 0o600


def test_an_existing_certificate_is_renewed_only_when_asked(ca):
    first = issue(ca, "connect-pringsewu", Kind.CLIENT)
    before = first.key.read_bytes()
    with pytest.raises(ConfigurationError, match="--replace"):
        issue(ca, "connect-pringsewu", Kind.CLIENT)
    assert first.key.read_bytes() == before
    renewed = issue(ca, "connect-pringsewu", Kind.CLIENT, replace=True)
    assert renewed.key.read_bytes() != before


@pytest.mark.parametrize("name", ["Kafka-1", "a b", "../x", "", "-x"])
def test_names_are_usable_as_principals(ca, name):
    with pytest.raises(ConfigurationError, match="certificate name"):
        issue(ca, name, Kind.CLIENT)


def test_issuing_without_a_ca_says_how_to_make_one(tmp_path):
    with pytest.raises(ConfigurationError, match="lapor-hub certs ca"):
        issue(tmp_path, "lapor-hub", Kind.CLIENT)


def test_a_ca_key_that_is_not_the_ca_s_is_refused(tmp_path):
    create_ca(tmp_path / "one")
    create_ca(tmp_path / "two")
    (tmp_path / "one" / "ca.key").write_bytes((tmp_path / "two" / "ca.key").read_bytes())
    with pytest.raises(ConfigurationError, match="is not the key of"):
        issue(tmp_path / "one", "lapor-hub", Kind.CLIENT)


def test_the_deployment_set_is_made_once_and_kept_after(tmp_path):
    made, kept = deployment(tmp_path, ["lapor.example.go.id", "203.0.113.7"])
    assert not kept
    names = {path.name for path in made}
    assert {f"{b}.keystore.pem" for b in DEPLOYMENT_BROKERS} <= names
    assert {f"{c}.{part}" for c in (*DEPLOYMENT_CLIENTS, "lapor-admin") for part in ("pem", "key")} <= names
    https = _certificate(tmp_path / "https.pem").extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert https.value.get_values_for_type(x509.DNSName) == ["lapor.example.go.id"]
    assert [str(a) for a in https.value.get_values_for_type(x509.IPAddress)] == ["203.0.113.7"]
    proxy = _certificate(tmp_path / "proxy.pem").extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert proxy.value.get_values_for_type(x509.DNSName) == ["proxy", "localhost"]
    before = {path: path.read_bytes() for path in made}
    again, kept = deployment(tmp_path, ["lapor.example.go.id"])
    assert again == [] and {p for p in before if p.suffix == ".pem" and "keystore" not in p.name} <= set(kept)
    assert all(path.read_bytes() == content for path, content in before.items())


def test_the_command_makes_a_deployment_through_its_entry_point(tmp_path):
    done = subprocess.run([sys.executable, "-m", "lapor_hub.streams.cli", "certs", "deployment", str(tmp_path),
                           "--public-host", "lapor.example.go.id"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"made {tmp_path / 'kafka-1.keystore.pem'}" in done.stdout and "keep ca.key offline" in done.stdout
    refused = subprocess.run([sys.executable, "-m", "lapor_hub.streams.cli", "certs", "issue", str(tmp_path),
                              "kafka-1", "--kind", "broker"], capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "--replace" in refused.stderr
