"""The verdict, the table and the bodies' keys, without any service."""

from lapor_hub.streams.ops.chaos.bodies import complaint_body, encoded_body, key_in_text
from lapor_hub.streams.ops.chaos.counting import AgencyCounts, ComplaintCounts
from lapor_hub.streams.ops.chaos.options import parse_options
from lapor_hub.streams.ops.chaos.report import ERROR, FAIL, PASS, render, verdict


def counts(answered=10, lost=0, duplicated=0):
    return ComplaintCounts(sent=answered, answered=answered, keys_answered=answered, keys_rejected=0,
                           keys_unanswered=0, lost=lost, duplicated=duplicated)


def test_the_verdict_passes_only_with_answers_and_nothing_lost_or_duplicated():
    assert verdict(counts()) == (PASS, [])
    assert verdict(counts(lost=1)) == (FAIL, ["1 lost"])
    assert verdict(counts(duplicated=2)) == (FAIL, ["2 duplicated"])
    assert verdict(counts(answered=0))[0] == FAIL, "a hub that accepts nothing loses nothing, and fails"
    agency = AgencyCounts(assignments=3, arrived=2, redeliveries=0, lost=1)
    assert verdict(counts(), agency) == (FAIL, ["1 lost"])


def test_the_table_has_a_row_per_scenario_with_its_times_and_verdict():
    scenario = {"scenario": "worker-kill", "what": "w", "verdict": FAIL, "reasons": ["3 lost"], "answered": 40,
                "lost": 3, "duplicated": 0,
                "complaints": {"sent": 40, "keys_answered": 40, "keys_rejected": 0, "keys_unanswered": 0,
                               "answered": 40, "never_on_intake": 0,
                               "lost_by_reason": {"no ComplaintSubmitted": {"count": 3, "examples": []}},
                               "duplicated_by_kind": {}},
                "attempts": {"by_answer": {"202": 40}},
                "failover_s": [{"at": 1.0, "kind": "worker-kill", "target": "worker-2", "seconds": 61.8},
                               {"at": 70.0, "kind": "worker-kill", "target": "worker-2", "seconds": 12.0}],
                "recovery_s": [], "timeline": []}
    broken = {"scenario": "leader-kill", "verdict": ERROR, "error": "FatalError: no broker"}
    text = render({"scenarios": [scenario, broken]})
    header, rule, row, error_row = text.splitlines()[:4]
    assert header.split(" | ")[0].strip() == "scenario" and "failover / recovery time" in header
    assert [c.strip() for c in row.split(" | ")] == ["worker-kill", "40", "3", "0", "failover 61.8 s (max of 2)", FAIL]
    assert error_row.split(" | ")[-1].strip() == ERROR
    assert "3 no ComplaintSubmitted" in text and "leader-kill: error: FatalError: no broker" in text


def test_a_fault_never_recovered_from_shows_in_the_table():
    scenario = {"scenario": "broker-restart", "what": "b", "verdict": PASS, "answered": 1, "lost": 0, "duplicated": 0,
                "complaints": {"sent": 1, "keys_answered": 1, "keys_rejected": 0, "keys_unanswered": 0, "answered": 1,
                               "never_on_intake": 0, "lost_by_reason": {}, "duplicated_by_kind": {}},
                "attempts": {"by_answer": {}}, "failover_s": [],
                "recovery_s": [{"at": 1.0, "kind": "broker-ready", "target": "node-1", "seconds": None}]}
    assert "recovery never" in render({"scenarios": [scenario]})


def test_each_complaint_carries_its_key_in_its_text_and_is_sent_as_the_same_bytes():
    import random

    key = "0b7f6a52-6a55-4a36-9a4c-1a3e0f1d2c3b"
    body = complaint_body(key, random.Random(1))
    assert key_in_text(body["description"]) == key
    assert encoded_body(body) == encoded_body(dict(body))
    assert key_in_text("no key here") is None and key_in_text(None) is None


def test_the_bodies_are_valid_complaints_for_pringsewu():
    import random

    from lapor_hub.streams.directory import default_directory
    from lapor_hub.streams.intake.validation import validate_complaint
    from lapor_hub.streams.routing import default_categories

    rng = random.Random(7)
    for _ in range(10):
        body = complaint_body("0b7f6a52-6a55-4a36-9a4c-1a3e0f1d2c3b", rng)
        assert validate_complaint(body, categories=default_categories(), directory=default_directory()) == []


