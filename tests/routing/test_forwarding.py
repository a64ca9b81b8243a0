from __future__ import annotations

from lapor_hub.streams.routing import NATIONAL_ADMIN, RoutingRequest, forward_target

PRINGSEWU, LAMPUNG = "18.10", "18"
REGENCY_ROAD = RoutingRequest("infrastructure.road.regency", PRINGSEWU, None)
ELECTRICITY = RoutingRequest("utilities.electricity", PRINGSEWU, None)


def test_a_valid_suggestion_is_followed(directory, rules) -> None:
    decision = forward_target("KEMENPUPR", PRINGSEWU, REGENCY_ROAD, directory, rules, (), 3)
    assert (decision.agency_code, decision.rule_id, decision.corrected, decision.triage) == (
        PRINGSEWU,
        "road.regency",
        False,
        False,
    )
    assert "which it suggested" in decision.reason


def test_an_invalid_suggestion_is_corrected_by_the_rules(directory, rules) -> None:
    decision = forward_target("KEMENPUPR", "KEMENKES", REGENCY_ROAD, directory, rules, (), 3)
    assert (decision.agency_code, decision.corrected, decision.triage) == (PRINGSEWU, True, False)
    assert "has no authority over" in decision.reason


def test_without_a_suggestion_the_rules_decide_skipping_earlier_holders(directory, rules) -> None:
    # KESDM shares authority over electricity with the owner KEMENBUMN; both declined in turn.
    first = forward_target("KEMENBUMN", None, ELECTRICITY, directory, rules, (), 5)
    assert (first.agency_code, first.corrected) == ("KESDM", False)
    last = forward_target("KESDM", None, ELECTRICITY, directory, rules, ("KEMENBUMN",), 5)
    assert (last.agency_code, last.rule_id, last.triage) == (NATIONAL_ADMIN, "triage.forwarding_loop", True)


def test_ping_pong_a_b_a_goes_to_the_national_admin(directory, rules) -> None:
    # Pringsewu got it, forwarded it to Lampung; Lampung now suggests sending it back.
    decision = forward_target(LAMPUNG, PRINGSEWU, REGENCY_ROAD, directory, rules, (PRINGSEWU,), 10)
    assert (decision.agency_code, decision.rule_id, decision.triage) == (
        NATIONAL_ADMIN,
        "triage.forwarding_loop",
        True,
    )
    assert "18.10 -> 18 -> 18.10" in decision.reason


def test_more_than_max_hops_goes_to_the_national_admin(directory, rules) -> None:
    within = forward_target("KEMENKES", None, REGENCY_ROAD, directory, rules, ("KEMENPUPR", LAMPUNG), 3)
    beyond = forward_target("KEMENKES", None, REGENCY_ROAD, directory, rules, ("KEMENPUPR", LAMPUNG, "KEMENSOS"), 3)
    assert (within.agency_code, within.triage) == (PRINGSEWU, False)
    assert (beyond.agency_code, beyond.rule_id, beyond.triage) == (NATIONAL_ADMIN, "triage.max_hops", True)
    assert "forwarding number 4, above the limit of 3" in beyond.reason


def test_the_owner_declining_its_own_category_goes_to_the_national_admin(directory, rules) -> None:
    decision = forward_target(PRINGSEWU, PRINGSEWU, REGENCY_ROAD, directory, rules, (), 3)
    assert (decision.agency_code, decision.rule_id, decision.triage) == (
        NATIONAL_ADMIN,
        "triage.declined_by_owner",
        True,
    )
    assert "suggested itself" in decision.reason


def test_an_out_of_scope_complaint_is_not_forwarded(directory, rules) -> None:
    corruption = RoutingRequest("corruption", PRINGSEWU, None)
    decision = forward_target(PRINGSEWU, "KPK", corruption, directory, rules, (), 3)
    assert (decision.agency_code, decision.rule_id, decision.triage) == (
        NATIONAL_ADMIN,
        "out_of_scope.corruption",
        True,
    )
    assert decision.reason.startswith("KAB. PRINGSEWU (18.10) declined it")
