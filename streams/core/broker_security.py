"""How a client proves itself to the Kafka brokers and checks that it reached them.

Two parts, either or both: :class:`BrokerCredentials` (SASL/SCRAM: who the client is) and
:class:`BrokerTls` (TLS: the CA the client trusts to have signed the brokers' certificates, and
the client's own certificate and key). The production cluster asks for both (see README,
Production). :func:`security_options` turns them into the options kafka-python and aiokafka
share, with one ``ssl.SSLContext`` that always verifies the broker's certificate and host name.
"""

from __future__ import annotations

import functools
import ssl
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cryptography import x509

from lapor_hub.errors import ConfigurationError

__all__ = ["BrokerCredentials", "BrokerTls", "security_options"]

#: What a message calls each part of :class:`BrokerTls` unless the caller names its own settings.
_FIELD_NAMES = {"ca": "ca", "cert": "cert", "key": "key", "key_password": "key_password"}


@dataclass(frozen=True)
class BrokerCredentials:
    """SASL/SCRAM credentials; ``repr`` never shows the password."""

    username: str
    password: str = field(repr=False)
    mechanism: str = "SCRAM-SHA-256"


@dataclass(frozen=True)
class BrokerTls:
    """TLS to the brokers. PEM text, not paths: secrets may come from a variable or a file.

    ``ca``: the certificates to trust (the system's when None). ``cert`` and ``key``: the
    client's certificate (chain) and private key, for brokers that ask for one (mutual TLS);
    ``key_password`` when the key is encrypted. Host names are always verified.
    """

    ca: str | None = field(default=None, repr=False)
    cert: str | None = field(default=None, repr=False)
    key: str | None = field(default=None, repr=False)
    key_password: str | None = field(default=None, repr=False)

    def context(self) -> ssl.SSLContext:
        """One context per distinct configuration, made once (loading keys is not free)."""
        return _cached_context(self)

    def validate(self, names: Mapping[str, str] | None = None, *, now: datetime | None = None) -> None:
        """Fail at start, naming the setting (``names`` maps ca/cert/key/key_password to the
        caller's own names): unreadable PEM, a key that is not the certificate's, an expired
        certificate."""
        names = {**_FIELD_NAMES, **(names or {})}
        if bool(self.cert) != bool(self.key):
            given, missing = ("cert", "key") if self.cert else ("key", "cert")
            raise ConfigurationError(f"{names[given]} is set but {names[missing]} is not: a client certificate "
                                     "needs its private key, and the key its certificate")
        if self.key_password and not self.key:
            raise ConfigurationError(f"{names['key_password']} is set without {names['key']}")
        moment = now or datetime.now(timezone.utc)
        for part in ("ca", "cert"):
            text = getattr(self, part)
            if text:
                _check_certificates(text, names[part], moment)
        _build_context(self, names)


def security_options(credentials: BrokerCredentials | None, tls: BrokerTls | None) -> dict[str, Any]:
    """``security_protocol`` and what it needs, in the option names kafka-python and aiokafka share."""
    if credentials is None and tls is None:
        return {}
    options: dict[str, Any] = {"security_protocol": ("SASL_" if credentials else "") + ("SSL" if tls else "PLAINTEXT")}
    if tls is not None:
        options["ssl_context"] = tls.context()
    if credentials is not None:
        options.update(sasl_mechanism=credentials.mechanism, sasl_plain_username=credentials.username,
                       sasl_plain_password=credentials.password)
    return options


@functools.lru_cache(maxsize=16)
def _cached_context(tls: BrokerTls) -> ssl.SSLContext:
    return _build_context(tls, _FIELD_NAMES)


def _build_context(tls: BrokerTls, named: Mapping[str, str]) -> ssl.SSLContext:
    try:
        # Only the given CA when there is one: a certificate from any other CA is refused.
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cadata=tls.ca) if tls.ca \
            else ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    except (ssl.SSLError, ValueError) as exc:
        raise ConfigurationError(f"{named['ca']}: not a PEM certificate the TLS library accepts ({exc}); "
                                 "give the CA certificate(s) in PEM, -----BEGIN CERTIFICATE-----") from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    if tls.cert and tls.key:
        _load_client_certificate(context, tls, named)
    return context


def _load_client_certificate(context: ssl.SSLContext, tls: BrokerTls, names: Mapping[str, str]) -> None:
    """``load_cert_chain`` reads only files: the PEM goes to a private folder for that call."""
    assert tls.cert and tls.key  # noqa: S101 - the caller checked
    with tempfile.TemporaryDirectory(prefix="lapor-tls-") as folder:  # mode 0700
        cert_file, key_file = Path(folder) / "cert.pem", Path(folder) / "key.pem"
        cert_file.write_text(tls.cert + "\n")
        key_file.touch(mode=0o600)
        key_file.write_text(tls.key + "\n")
        try:
            context.load_cert_chain(cert_file, key_file, password=tls.key_password or None)
        except ssl.SSLError as exc:
            raise ConfigurationError(
                f"{names['cert']} and {names['key']} cannot be used together ({exc.reason or exc}): give the "
                f"PEM certificate and its own private key, with {names['key_password']} if the key is encrypted"
            ) from None


def _check_certificates(text: str, name: str, now: datetime) -> None:
    try:
        certificates = x509.load_pem_x509_certificates(text.encode())
    except ValueError:
        raise ConfigurationError(f"{name}: not a PEM certificate; give the file that starts with "
                                 "-----BEGIN CERTIFICATE-----") from None
    for certificate in certificates:
        if certificate.not_valid_after_utc < now:
            subject = certificate.subject.rfc4514_string()
            raise ConfigurationError(f"{name}: the certificate {subject} expired on "
                                     f"{certificate.not_valid_after_utc:%Y-%m-%d}; renew it (lapor-hub certs issue "
                                     "--replace, or your CA)")