def test_scenarios_are_chosen_by_name_and_unknown_names_are_refused(capsys):
    import pytest

    options = parse_options(["--short", "--scenario", "worker-kill", "leader-kill", "--scenario", "agency-down"])
    assert options.short and options.scenarios == ("worker-kill", "leader-kill", "agency-down")
    assert parse_options([]).scenarios == ()
    with pytest.raises(SystemExit):
        parse_options(["--scenario", "meteor-strike"])
    assert "invalid choice" in capsys.readouterr().err


def test_findings_name_what_issue_11_asks_to_fix_without_deciding_the_verdict():
    from lapor_hub.streams.ops.chaos.report import findings

    scenario = {
        "answers_while_broker_down": {"202 first request": 3, "202 retry": 9, "timeout": 20, "connection": 4},
        "failover_s": [{"at": 10.0, "kind": "worker-kill", "target": "worker-2", "seconds": 61.8},
                       {"at": 90.0, "kind": "worker-kill", "target": "worker-2", "seconds": 9.0}],
        "ready_to_processing_s": [{"at": 70.0, "target": "worker-2", "seconds": 9.5},
                                  {"at": 150.0, "target": "worker-2", "seconds": 1.2}],
        "answers_while_not_ready": {"worker-2": {"202": 40}},
        "log_growth_while_broker_down": [{"broker": "node-1", "seconds_down": 20.0,
                                          "worker_log_lines": {"worker-1": 3200, "worker-2": 12}}],
        "timeline": [{"at": 30.0, "kind": "worker-stop", "target": "worker-2",
                      "detail": "no exit within 30 s of SIGTERM; SIGKILLed"},
                     {"at": 31.0, "kind": "worker-exit", "target": "worker-2", "detail": "exit code 1"},
                     {"at": 40.0, "kind": "worker-exit", "target": "worker-2", "detail": "exit code 1"}],
        "worker_stops": {"worker-1": {"exit_code": 0, "seconds": 2.0}},
        "attempts": {"by_answer": {"202": 100, "500": 7, "503": 2, "timeout": 20}},
    }
    found = findings(scenario)
    assert found == [
        "no 503 while the broker was down (20 requests timed out, 4 connection errors)",
        "3 new complaints answered 202 while the broker was down",
        "7 answers were server errors, not 503 with Retry-After: {'500': 7}",
        "failover over 15 s after 1 of 2 kills (longest 61.8 s)",
        "worker-2 said ready (at 70.0 s), but complaints sent to it then were shown 9.5 s later",
        "worker-2 answered 40 submissions 202 after a restart, before it was ready",
        "worker-1 wrote 3200 log lines in the 20.0 s node-1 was down",
        "worker-2 (at 30.0 s): no exit within 30 s of SIGTERM; SIGKILLed",
        "worker-2 ended by itself 2 times (exit code 1); restarted",
    ]
    assert findings({"answers_while_broker_down": {"503": 30, "202 retry": 1}}) == []
    three = {"brokers": 3, "answers_while_broker_down": {"202 first request": 50, "timeout": 4}}
    assert findings(three) == ["4 requests timed out while one broker was down and the others served"]


def test_the_recovery_time_shows_how_much_of_it_the_broker_itself_took():
    scenario = {"scenario": "broker-restart", "what": "b", "verdict": PASS, "answered": 1, "lost": 0, "duplicated": 0,
                "complaints": {"sent": 1, "keys_answered": 1, "keys_rejected": 0, "keys_unanswered": 0, "answered": 1,
                               "never_on_intake": 0, "lost_by_reason": {}, "duplicated_by_kind": {}},
                "attempts": {"by_answer": {}}, "failover_s": [],
                "recovery_s": [{"at": 30.0, "kind": "broker-restart", "target": "node-1", "seconds": 16.2}],
                "broker_restart_s": [{"at": 30.0, "kind": "broker-restart", "target": "node-1", "seconds": 13.8}]}
    row = render({"scenarios": [scenario]}).splitlines()[2]
    assert "recovery 16.2 s (broker itself 13.8 s)" in row
