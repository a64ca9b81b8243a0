"""What a member of staff may see of a complaint: the privacy rules applied to a case file.

- *anonim*: the reporter's identity and the attachments (a photo once identified a reporter)
  are never shown to an agency, a supervisor or oversight; the national admin sees them only
  while verifying, i.e. while the complaint is in triage or on hold.
- Otherwise the identity goes to the agency holding the complaint (it answers the reporter) and
  to the national admin; supervisors and oversight see the case, not the person.
- *rahasia* (confidential) content is for staff: it is hidden from the public view only.

The read model keeps the identity sealed; it is opened here, with the key store, only for a
reader these rules entitle, and only then. Every opening is a disclosure: the handler marks the
call so that its audit entry says ``identity_disclosed`` (who, when, which complaint), and a
disclosure that cannot be audited is not made (see :func:`~lapor_hub.streams.web.endpoints.dispatch`).
An erased identity is shown as erased; a key store that cannot open it is a 503 that says why.
"""

from __future__ import annotations

from typing import Any

from lapor_hub.streams.identity import Principal, Role
from lapor_hub.streams.privacy import IdentityErased, IdentityUnavailable, IdentityVault
from lapor_hub.streams.privacy.sealing import Identity
from lapor_hub.streams.web.responses import ApiError

__all__ = ["disclosed_case_file", "may_see_identity", "open_identity", "DISCLOSED"]

#: What the audit entry of a call that opened an identity appends to its action.
DISCLOSED = "identity_disclosed"
_VERIFYING = ("triage", "on_hold")


def may_see_identity(principal: Principal, case: dict) -> bool:
    anonymous = case["privacy"] == "ANONYMOUS"
    if principal.role is Role.NATIONAL_ADMIN:
        return not anonymous or case["status"] in _VERIFYING
    if principal.role in (Role.AGENCY_OFFICER, Role.AGENCY_ADMIN, Role.CONNECTOR):
        return not anonymous and case["agency"] == principal.agency
    return False


def open_identity(vault: IdentityVault, case: dict) -> tuple[Identity | None, str | None]:
    """(the identity, None), or (None, when it was erased); ApiError 503 when the key store cannot open it."""
    sealed = case.get("identity")
    if sealed is None:
        return None, None
    try:
        return vault.open(sealed, case["tracking_id"]), None
    except IdentityErased as exc:
        return None, exc.erasure_at_iso
    except IdentityUnavailable as exc:
        retry = max(1, round(exc.retry_after or 2))
        raise ApiError(503, exc.code, str(exc), headers={"Retry-After": str(retry)}, retry_after=retry) from exc


def disclosed_case_file(principal: Principal, case: dict, vault: IdentityVault) -> tuple[dict, bool]:
    """(the case file as ``principal`` may see it, whether an identity was opened for it); ``case`` is not changed."""
    shown: dict[str, Any] = {k: v for k, v in case.items() if k != "identity"}
    entitled = may_see_identity(principal, case)
    identity, erased_at = open_identity(vault, case) if entitled else (None, None)
    shown["identity_shown"] = identity is not None
    shown["identity_erased_at"] = erased_at
    shown["reporter"] = identity.reporter if identity is not None else None
    if identity is not None and identity.location:
        shown["location"] = {**(case["location"] or {}), **identity.location}
    if not entitled and case["privacy"] == "ANONYMOUS":
        shown["attachments"] = []
        location = dict(case["location"] or {})
        shown["location"] = {"region_code": location.get("region_code"), "address": None, "lat": None, "lon": None}
    return shown, identity is not None
