"""The hub as a TLS client of the brokers: its settings, what they refuse, and the context that
a real TLS server on loopback finds verifying its certificate and its name."""

from __future__ import annotations

import socket
import ssl
import threading
from datetime import datetime, timedelta, timezone

import faust
import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.core.broker_security import BrokerCredentials, BrokerTls, security_options
from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.hub import faust_settings
from lapor_hub.streams.ops.certs import Kind, create_ca, issue


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pki")
    create_ca(folder)
    issue(folder, "kafka-1", Kind.BROKER, dns=["localhost"])
    issue(folder, "lapor-hub", Kind.CLIENT)
    other = folder / "other"
    create_ca(other)
    issue(other, "kafka-1", Kind.BROKER, dns=["localhost"])
    return folder


def _tls(env: dict[str, str]) -> BrokerTls:
    tls = HubSettings.from_env(env).tls
    assert tls is not None
    return tls


def _env(pki, **extra) -> dict[str, str]:
    return {"LAPOR_BROKER_CA_FILE": str(pki / "ca.pem"), "LAPOR_BROKER_CERT_FILE": str(pki / "lapor-hub.pem"),
            "LAPOR_BROKER_KEY_FILE": str(pki / "lapor-hub.key"), **extra}


def test_tls_is_off_unless_asked_for_and_on_with_a_ca_or_a_certificate(pki):
    assert HubSettings.from_env({}).tls is None
    assert HubSettings.from_env({}).client_options() == {"bootstrap_servers": ["127.0.0.1:9092"]}
    assert HubSettings.from_env({"LAPOR_BROKER_CA_FILE": str(pki / "ca.pem")}).tls is not None
    system_cas = HubSettings.from_env({"LAPOR_BROKER_TLS": "1"}).tls
    assert system_cas is not None and system_cas.ca is None
    with pytest.raises(ConfigurationError, match="LAPOR_BROKER_TLS is off but LAPOR_BROKER_CA"):
        HubSettings.from_env({"LAPOR_BROKER_TLS": "0", "LAPOR_BROKER_CA_FILE": str(pki / "ca.pem")})


def test_pem_may_come_inline_or_from_a_file_and_never_shows_in_repr(pki):
    inline = HubSettings.from_env({"LAPOR_BROKER_CA": (pki / "ca.pem").read_text(),
                                   "LAPOR_BROKER_CERT": (pki / "lapor-hub.pem").read_text(),
                                   "LAPOR_BROKER_KEY": (pki / "lapor-hub.key").read_text()})
    from_files = HubSettings.from_env(_env(pki))
    assert inline.tls == from_files.tls
    assert "PRIVATE KEY" not in repr(from_files) and "CERTIFICATE" not in repr(from_files)


@pytest.mark.parametrize(("change", "message"), [
    ({"LAPOR_BROKER_KEY_FILE": ""}, "LAPOR_BROKER_CERT .* is set but LAPOR_BROKER_KEY"),
    ({"LAPOR_BROKER_CERT_FILE": ""}, "LAPOR_BROKER_KEY .* is set but LAPOR_BROKER_CERT"),
    ({"LAPOR_BROKER_KEY_FILE": "other/kafka-1.key"}, "cannot be used together"),
    ({"LAPOR_BROKER_CA_FILE": "lapor-hub.key"}, "LAPOR_BROKER_CA .*not a PEM certificate"),
    ({"LAPOR_BROKER_CERT_FILE": "missing.pem"}, "LAPOR_BROKER_CERT_FILE=.* cannot be read"),
])
def test_unusable_tls_settings_fail_at_start_naming_the_setting(pki, change, message):
    env = _env(pki)
    for name, value in change.items():
        env[name] = str(pki / value) if value else ""
    with pytest.raises(ConfigurationError, match=message):
        HubSettings.from_env(env)


def test_an_expired_certificate_is_refused_at_start_with_what_to_do(pki):
    tls = _tls(_env(pki))
    later = datetime.now(timezone.utc) + timedelta(days=400)
    with pytest.raises(ConfigurationError, match="expired on .*renew it"):
        tls.validate(now=later)


