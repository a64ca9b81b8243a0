"""What a member of staff may see of a complaint: the privacy rules applied to a case file.

- *anonim*: the reporter's identity and the attachments (a photo once identified a reporter)
  are never shown to an agency, a supervisor or oversight; the national admin sees them only
  while verifying, i.e. while the complaint is in triage or on hold.
- Otherwise the identity goes to the agency holding the complaint (it answers the reporter) and
  to the national admin; supervisors and oversight see the case, not the person.
- *rahasia* (confidential) content is for staff: it is hidden from the public view only.
"""

from __future__ import annotations

from lapor_hub.streams.identity import Principal, Role

__all__ = ["redacted_case_file", "may_see_identity"]

_VERIFYING = ("triage", "on_hold")


def may_see_identity(principal: Principal, case: dict) -> bool:
    anonymous = case["privacy"] == "ANONYMOUS"
    if principal.role is Role.NATIONAL_ADMIN:
        return not anonymous or case["status"] in _VERIFYING
    if principal.role in (Role.AGENCY_OFFICER, Role.AGENCY_ADMIN):
        return not anonymous and case["agency"] == principal.agency
    return False


def redacted_case_file(principal: Principal, case: dict) -> dict:
    """The case file as ``principal`` may see it (a copy; ``case`` is not changed)."""
    shown = dict(case)
    identity = may_see_identity(principal, case)
    shown["identity_shown"] = identity
    if not identity:
        shown["reporter"] = None
        if case["privacy"] == "ANONYMOUS":
            shown["attachments"] = []
            location = dict(case["location"] or {})
            shown["location"] = {"region_code": location.get("region_code"), "address": None, "lat": None,
                                 "lon": None}
    return shown
