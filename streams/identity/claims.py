"""From a verified token's claims to a :class:`~lapor_hub.streams.identity.principal.Principal`.

The claim names come from a :class:`~lapor_hub.streams.core.identity_settings.ClaimMapping`. The embedded
issuer writes the defaults (``lapor_role``, ``lapor_agency``); an OpenID Connect provider is
configured to send the same, or the hub is told where to look:

- ``LAPOR_OIDC_ROLE_CLAIM`` (default ``lapor_role``): one string naming a hub role, or a list
  of which exactly one names a hub role. Keycloak, either way: a user attribute ``lapor_role``
  with a "User Attribute" mapper to the claim ``lapor_role``; or realm roles named like the hub's
  roles and ``LAPOR_OIDC_ROLE_CLAIM=realm_access.roles`` (Keycloak's own roles such as
  ``offline_access`` are ignored; a user holding two hub roles is refused, not guessed at).
- ``LAPOR_OIDC_AGENCY_CLAIM`` (default ``lapor_agency``): the agency code, e.g. ``18.10``
  (Keycloak: a user attribute ``lapor_agency`` and a "User Attribute" mapper).
- ``LAPOR_OIDC_CHANNEL_CLAIM`` (default ``lapor_channel``): a channel's id; when absent the
  token's ``azp`` (the client id of a client-credentials application) stands for it.
- ``sub`` is the subject, ``jti`` the token id, ``exp`` the expiry, ``iss`` the issuer.

Whether the role may have that agency is decided by
:func:`~lapor_hub.streams.identity.principal.assign_agency` against the directory; a refusal carries
the reason (``role_needs_agency``, ``unknown_agency``, ``wrong_agency``, ``unknown_role``,
``ambiguous_role``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone

from lapor_hub.streams.core.identity_settings import ClaimMapping
from lapor_hub.streams.directory import Directory
from lapor_hub.streams.identity.errors import (
    AuthenticationError,
    AuthFailure,
    RoleAssignmentError,
)
from lapor_hub.streams.identity.principal import Principal, Role, assign_agency

__all__ = ["claim", "principal_from_claims"]

_ROLE_VALUES = {role.value for role in Role}


def claim(claims: Mapping, name: str) -> object:
    """The claim ``name``: a top-level claim of that exact name, else a dotted path, else None."""
    if name in claims:
        return claims[name]
    value: object = claims
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def principal_from_claims(claims: Mapping, mapping: ClaimMapping, directory: Directory) -> Principal:
    """The principal a verified token names; :class:`AuthenticationError` saying why when none."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise AuthenticationError(AuthFailure.MISSING_CLAIM, "the token has no 'sub' claim")
    try:
        role = _role(claim(claims, mapping.role_claim), mapping.role_claim)
        agency_named = _one_string(claim(claims, mapping.agency_claim), mapping.agency_claim,
                                   AuthFailure.UNKNOWN_AGENCY)
        agency = assign_agency(role, agency_named, directory)
        channel = None
        if role is Role.CHANNEL:
            channel = _one_string(claim(claims, mapping.channel_claim), mapping.channel_claim,
                                  AuthFailure.ROLE_NEEDS_CHANNEL) or claims.get("azp")
        jti = claims.get("jti")
        return Principal(
            subject=subject,
            role=role,
            agency=agency,
            issuer=claims["iss"],
            token_id=jti if isinstance(jti, str) else None,
            expires_at=datetime.fromtimestamp(claims["exp"], tz=timezone.utc),
            channel=channel if isinstance(channel, str) and channel else None,
        )
    except RoleAssignmentError as exc:
        raise AuthenticationError(exc.failure, str(exc)) from None


def _role(value: object, name: str) -> Role:
    if value is None:
        raise AuthenticationError(AuthFailure.MISSING_CLAIM, f"the token has no {name!r} claim naming a hub role")
    if isinstance(value, list):
        named = sorted({v for v in value if isinstance(v, str) and v in _ROLE_VALUES})
        if len(named) > 1:
            raise AuthenticationError(
                AuthFailure.AMBIGUOUS_ROLE,
                f"the token's {name!r} names {len(named)} hub roles ({', '.join(named)}): give each account one",
            )
        if not named:
            raise AuthenticationError(AuthFailure.UNKNOWN_ROLE, f"the token's {name!r} names no hub role")
        value = named[0]
    return Role.parse(value)


def _one_string(value: object, name: str, failure: AuthFailure) -> str | None:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise AuthenticationError(failure, f"the token's {name!r} claim must be one string")
    return value