def test_the_security_protocol_follows_what_is_given(pki):
    tls = _tls(_env(pki))
    credentials = BrokerCredentials("lapor-hub", "a-long-password-1")
    assert security_options(None, None) == {}
    assert security_options(None, tls)["security_protocol"] == "SSL"
    assert security_options(credentials, None)["security_protocol"] == "SASL_PLAINTEXT"
    both = security_options(credentials, tls)
    assert both["security_protocol"] == "SASL_SSL" and both["sasl_plain_username"] == "lapor-hub"
    assert both["ssl_context"] is tls.context()  # one context per configuration, made once


def test_faust_gets_the_same_tls_and_credentials(pki):
    env = {**_env(pki), "LAPOR_BROKER_USERNAME": "lapor-hub", "LAPOR_BROKER_PASSWORD": "a-long-password-1"}
    credentials = faust_settings(HubSettings.from_env(env))["broker_credentials"]
    assert isinstance(credentials, faust.SASLCredentials)
    assert credentials.protocol.value == "SASL_SSL" and credentials.ssl_context is _tls(env).context()
    certificate_only = faust_settings(HubSettings.from_env(_env(pki)))["broker_credentials"]
    assert isinstance(certificate_only, faust.SSLCredentials)
    assert "broker_credentials" not in faust_settings(HubSettings.from_env({}))


class _TlsServer:
    """A TLS server on loopback presenting ``certificate``; records whether each handshake held."""

    def __init__(self, certificate, key, ca) -> None:
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(ca))
        self.context.load_cert_chain(certificate, key)
        self.context.verify_mode = ssl.CERT_REQUIRED
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.clients: list[str] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return
            try:
                with self.context.wrap_socket(raw, server_side=True) as tls:
                    peer = x509.load_der_x509_certificate(tls.getpeercert(binary_form=True) or b"")
                    self.clients.append(str(peer.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value))
                    tls.sendall(b"ok")
            except (ssl.SSLError, OSError):
                pass

    def close(self) -> None:
        self.listener.close()


def _connect(context: ssl.SSLContext, port: int, name: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname=name) as tls:
            return tls.recv(2)


def test_the_context_checks_the_broker_s_ca_and_name_and_shows_the_client_certificate(pki):
    context = _tls(_env(pki)).context()
    good = _TlsServer(pki / "kafka-1.pem", pki / "kafka-1.key", pki / "ca.pem")
    impostor = _TlsServer(pki / "other" / "kafka-1.pem", pki / "other" / "kafka-1.key", pki / "ca.pem")
    try:
        assert _connect(context, good.port, "localhost") == b"ok"
        assert good.clients == ["lapor-hub"]  # the server saw the hub's own certificate
        with pytest.raises(ssl.SSLCertVerificationError, match="IP address mismatch"):
            _connect(context, good.port, "127.0.0.1")  # the certificate names localhost only
        with pytest.raises(ssl.SSLCertVerificationError, match="unable to get local issuer"):
            _connect(context, impostor.port, "localhost")  # a certificate of another CA
    finally:
        good.close()
        impostor.close()


def test_a_context_is_made_once_per_configuration(pki):
    one = BrokerTls(ca=(pki / "ca.pem").read_text())
    assert one.context() is BrokerTls(ca=(pki / "ca.pem").read_text()).context()
    assert one.context().check_hostname and one.context().verify_mode is ssl.CERT_REQUIRED


def test_every_broker_setting_is_in_the_readme_s_settings_table():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    names = set(re.findall(r'"(LAPOR_BROKER[A-Z_]*)"', (root / "streams/core/config.py").read_text()))
    table = "\n".join(line for line in (root / "README.md").read_text().splitlines() if line.startswith("| `LAPOR_"))
    assert {"LAPOR_BROKER_CA", "LAPOR_BROKER_CERT", "LAPOR_BROKER_KEY", "LAPOR_BROKER_KEY_PASSWORD"} <= names
    assert [name for name in sorted(names) if f"`{name}`" not in table] == []
