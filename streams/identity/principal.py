"""Who is calling: a role, the agency it acts for, and where that was vouched for.

A :class:`Principal` is what every verifier returns, whatever proved it (the embedded issuer's
token, an OpenID Connect provider's token, or a channel API key), so the HTTP layer decides on
one shape. Which agency a role must name is checked here, once, against the agency directory:

======================  ===========================================================
role                    agency
======================  ===========================================================
``agency-officer``      required: the agency whose complaints the officer works
``agency-admin``        required: the agency it administers
``supervisor``          required: the agency whose supervision it exercises; it
                        supervises every agency whose supervision chain names it
                        (province ``18`` over its regencies ``18.xx``, an
                        agency's own Inspektorat over that agency, ``KEMENDAGRI``
                        over every region)
``national-admin``      ``KEMENPANRB`` (filled in when absent; any other refused)
``oversight``           ``ORI``, Ombudsman RI (filled in when absent; any other refused)
``operator``            none (one given is refused: operators watch the whole hub)
``channel``             optional (an agency's own application); the principal must
                        name its channel id, e.g. ``open311-pringsewu``
``connector``           required: the agency whose connector (a program, by API key)
                        fetches the reporter's identity of the complaints it holds
======================  ===========================================================
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from lapor_hub.streams.directory import NATIONAL_ADMIN, OMBUDSMAN, Directory
from lapor_hub.streams.identity.errors import AuthFailure, RoleAssignmentError

__all__ = ["Role", "Principal", "assign_agency", "supervises"]


class Role(str, enum.Enum):
    AGENCY_OFFICER = "agency-officer"
    AGENCY_ADMIN = "agency-admin"
    SUPERVISOR = "supervisor"
    NATIONAL_ADMIN = "national-admin"
    OVERSIGHT = "oversight"
    OPERATOR = "operator"
    CHANNEL = "channel"
    CONNECTOR = "connector"

    @classmethod
    def parse(cls, value: object) -> Role:
        """The role named ``value``; :class:`RoleAssignmentError` (unknown role) otherwise."""
        try:
            return cls(value)
        except ValueError:
            shown = repr(value)[:40]
            raise RoleAssignmentError(
                AuthFailure.UNKNOWN_ROLE,
                f"unknown role {shown}: use one of {', '.join(r.value for r in cls)}",
            ) from None


_NEEDS_AGENCY = {Role.AGENCY_OFFICER, Role.AGENCY_ADMIN, Role.SUPERVISOR, Role.CONNECTOR}
_FIXED_AGENCY = {Role.NATIONAL_ADMIN: NATIONAL_ADMIN, Role.OVERSIGHT: OMBUDSMAN}
#: Roles that read beyond their own agency, along the directory's supervision chains.
_SUPERVISING = {Role.SUPERVISOR, Role.NATIONAL_ADMIN, Role.OVERSIGHT}


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller. Build it through a verifier, which has checked the agency."""

    #: Who: the account's user name, the provider's ``sub``, or the channel id for API keys.
    subject: str
    role: Role
    #: The agency code the role acts for (see the module table), or None.
    agency: str | None
    #: Who vouched: the embedded issuer's name or the OIDC provider's ``iss``.
    issuer: str
    #: The token's ``jti`` or the API key's id, for audit and revocation; None when absent.
    token_id: str | None
    #: When the credential stops being valid; None for API keys (valid until revoked).
    expires_at: datetime | None
    #: For the ``channel`` role: the channel id the complaints are submitted through.
    channel: str | None = None

    def __post_init__(self) -> None:
        if self.role in _NEEDS_AGENCY and not self.agency:
            raise RoleAssignmentError(AuthFailure.ROLE_NEEDS_AGENCY, f"role {self.role.value} needs an agency")
        if self.role is Role.CHANNEL and not self.channel:
            raise RoleAssignmentError(AuthFailure.ROLE_NEEDS_CHANNEL, "role channel needs a channel id")


def assign_agency(role: Role, agency: str | None, directory: Directory) -> str | None:
    """The agency ``role`` acts for, given the ``agency`` a token or account names.

    Raises :class:`RoleAssignmentError` with the reason when the pair is not allowed (see the
    module table); an agency code must exist in ``directory``.
    """
    agency = agency or None
    fixed = _FIXED_AGENCY.get(role)
    if fixed is not None:
        if agency not in (None, fixed):
            raise RoleAssignmentError(
                AuthFailure.WRONG_AGENCY, f"role {role.value} belongs to {fixed}, not {agency!r}"[:160]
            )
        return fixed
    if role is Role.OPERATOR:
        if agency is not None:
            raise RoleAssignmentError(
                AuthFailure.WRONG_AGENCY, "role operator takes no agency: operators watch the whole hub"
            )
        return None
    if agency is None:
        if role in _NEEDS_AGENCY:
            raise RoleAssignmentError(
                AuthFailure.ROLE_NEEDS_AGENCY,
                f"role {role.value} needs an agency code such as '18.10' or 'KEMENKES'",
            )
        return None
    if agency not in directory:
        raise RoleAssignmentError(
            AuthFailure.UNKNOWN_AGENCY,
            f"unknown agency {agency[:40]!r}: use a code from `lapor-hub directory list`",
        )
    return agency


def supervises(principal: Principal, agency_code: str, directory: Directory) -> bool:
    """True when ``principal`` may watch ``agency_code`` as a supervisor.

    The directory's supervision chains decide: a ``supervisor`` of province ``18`` supervises
    ``18`` and every ``18.xx``; ``KEMENDAGRI`` every region. ``national-admin`` (KEMENPANRB) and
    ``oversight`` (ORI) end every chain, so they supervise every agency, derived the same way.
    Other roles supervise nothing (an officer works its own agency, which is another question);
    an unknown agency code is supervised by no one.
    """
    if principal.role not in _SUPERVISING or principal.agency is None or agency_code not in directory:
        return False
    chain = directory.get(agency_code).supervision_chain
    return any(step.code == principal.agency for step in chain)
