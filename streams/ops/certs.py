"""A private certificate authority for a test deployment, made with ``cryptography``.

Production should bring its own CA (see README, Production); this is for a deployment that has
none yet, and for the tests. Every certificate names who holds it in its subject, and the
brokers read that name:

- ``O=LAPOR Hub, OU=lapor-cluster, CN=<name>``: the brokers (``kafka-1``...) and the cluster
  admin (``lapor-admin``). The brokers' internal and controller listeners admit only this unit
  and map the certificate to the principal ``User:cluster.<name>`` (a super user).
- ``O=LAPOR Hub, OU=lapor-clients, CN=<name>``: the hub and the agencies' connectors. Their
  certificate admits them to the client listener, where their SASL/SCRAM credential names them.
- ``O=LAPOR Hub, OU=lapor-https``: the HTTPS reverse proxy.

Files in one folder: ``ca.pem`` and ``ca.key`` (keep the key offline once the certificates are
made), ``<name>.pem`` (the certificate) and ``<name>.key`` (its PKCS#8 key, mode 0600), and for
a broker ``<name>.keystore.pem`` (key and certificate in one file: Kafka's PEM key store). Keys
are ECDSA P-256.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.broker.security import CLIENT_UNIT, CLUSTER_UNIT, ORGANIZATION

__all__ = ["Kind", "Issued", "create_ca", "issue", "deployment", "DEPLOYMENT_BROKERS", "DEPLOYMENT_CLIENTS"]

_HTTPS_UNIT = "lapor-https"

_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{0,62}")
_CA_DAYS = 5 * 365
#: What browsers accept for a server certificate; clients are renewed on the same rhythm.
_LEAF_DAYS = 397

#: What ``lapor-hub certs deployment`` makes for ``docker/docker-compose.yml``.
DEPLOYMENT_BROKERS = ("kafka-1", "kafka-2", "kafka-3")
DEPLOYMENT_CLIENTS = ("lapor-hub", "connect-pringsewu")
_DEPLOYMENT_ADMIN = "lapor-admin"
#: The reverse proxy as the deployment's own services reach it (Prometheus scrapes through it).
_DEPLOYMENT_PROXY = "proxy"


class Kind(Enum):
    """What a certificate is for: its unit and its extended key usages."""

    BROKER = "broker"  # a Kafka node: serves the listeners and is a client of the other nodes
    ADMIN = "admin"  # the cluster admin: a client of the internal listener
    CLIENT = "client"  # the hub or an agency's connector: a client of the client listener
    SERVER = "server"  # an HTTPS server (the reverse proxy)

    @property
    def unit(self) -> str:
        return {Kind.BROKER: CLUSTER_UNIT, Kind.ADMIN: CLUSTER_UNIT, Kind.CLIENT: CLIENT_UNIT,
                Kind.SERVER: _HTTPS_UNIT}[self]

    @property
    def usages(self) -> list[x509.ObjectIdentifier]:
        server, client = ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH
        return {Kind.BROKER: [server, client], Kind.ADMIN: [client], Kind.CLIENT: [client],
                Kind.SERVER: [server]}[self]


@dataclass(frozen=True)
class Issued:
    name: str
    certificate: Path
    key: Path
    #: A broker's key and certificate in one file (Kafka's ``ssl.keystore.type=PEM``).
    keystore: Path | None = None


def create_ca(directory: Path, *, common_name: str = "LAPOR Hub private CA", days: int = _CA_DAYS) -> Path:
    """Make ``ca.pem`` and ``ca.key`` in ``directory``; an existing CA is kept and its path returned."""
    ca_file, key_file = directory / "ca.pem", directory / "ca.key"
    if ca_file.exists() or key_file.exists():
        _load_ca(directory)  # an unreadable or half-written CA is an error, not something to paper over
        return ca_file
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
                         x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(key_file, _key_pem(key))
    ca_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return ca_file


def issue(directory: Path, name: str, kind: Kind, *, dns: Sequence[str] = (), ips: Sequence[str] = (),
          days: int = _LEAF_DAYS, replace: bool = False) -> Issued:
    """A certificate for ``name`` signed by the CA in ``directory``.

    A broker or server certificate names its host names (``dns``, by default ``name``) and
    addresses (``ips``), which clients verify. An existing certificate is an error unless
    ``replace`` (a renewal: the same name, a new key).
    """
    if not _NAME.fullmatch(name):
        raise ConfigurationError(f"certificate name {name!r}: use lowercase letters, digits, '.' and '-' "
                                 "(it becomes the principal), e.g. connect-pringsewu")
    issued = _paths(directory, name, kind)
    existing = [p for p in (issued.certificate, issued.key, issued.keystore) if p is not None and p.exists()]
    if existing and not replace:
        raise ConfigurationError(f"{existing[0]} exists: pass --replace to renew it (a new key), or pick another name")
    ca_certificate, ca_key = _load_ca(directory)
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
                                 x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, kind.unit),
                                 x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca_certificate.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(min(now + timedelta(days=days), ca_certificate.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=True, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage(kind.usages), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
    )
    if kind in (Kind.BROKER, Kind.SERVER):
        builder = builder.add_extension(x509.SubjectAlternativeName(_alt_names(dns or [name], ips)), critical=False)
    certificate = builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)
    key_pem = _key_pem(key)
    _write_private(issued.key, key_pem)
    issued.certificate.write_bytes(certificate)
    if issued.keystore is not None:
        _write_private(issued.keystore, key_pem + certificate)
    return issued


def deployment(directory: Path, public_hosts: Sequence[str]) -> tuple[list[Path], list[Path]]:
    """Everything ``docker/docker-compose.yml`` mounts, made where missing: the CA, the three
    brokers, the cluster admin, the hub's and the example connector's client certificates,
    the proxy's certificate for the public host names (``https``) and for the hub's own
    services (``proxy``). Returns (made, kept)."""
    if not public_hosts:
        raise ConfigurationError("name the host the public reaches the hub by, e.g. --public-host lapor.example.go.id")
    made: list[Path] = []
    kept: list[Path] = []
    ca_new = not (directory / "ca.pem").exists()
    ca_file = create_ca(directory)
    (made if ca_new else kept).extend([ca_file, directory / "ca.key"])
    wanted: list[tuple[str, Kind, list[str]]] = [(b, Kind.BROKER, [b]) for b in DEPLOYMENT_BROKERS]
    wanted += [(_DEPLOYMENT_ADMIN, Kind.ADMIN, []), *((c, Kind.CLIENT, []) for c in DEPLOYMENT_CLIENTS)]
    # The proxy's own certificate: Prometheus reaches it as "proxy", operators on the host as "localhost".
    wanted += [("https", Kind.SERVER, list(public_hosts)),
               (_DEPLOYMENT_PROXY, Kind.SERVER, [_DEPLOYMENT_PROXY, "localhost"])]
    for name, kind, dns in wanted:
        paths = _paths(directory, name, kind)
        if paths.certificate.exists():
            kept.append(paths.certificate)
            continue
        issued = issue(directory, name, kind, dns=[h for h in dns if not _is_ip(h)], ips=[h for h in dns if _is_ip(h)])
        made += [p for p in (issued.certificate, issued.key, issued.keystore) if p is not None]
    return made, kept


def _paths(directory: Path, name: str, kind: Kind) -> Issued:
    keystore = directory / f"{name}.keystore.pem" if kind is Kind.BROKER else None
    return Issued(name, directory / f"{name}.pem", directory / f"{name}.key", keystore)


def _load_ca(directory: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    ca_file, key_file = directory / "ca.pem", directory / "ca.key"
    try:
        certificate = x509.load_pem_x509_certificate(ca_file.read_bytes())
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    except OSError as exc:
        raise ConfigurationError(f"no usable CA in {directory}: {exc.strerror} ({exc.filename}); "
                                 "make one with `lapor-hub certs ca DIR`") from None
    except ValueError as exc:
        raise ConfigurationError(f"the CA in {directory} cannot be read ({exc}); "
                                 "ca.pem must be a PEM certificate and ca.key its unencrypted key") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.public_key() != certificate.public_key():
        raise ConfigurationError(f"{key_file} is not the key of {ca_file}")
    return certificate, key


def _alt_names(dns: Iterable[str], ips: Iterable[str]) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = [x509.DNSName(host) for host in dns]
    for address in ips:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(address)))
        except ValueError:
            raise ConfigurationError(f"{address!r} is not an IP address") from None
    return names


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _write_private(path: Path, data: bytes) -> None:
    """Written with mode 0600 from the start: a key is never readable by others, even briefly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
    path.chmod(0o600)
