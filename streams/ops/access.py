"""Per-agency access to the broker, in the spirit of X-Road: every member authenticated,
access granted per service, nothing granted by default.

An agency's connector gets its own Kafka principal (SASL/SCRAM), allowed to read its own
inbox, write its own outbox, submit complaints to ``complaints.intake``, and report on
``connectors.health`` and ``complaints.deadletter``; nothing else. Because only the agency can
write its outbox, the hub takes the outbox topic as the sender of every update on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from kafka.admin import (
    ACL,
    ACLFilter,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    ResourcePattern,
    ResourcePatternFilter,
    ResourceType,
    ScramMechanism,
    UserScramCredentialUpsertion,
)
from kafka.errors import KafkaError

from lapor_hub.errors import ConfigurationError, RetriableError
from lapor_hub.streams.core import topics
from lapor_hub.streams.core.admin import admin_client
from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.directory import Directory

__all__ = ["Permission", "agency_permissions", "grant_agency", "revoke_agency", "list_permissions",
           "CONNECTOR_GROUP_PREFIX"]

#: Connectors' consumer groups are ``lapor-connect.<connector id>``.
CONNECTOR_GROUP_PREFIX = "lapor-connect."
_SCRAM_ITERATIONS = 8192


@dataclass(frozen=True, order=True)
class Permission:
    principal: str
    resource_type: str  # "topic" or "group"
    resource: str
    operation: str  # "read", "write", "describe"
    prefixed: bool = False


def agency_permissions(agency_code: str, principal: str) -> list[Permission]:
    """Everything one agency's connector principal may do; pure, so it can be reviewed."""
    user = f"User:{principal}"
    granted = [
        Permission(user, "topic", topics.inbox(agency_code), "read"),
        Permission(user, "topic", topics.inbox(agency_code), "describe"),
        Permission(user, "topic", topics.outbox(agency_code), "write"),
        Permission(user, "topic", topics.outbox(agency_code), "describe"),
        Permission(user, "group", CONNECTOR_GROUP_PREFIX, "read", prefixed=True),
    ]
    for shared in (topics.INTAKE, topics.CONNECTOR_HEALTH, topics.DEADLETTER):
        granted += [Permission(user, "topic", shared, "write"), Permission(user, "topic", shared, "describe")]
    return granted


def _acl(permission: Permission) -> ACL:
    pattern = ResourcePattern(
        ResourceType.TOPIC if permission.resource_type == "topic" else ResourceType.GROUP,
        permission.resource,
        ACLResourcePatternType.PREFIXED if permission.prefixed else ACLResourcePatternType.LITERAL,
    )
    return ACL(permission.principal, "*", ACLOperation[permission.operation.upper()], ACLPermissionType.ALLOW,
               pattern)


def _check(agency_code: str, principal: str, directory: Directory) -> None:
    directory.get(agency_code)  # UnknownAgencyError says what to use instead
    if not principal or any(c in principal for c in " :;,"):
        raise ConfigurationError(f"principal {principal!r}: use a plain user name such as 'lapor-connect-18.10'")


def grant_agency(settings: HubSettings, directory: Directory, agency_code: str, principal: str,
                 password: str) -> list[Permission]:
    """Create (or reset) the principal's SCRAM credential and grant its agency's permissions."""
    _check(agency_code, principal, directory)
    if len(password) < 12:
        raise ConfigurationError("the agency's password must have at least 12 characters")
    permissions = agency_permissions(agency_code, principal)
    admin = admin_client(settings)
    try:
        admin.alter_user_scram_credentials([UserScramCredentialUpsertion(
            principal, ScramMechanism.SCRAM_SHA_256, password, iterations=_SCRAM_ITERATIONS)])
        admin.create_acls([_acl(p) for p in permissions])
    except KafkaError as exc:
        raise RetriableError(f"granting access failed: {type(exc).__name__}; is LAPOR_BROKER_USERNAME the "
                             "broker's admin?") from exc
    finally:
        admin.close()
    return permissions


def revoke_agency(settings: HubSettings, directory: Directory, agency_code: str, principal: str) -> None:
    """Remove every permission the principal holds for its agency (the credential stays)."""
    _check(agency_code, principal, directory)
    admin = admin_client(settings)
    try:
        admin.delete_acls([_filter(p) for p in agency_permissions(agency_code, principal)])
    except KafkaError as exc:
        raise RetriableError(f"revoking access failed: {type(exc).__name__}") from exc
    finally:
        admin.close()


def _filter(permission: Permission) -> ACLFilter:
    acl = _acl(permission)
    return ACLFilter(acl.principal, acl.host, acl.operation, acl.permission_type,
                     ResourcePatternFilter(acl.resource_pattern.resource_type, acl.resource_pattern.resource_name,
                                           acl.resource_pattern.pattern_type))


def list_permissions(settings: HubSettings) -> list[Permission]:
    admin = admin_client(settings)
    try:
        acls, _ = admin.describe_acls(ACLFilter(None, None, ACLOperation.ANY, ACLPermissionType.ANY,
                                                ResourcePatternFilter(ResourceType.ANY, None,
                                                                      ACLResourcePatternType.ANY)))
    except KafkaError as exc:
        raise RetriableError(f"listing access failed: {type(exc).__name__}") from exc
    finally:
        admin.close()
    return sorted(
        Permission(acl.principal, acl.resource_pattern.resource_type.name.lower(),
                   acl.resource_pattern.resource_name, acl.operation.name.lower(),
                   acl.resource_pattern.pattern_type is ACLResourcePatternType.PREFIXED)
        for acl in acls
    )
