"""A broker secured as production is, for the tests: its certificates, its principals, and the
client options and environments to reach it as each of them."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from lapor_hub.streams.broker import LocalBroker, free_port
from lapor_hub.streams.broker.local import LocalTls
from lapor_hub.streams.broker.security import NodeTls
from lapor_hub.streams.core.broker_security import BrokerCredentials, BrokerTls, security_options
from lapor_hub.streams.ops.certs import Kind, create_ca, issue

__all__ = ["SecureCluster", "start_secure_cluster", "run_cli", "HOST", "PRINGSEWU", "KEMENKES"]

#: The only name in the broker's certificate: a client that connects by 127.0.0.1 must refuse it.
HOST = "localhost"
PRINGSEWU, KEMENKES = "18.10", "KEMENKES"
#: principal -> the agency its connector serves (None: the hub).
MEMBERS = {"lapor-hub": None, "connect-pringsewu": PRINGSEWU, "connect-kemenkes": KEMENKES}


@dataclass
class SecureCluster:
    broker: LocalBroker
    pki: Path
    #: Another CA, which the cluster does not trust, with a client certificate of its own.
    foreign_pki: Path
    plan: Path
    passwords: dict[str, str] = field(repr=False)

    @property
    def bootstrap(self) -> str:
        return self.broker.bootstrap

    @property
    def internal(self) -> str:
        return f"{HOST}:{self.broker.internal_port}"

    def tls(self, name: str | None = None, *, pki: Path | None = None, ca: Path | None = None) -> BrokerTls:
        """TLS trusting the cluster's CA, with ``name``'s certificate (from ``pki``) when given."""
        folder = pki or self.pki
        cert = (folder / f"{name}.pem").read_text() if name else None
        key = (folder / f"{name}.key").read_text() if name else None
        return BrokerTls(ca=(ca or self.pki / "ca.pem").read_text(), cert=cert, key=key)

    def options(self, principal: str, *, password: str | None = None, cert: str | None = "same",
                bootstrap: str | None = None) -> dict:
        """kafka-python options of ``principal`` on the client listener: its password and its
        certificate, unless the test says otherwise (``cert=None``: no certificate)."""
        credentials = BrokerCredentials(principal, password or self.passwords[principal])
        tls = self.tls(principal if cert == "same" else cert)
        return {"bootstrap_servers": [bootstrap or self.bootstrap], **security_options(credentials, tls)}

    def env_as(self, principal: str) -> dict[str, str]:
        """The ``LAPOR_*`` settings of a hub (or a tool) signing in as ``principal``."""
        return {"LAPOR_BROKER": self.bootstrap, "LAPOR_BROKER_USERNAME": principal,
                "LAPOR_BROKER_PASSWORD_FILE": str(self.pki / f"{principal}.password"),
                "LAPOR_BROKER_CA_FILE": str(self.pki / "ca.pem"),
                "LAPOR_BROKER_CERT_FILE": str(self.pki / f"{principal}.pem"),
                "LAPOR_BROKER_KEY_FILE": str(self.pki / f"{principal}.key")}

    def admin_env(self) -> dict[str, str]:
        """The deploy step's settings: the cluster admin, by certificate, on the internal listener."""
        return {"LAPOR_BROKER": self.internal, "LAPOR_BROKER_CA_FILE": str(self.pki / "ca.pem"),
                "LAPOR_BROKER_CERT_FILE": str(self.pki / "lapor-admin.pem"),
                "LAPOR_BROKER_KEY_FILE": str(self.pki / "lapor-admin.key")}


def start_secure_cluster(home: Path, cache_dir: Path) -> SecureCluster:
    """Certificates made with ``lapor_hub.streams.ops.certs``, the broker started with TLS, SCRAM
    and the authorizer, and the access plan written; nothing deployed yet."""
    pki, foreign = home / "pki", home / "foreign-pki"
    create_ca(pki)
    node = issue(pki, "kafka-1", Kind.BROKER, dns=[HOST])
    assert node.keystore is not None
    issue(pki, "lapor-admin", Kind.ADMIN)
    passwords = {}
    for principal in MEMBERS:
        issue(pki, principal, Kind.CLIENT)
        passwords[principal] = secrets.token_urlsafe(18)
        (pki / f"{principal}.password").write_text(passwords[principal] + "\n")
    create_ca(foreign, common_name="Not the cluster's CA")
    issue(foreign, "lapor-admin", Kind.ADMIN)
    issue(foreign, "connect-pringsewu", Kind.CLIENT)
    plan = home / "access.yaml"
    plan.write_text(
        "hub:\n  principal: lapor-hub\n  password_file: pki/lapor-hub.password\nagencies:\n"
        + "".join(f"  - agency: \"{agency}\"\n    principal: {principal}\n    password_file: pki/{principal}.password\n"
                  for principal, agency in MEMBERS.items() if agency))
    admin = BrokerTls(ca=(pki / "ca.pem").read_text(), cert=(pki / "lapor-admin.pem").read_text(),
                      key=(pki / "lapor-admin.key").read_text())
    broker = LocalBroker(home / "kafka", port=free_port(), controller_port=free_port(), internal_port=free_port(),
                         cache_dir=cache_dir,
                         tls=LocalTls(NodeTls(pki / "ca.pem", node.keystore), admin, HOST, ("kafka-1", "lapor-admin")))
    broker.start()
    return SecureCluster(broker, pki, foreign, plan, passwords)


def run_cli(env: dict[str, str], *args: str, script: str = "lapor_hub.streams.cli",
            timeout: float = 180) -> subprocess.CompletedProcess:
    """A command through its real entry point, with only the given ``LAPOR_*`` settings."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LAPOR_")}
    return subprocess.run([sys.executable, "-m", script, *args], env={**clean, **env}, capture_output=True,
                          text=True, timeout=timeout, check=False)
