"""Properties of routing over the whole category tree and directory."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from lapor_hub.streams.directory import default_directory
from lapor_hub.streams.routing import NATIONAL_ADMIN, RoutingRequest, decide_route, default_rule_table, forward_target

_DIRECTORY = default_directory()
_RULES = default_rule_table()
_LEAVES = sorted(c.code for c in _RULES.categories.leaves())
_REGIONS = sorted(a.code for a in _DIRECTORY if a.is_regional)
_REGENCIES = [code for code in _REGIONS if "." in code]
_AGENCIES = sorted(a.code for a in _DIRECTORY)

_region_codes = st.one_of(
    st.sampled_from(_REGIONS),
    # district and village codes below a regency resolve to that regency
    st.builds(lambda r, n: f"{r}.{n:02d}", st.sampled_from(_REGENCIES), st.integers(1, 99)),
)
_complaints = st.builds(
    RoutingRequest,
    category=st.sampled_from(_LEAVES),
    region_code=_region_codes,
    requested_agency=st.none() | st.sampled_from(_AGENCIES),
)


@settings(max_examples=500, deadline=None)
@given(_complaints)
def test_every_valid_complaint_gets_exactly_one_owner_or_triage(complaint: RoutingRequest) -> None:
    decision = decide_route(complaint, _DIRECTORY, _RULES)
    assert decision.agency_code in _DIRECTORY
    assert decision.reason
    if decision.triage:
        assert decision.agency_code == NATIONAL_ADMIN
        return
    assert _RULES.get(decision.rule_id).matches(complaint.category)
    if complaint.requested_agency is None:
        assert not decision.corrected
    # Honouring is consistent: the decided agency, when chosen, is honoured as it is.
    again = decide_route(
        RoutingRequest(complaint.category, complaint.region_code, decision.agency_code), _DIRECTORY, _RULES
    )
    assert (again.agency_code, again.corrected) == (decision.agency_code, False)
    # A choice is either honoured as such or corrected, never silently replaced.
    if complaint.requested_agency is not None:
        assert decision.corrected == (decision.agency_code != complaint.requested_agency)


@settings(max_examples=300, deadline=None)
@given(
    _complaints,
    st.sampled_from(_AGENCIES),
    st.none() | st.sampled_from(_AGENCIES),
    st.lists(st.sampled_from(_AGENCIES), max_size=4, unique=True).map(tuple),
    st.integers(1, 5),
)
def test_forwarding_never_returns_to_an_earlier_holder(
    complaint: RoutingRequest, current: str, suggested: str | None, history: tuple[str, ...], max_hops: int
) -> None:
    decision = forward_target(current, suggested, complaint, _DIRECTORY, _RULES, history, max_hops)
    assert decision.agency_code in _DIRECTORY
    if decision.triage:
        assert decision.agency_code == NATIONAL_ADMIN
    else:
        assert decision.agency_code not in {*history, current}
        assert len(history) < max_hops
