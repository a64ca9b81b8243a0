"""Credentials and ACLs on the brokers, through the cluster admin (kafka-python's admin client).

Every call runs as whoever ``LAPOR_BROKER_*`` names; on the production cluster that is the
cluster admin on the internal listener, by certificate (see README, Production). Each answer of
the broker is checked: a credential or an ACL the broker refused is an error, never a silent
half-grant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kafka import KafkaAdminClient
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
from kafka.errors import AuthorizationError, KafkaError

from lapor_hub.errors import ConfigurationError, RetriableError
from lapor_hub.streams.core.admin import admin_client
from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.directory import Directory
from lapor_hub.streams.ops.access.permissions import Permission, agency_permissions, check_principal
from lapor_hub.streams.ops.access.plan import AccessPlan

__all__ = ["grant_agency", "revoke_agency", "list_permissions", "apply_plan", "Applied", "MIN_PASSWORD_LENGTH"]

MIN_PASSWORD_LENGTH = 12
_SCRAM_ITERATIONS = 8192
#: ACLs per request: one request for thousands makes the controller's answer slow to come.
_BATCH = 500
_RESOURCE_TYPES = {"topic": ResourceType.TOPIC, "group": ResourceType.GROUP, "cluster": ResourceType.CLUSTER}


@dataclass(frozen=True)
class Applied:
    """What :func:`apply_plan` changed."""

    principals: tuple[str, ...]
    added: tuple[Permission, ...]
    removed: tuple[Permission, ...]
    unchanged: int
    #: Principals holding ACLs that the plan does not name: left as they are, for an operator to look at.
    unmanaged: tuple[str, ...]


def grant_agency(settings: HubSettings, directory: Directory, agency_code: str, principal: str,
                 password: str) -> list[Permission]:
    """Create (or reset) the principal's SCRAM credential and grant its agency's permissions."""
    directory.get(agency_code)  # UnknownAgencyError says what to use instead
    check_principal(principal)
    _check_password(principal, password)
    permissions = agency_permissions(agency_code, principal)
    with _admin(settings, "granting access") as admin:
        _current(admin)  # first: a principal that may not manage access changes nothing
        _upsert_credentials(admin, {principal: password})
        _create(admin, permissions)
    return permissions


def revoke_agency(settings: HubSettings, directory: Directory, agency_code: str, principal: str) -> None:
    """Remove every permission the principal holds for its agency (the credential stays)."""
    directory.get(agency_code)
    check_principal(principal)
    with _admin(settings, "revoking access") as admin:
        _delete(admin, agency_permissions(agency_code, principal))


def list_permissions(settings: HubSettings) -> list[Permission]:
    with _admin(settings, "listing access") as admin:
        return _current(admin)


def apply_plan(settings: HubSettings, plan: AccessPlan, directory: Directory) -> Applied:
    """Make the cluster match the plan, idempotently: set each principal's SCRAM credential,
    add the ACLs it lacks and remove those it holds beyond the plan. Principals the plan does
    not name are reported, not touched."""
    wanted = plan.permissions(settings.app_id, directory)
    for principal, password in plan.passwords().items():
        _check_password(principal, password)
    managed = {f"User:{name}" for name in plan.principals()}
    with _admin(settings, "applying the access plan") as admin:
        current = _current(admin)  # first: a principal that may not manage access changes nothing
        _upsert_credentials(admin, plan.passwords())
        held = {p for p in current if p.principal in managed}
        added = sorted(set(wanted) - held)
        removed = sorted(held - set(wanted))
        _create(admin, added)
        _delete(admin, removed)
    unmanaged = sorted({p.principal for p in current} - managed)
    return Applied(tuple(plan.principals()), tuple(added), tuple(removed), len(held & set(wanted)), tuple(unmanaged))


class _admin:
    """The admin client for one task; kafka-python's errors become what the caller should do."""

    def __init__(self, settings: HubSettings, task: str) -> None:
        self._settings, self._task = settings, task

    def __enter__(self) -> KafkaAdminClient:
        self._client = admin_client(self._settings)
        return self._client

    def __exit__(self, kind, error, traceback) -> None:
        self._client.close()
        if isinstance(error, AuthorizationError):
            raise _not_the_admin(self._task, type(error)) from error
        if isinstance(error, KafkaError):
            raise RetriableError(f"{self._task} failed: {type(error).__name__}; is LAPOR_BROKER the internal "
                                 "listener and the certificate the cluster admin's?") from error


