"""The brokers' side of a secure cluster: every listener on TLS, nothing granted by default.

One set of properties, used by the local test broker (:class:`~lapor_hub.streams.broker.local.LocalBroker`
with ``tls=``) and written as environment variables in ``docker/docker-compose.yml``
(``tests/docker`` checks that the two agree):

- ``CLIENT`` (SASL_SSL): the hub, the agencies' connectors and the tools. A client shows a
  certificate signed by the cluster's CA *and* signs in with SASL/SCRAM; the SCRAM user is its
  principal, so a stolen password without a certificate, or a certificate without a password,
  gets nothing.
- ``INTERNAL`` (SSL, mutual): between the brokers, and the cluster admin's deploy step.
- ``CONTROLLER`` (SSL, mutual): the KRaft quorum.

On ``INTERNAL`` and ``CONTROLLER`` the certificate is the identity: only the unit
``OU=lapor-cluster`` is admitted (any other certificate, an agency's included, fails to
authenticate), as ``User:cluster.<CN>``. Those principals are the only super users, and no
SASL/SCRAM user can take such a name (``lapor-hub access`` refuses it), so the super users can
only be reached with a cluster certificate. ``StandardAuthorizer`` denies whatever no ACL allows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["NodeTls", "ORGANIZATION", "CLUSTER_UNIT", "CLIENT_UNIT", "CLUSTER_PRINCIPAL_PREFIX",
           "SCRAM_MECHANISM", "LISTENERS", "cluster_principal", "secure_node_properties"]

#: The certificates' organization and units (``lapor-hub certs`` issues them so).
ORGANIZATION = "LAPOR Hub"
CLUSTER_UNIT = "lapor-cluster"
CLIENT_UNIT = "lapor-clients"
#: A cluster certificate's principal is ``User:cluster.<CN>``.
CLUSTER_PRINCIPAL_PREFIX = "cluster."
SCRAM_MECHANISM = "SCRAM-SHA-256"
#: Listener name -> security protocol.
LISTENERS = {"CLIENT": "SASL_SSL", "INTERNAL": "SSL", "CONTROLLER": "SSL"}

# Java writes a certificate's subject as RFC 2253, the most specific part first:
# "CN=kafka-1,OU=lapor-cluster,O=LAPOR Hub". No DEFAULT rule: a subject that does not match
# is refused, not mapped to its full name.
_PRINCIPAL_RULE = f"RULE:^CN=([a-z0-9.-]+),OU={CLUSTER_UNIT}(,.*)?$/{CLUSTER_PRINCIPAL_PREFIX}$1/"
_SCRAM_LOGIN = "org.apache.kafka.common.security.scram.ScramLoginModule required;"


@dataclass(frozen=True)
class NodeTls:
    """A node's TLS material as files the broker reads itself (PEM)."""

    #: The CA that signs the nodes' and the clients' certificates.
    ca_file: Path
    #: The node's private key (PKCS#8, unencrypted) followed by its certificate.
    keystore_file: Path


def cluster_principal(common_name: str) -> str:
    """The principal a cluster certificate (``OU=lapor-cluster``) authenticates as."""
    return f"User:{CLUSTER_PRINCIPAL_PREFIX}{common_name}"


def secure_node_properties(*, bind_host: str, advertised_host: str, client_port: int, internal_port: int,
                           controller_port: int, tls: NodeTls, super_users: Sequence[str]) -> dict[str, str]:
    """The security part of one node's ``server.properties``; ``super_users`` are the common
    names of the nodes and of the cluster admin."""
    mechanism = SCRAM_MECHANISM.lower()
    return {
        "listeners": f"CLIENT://{bind_host}:{client_port},INTERNAL://{bind_host}:{internal_port},"
                     f"CONTROLLER://{bind_host}:{controller_port}",
        "advertised.listeners": f"CLIENT://{advertised_host}:{client_port},INTERNAL://{advertised_host}:{internal_port}",
        "listener.security.protocol.map": ",".join(f"{name}:{protocol}" for name, protocol in LISTENERS.items()),
        "inter.broker.listener.name": "INTERNAL",
        "controller.listener.names": "CONTROLLER",
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": str(tls.keystore_file),
        "ssl.truststore.type": "PEM",
        "ssl.truststore.location": str(tls.ca_file),
        "ssl.client.auth": "required",
        # KIP-684: on a SASL_SSL listener a client certificate is asked for only when the
        # listener says so itself.
        "listener.name.client.ssl.client.auth": "required",
        "ssl.endpoint.identification.algorithm": "https",
        "ssl.principal.mapping.rules": _PRINCIPAL_RULE,
        "sasl.enabled.mechanisms": SCRAM_MECHANISM,
        f"listener.name.client.{mechanism}.sasl.jaas.config": _SCRAM_LOGIN,
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "allow.everyone.if.no.acl.found": "false",
        "super.users": ";".join(cluster_principal(name) for name in super_users),
    }
