"""Who may do what on the cluster, as pure lists that can be reviewed and tested.

In the spirit of X-Road: every member authenticated, access granted per service, nothing granted
by default. An agency's connector may read its own inbox, write its own outbox, submit
complaints to ``complaints.intake`` and report on ``connectors.health`` and
``complaints.deadletter``; nothing else. Because only the agency can write its outbox, the hub
takes the outbox topic as the sender of every update on it. The hub's own principal gets what
its flows use, and no more: it cannot create or delete the shared topics, change ACLs or
credentials, or write an agency's outbox.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.broker.security import CLUSTER_PRINCIPAL_PREFIX
from lapor_hub.streams.core import topics

__all__ = ["Permission", "agency_permissions", "hub_permissions", "check_principal", "CONNECTOR_GROUP_PREFIX"]

#: Connectors' consumer groups are ``lapor-connect.<connector id>``.
CONNECTOR_GROUP_PREFIX = "lapor-connect."


@dataclass(frozen=True, order=True)
class Permission:
    principal: str
    resource_type: str  # "topic", "group" or "cluster"
    resource: str
    operation: str  # "read", "write", "describe", "create", "describe_configs"
    prefixed: bool = False


def check_principal(principal: str) -> None:
    """A plain SASL user name that cannot pass for a broker or the cluster admin."""
    if not principal or any(c in principal for c in " :;,=") or not principal.isprintable():
        raise ConfigurationError(f"principal {principal!r}: use a plain user name such as 'connect-pringsewu'")
    if principal.startswith(CLUSTER_PRINCIPAL_PREFIX):
        raise ConfigurationError(f"principal {principal!r}: names starting with {CLUSTER_PRINCIPAL_PREFIX!r} are the "
                                 "brokers' and the cluster admin's, who sign in with a certificate; pick another name")


def agency_permissions(agency_code: str, principal: str) -> list[Permission]:
    """Everything one agency's connector principal may do."""
    user = f"User:{principal}"
    granted = [
        *_topic(user, topics.inbox(agency_code), "read", "describe"),
        *_topic(user, topics.outbox(agency_code), "write", "describe"),
        Permission(user, "group", CONNECTOR_GROUP_PREFIX, "read", prefixed=True),
    ]
    for shared in (topics.INTAKE, topics.CONNECTOR_HEALTH, topics.DEADLETTER):
        granted += _topic(user, shared, "write", "describe")
    return granted


def hub_permissions(principal: str, app_id: str, agency_codes: Iterable[str]) -> list[Permission]:
    """Everything the hub's workers do, flow by flow (``app_id`` is ``LAPOR_APP_ID``)."""
    user = f"User:{principal}"
    granted = [
        # The HTTP API submits; the lifecycle reads submissions and commands, writes commands
        # (re-keyed submissions, the SLA timer) and the events; the projector reads the events.
        *_topic(user, topics.INTAKE, "read", "write", "describe"),
        *_topic(user, topics.COMMANDS, "read", "write", "describe"),
        *_topic(user, topics.EVENTS, "read", "write", "describe"),
        *_topic(user, topics.ESCALATIONS, "write", "describe"),
        # Every agent dead-letters; the health feed counts the dead letters and reads heartbeats.
        *_topic(user, topics.DEADLETTER, "read", "write", "describe"),
        *_topic(user, topics.CONNECTOR_HEALTH, "read", "describe"),
        # Idempotency-Key claims and the audit trail: written by the API, read by every worker.
        *_topic(user, topics.IDEMPOTENCY, "read", "write", "describe"),
        *_topic(user, topics.AUDIT, "read", "write", "describe"),
        # The key store of reporters' data keys: every worker seals, opens and erases.
        *_topic(user, topics.DATA_KEYS, "read", "write", "describe"),
        # The signed heads of the events' hash chain: the lifecycle signs, `audit verify` reads.
        *_topic(user, topics.HEADS, "read", "write", "describe"),
    ]
    for code in agency_codes:  # deliveries to each inbox; the outbox relay reads each outbox
        granted += _topic(user, topics.inbox(code), "write", "describe")
        granted += _topic(user, topics.outbox(code), "read", "describe")
    # Faust's own topics (the tables' changelogs, the assignor's leader topic), made at start.
    granted += [Permission(user, "topic", f"{app_id}-", op, prefixed=True)
                for op in ("create", "read", "write", "describe", "describe_configs")]
    # The agents', the outbox relay's and the projectors' consumer groups: <app id>[.outbox|.readmodel...].
    granted += [Permission(user, "group", app_id, op, prefixed=True) for op in ("read", "describe")]
    # Stream health reads the connectors' committed offsets to show their lag.
    granted.append(Permission(user, "group", CONNECTOR_GROUP_PREFIX, "describe", prefixed=True))
    return granted


def _topic(user: str, name: str, *operations: str) -> list[Permission]:
    return [Permission(user, "topic", name, op) for op in operations]
