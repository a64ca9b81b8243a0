"""Where a complaint goes when an agency declines it as outside its authority [bukan wewenang].

A decline is a forwarding [pelimpahan], never a dead end, but forwarding must not go on forever:

- ``history`` lists the agencies that held the complaint BEFORE ``current``, oldest first; the
  forwarding being decided is hop number ``len(history) + 1``;
- more than ``max_hops`` hops, or a suggestion that sends the complaint back to an agency in
  ``history`` (A -> B -> A), is ping-pong: the national admin's triage inbox decides;
- otherwise the agency that declined may suggest where it belongs: the suggestion is followed
  when it has authority (see :mod:`lapor_hub.streams.routing.decision`), and corrected when it does not;
- without a usable suggestion the complaint is routed again by the rules, skipping every agency
  that has already held it. When no agency with authority is left, the national admin decides.

The reporter's original pick is not considered again: it was handled at the first disposition.
"""

from __future__ import annotations

from dataclasses import replace

from lapor_hub.streams.directory import Directory
from lapor_hub.streams.routing._authority import (
    Authority,
    describe_agency,
    describe_category,
    resolve_authority,
    triage,
)
from lapor_hub.streams.routing.model import RouteDecision, RoutingRequest
from lapor_hub.streams.routing.rules import TRIAGE_PREFIX, RuleTable

__all__ = ["forward_target"]


def forward_target(
    current: str,
    suggested: str | None,
    complaint: RoutingRequest,
    directory: Directory,
    rules: RuleTable,
    history: tuple[str, ...],
    max_hops: int,
) -> RouteDecision:
    """The next holder of ``complaint`` after ``current`` declined it. Pure."""
    suggested = suggested or None
    declined = f"{describe_agency(current, directory)} declined it as outside its authority"
    hop = len(history) + 1
    if hop > max_hops:
        return triage(
            f"{TRIAGE_PREFIX}max_hops",
            f"{declined}; this would be forwarding number {hop}, above the limit of {max_hops}; "
            "the national admin decides who has authority",
            proposed=suggested,
        )
    if suggested is not None and suggested in history:
        path = " -> ".join((*history[history.index(suggested):], current, suggested))
        return triage(
            f"{TRIAGE_PREFIX}forwarding_loop",
            f"{declined} and suggested an agency that already held it (forwarding loop {path}); "
            "the national admin decides who has authority",
            proposed=suggested,
        )
    resolved = resolve_authority(complaint, directory, rules, proposed=suggested)
    if isinstance(resolved, RouteDecision):
        return replace(resolved, reason=f"{declined}; {resolved.reason}")
    return _forward(current, suggested, resolved, directory, history, declined)


def _forward(
    current: str,
    suggested: str | None,
    authority: Authority,
    directory: Directory,
    history: tuple[str, ...],
    declined: str,
) -> RouteDecision:
    category = describe_category(authority.category)
    rule_id = authority.rule.id
    if suggested is not None and suggested != current and suggested in authority.agencies:
        return RouteDecision(
            suggested,
            rule_id,
            f"{declined}; forwarded to {describe_agency(suggested, directory)}, which it suggested "
            f"and which has authority over {category} under rule {rule_id}",
            corrected=False,
            triage=False,
        )
    note = "" if suggested is None else f"; {_unusable(suggested, current, category, directory)}"
    held = {*history, current}
    remaining = [code for code in authority.agencies if code not in held]
    if remaining:
        return RouteDecision(
            remaining[0],
            rule_id,
            f"{declined}{note}; rule {rule_id} gives {category} to "
            f"{describe_agency(remaining[0], directory)}",
            corrected=suggested is not None,
            triage=False,
        )
    if not set(authority.agencies).intersection(history):
        # Only the declining agency itself has authority: a dispute about the rule, not ping-pong.
        return triage(
            f"{TRIAGE_PREFIX}declined_by_owner",
            f"{declined}{note}; rule {rule_id} gives {category} to "
            f"{describe_agency(current, directory)} itself, so the national admin decides",
            proposed=suggested,
        )
    return triage(
        f"{TRIAGE_PREFIX}forwarding_loop",
        f"{declined}{note}; every agency with authority over {category} has already held it "
        f"({', '.join(authority.agencies)}); the national admin decides",
        proposed=suggested,
    )


def _unusable(suggested: str, current: str, category: str, directory: Directory) -> str:
    if suggested == current:
        return "it suggested itself, which is not a forwarding"
    if suggested not in directory:
        return "its suggested agency code is not in the directory"
    return f"its suggestion {describe_agency(suggested, directory)} has no authority over {category}"