def _not_the_admin(task: str, refusal: type) -> ConfigurationError:
    """Waiting does not help a principal the brokers do not let manage access: say who should."""
    return ConfigurationError(f"{task} was refused ({refusal.__name__}): only the cluster admin may; run it with "
                              "LAPOR_BROKER on the internal listener (:9094) and LAPOR_BROKER_CERT/KEY the admin's "
                              "certificate (lapor-admin), not a client's")


def _check_password(principal: str, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ConfigurationError(f"the password of {principal} must have at least {MIN_PASSWORD_LENGTH} characters")


def _upsert_credentials(admin: KafkaAdminClient, passwords: dict[str, str]) -> None:
    if not passwords:
        return
    answers = admin.alter_user_scram_credentials([
        UserScramCredentialUpsertion(user, ScramMechanism.SCRAM_SHA_256, password, iterations=_SCRAM_ITERATIONS)
        for user, password in passwords.items()])
    refused = {user: message for user, message in answers.items() if message}
    if refused:
        raise RetriableError(f"the broker refused the SCRAM credentials of {', '.join(sorted(refused))}: "
                             f"{'; '.join(sorted(set(refused.values())))}")


def _create(admin: KafkaAdminClient, permissions: Sequence[Permission]) -> None:
    for batch in _batches(permissions):
        failed = admin.create_acls([_acl(p) for p in batch])["failed"]
        for refusal in failed:
            if issubclass(refusal, AuthorizationError):
                raise _not_the_admin("creating ACLs", refusal)
        if failed:
            reasons = ", ".join(sorted({error.__name__ for error in failed}))
            raise RetriableError(f"the broker refused {len(failed)} of {len(batch)} ACLs: {reasons}")


def _delete(admin: KafkaAdminClient, permissions: Sequence[Permission]) -> None:
    for batch in _batches(permissions):
        for _filter, _matched, error in admin.delete_acls([_filter_of(p) for p in batch]):
            if error is not None and issubclass(error, AuthorizationError):
                raise _not_the_admin("deleting ACLs", error)
            if error is not None and error.__name__ != "NoError":
                raise RetriableError(f"the broker refused to delete an ACL: {error.__name__}")


def _current(admin: KafkaAdminClient) -> list[Permission]:
    acls, _ = admin.describe_acls(ACLFilter(None, None, ACLOperation.ANY, ACLPermissionType.ALLOW,
                                            ResourcePatternFilter(ResourceType.ANY, None,
                                                                  ACLResourcePatternType.ANY)))
    return sorted(
        Permission(acl.principal, acl.resource_pattern.resource_type.name.lower(),
                   acl.resource_pattern.resource_name, acl.operation.name.lower(),
                   acl.resource_pattern.pattern_type is ACLResourcePatternType.PREFIXED)
        for acl in acls
    )


def _acl(permission: Permission) -> ACL:
    pattern = ResourcePattern(
        _RESOURCE_TYPES[permission.resource_type], permission.resource,
        ACLResourcePatternType.PREFIXED if permission.prefixed else ACLResourcePatternType.LITERAL,
    )
    return ACL(permission.principal, "*", ACLOperation[permission.operation.upper()], ACLPermissionType.ALLOW,
               pattern)


def _filter_of(permission: Permission) -> ACLFilter:
    acl = _acl(permission)
    return ACLFilter(acl.principal, acl.host, acl.operation, acl.permission_type,
                     ResourcePatternFilter(acl.resource_pattern.resource_type, acl.resource_pattern.resource_name,
                                           acl.resource_pattern.pattern_type))


def _batches(items: Sequence[Permission]) -> Iterable[Sequence[Permission]]:
    for start in range(0, len(items), _BATCH):
        yield items[start:start + _BATCH]
