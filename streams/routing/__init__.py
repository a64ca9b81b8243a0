"""No-wrong-door routing: which agency has authority over a complaint, as pure functions.

- :mod:`~lapor_hub.streams.routing.categories`: the category tree (``categories.yaml``);
- :mod:`~lapor_hub.streams.routing.rules`: the rule table (``rules.yaml``, documented at its top);
- :func:`decide_route`: the first disposition, honouring or correcting the reporter's pick;
- :func:`forward_target`: the next holder after an agency declines, with loop detection;
- :func:`with_unit`: the unit of the agency that handles it (an information request: the PPID).

No Kafka here: the lifecycle (its pure :func:`~lapor_hub.streams.lifecycle.transition`) calls these to decide
where a complaint goes, and its agent sends the result.
"""

from __future__ import annotations

from lapor_hub.streams.routing.categories import (
    Category,
    CategoryTree,
    UnknownCategoryError,
    default_categories,
)
from lapor_hub.streams.routing.decision import decide_route, has_authority
from lapor_hub.streams.routing.forwarding import forward_target
from lapor_hub.streams.routing.model import NATIONAL_ADMIN, RouteDecision, RoutingRequest
from lapor_hub.streams.routing.rules import LocationRole, Rule, RuleTable, default_rule_table
from lapor_hub.streams.routing.units import INFORMATION_REQUEST, PPID, with_unit

__all__ = [
    "INFORMATION_REQUEST",
    "NATIONAL_ADMIN",
    "PPID",
    "Category",
    "CategoryTree",
    "LocationRole",
    "RouteDecision",
    "RoutingRequest",
    "Rule",
    "RuleTable",
    "UnknownCategoryError",
    "decide_route",
    "default_categories",
    "default_rule_table",
    "forward_target",
    "has_authority",
    "with_unit",
]
