"""Per-agency access to the broker: pure permission lists, the access plan, and applying them.

See :mod:`lapor_hub.streams.ops.access.permissions` for what each principal may do.
"""

from lapor_hub.streams.ops.access.cluster import (
    MIN_PASSWORD_LENGTH,
    Applied,
    apply_plan,
    grant_agency,
    list_permissions,
    revoke_agency,
)
from lapor_hub.streams.ops.access.permissions import (
    CONNECTOR_GROUP_PREFIX,
    Permission,
    agency_permissions,
    check_principal,
    hub_permissions,
)
from lapor_hub.streams.ops.access.plan import AccessPlan, Member, load_plan

__all__ = ["Permission", "agency_permissions", "hub_permissions", "check_principal", "CONNECTOR_GROUP_PREFIX",
           "AccessPlan", "Member", "load_plan", "Applied", "apply_plan", "grant_agency", "revoke_agency",
           "list_permissions", "MIN_PASSWORD_LENGTH"]
