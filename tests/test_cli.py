import json

import pytest

from lapor_hub.errors import ConfigurationError, RetriableError
from lapor_hub.streams.cli import _waiting, main


def test_directory_list_shows_all_agencies(capsys):
    assert main(["directory", "list"]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith("678 agencies")
    assert "KAB. PRINGSEWU" in out


def test_directory_list_filters_by_kind_and_province(capsys):
    assert main(["directory", "list", "--kind", "city", "--province", "18", "--json"]) == 0
    cities = json.loads(capsys.readouterr().out)
    assert {c["code"] for c in cities} == {"18.71", "18.72"}


def test_directory_show_names_province_zone_and_chain(capsys):
    assert main(["directory", "show", "18.10"]) == 0
    out = capsys.readouterr().out
    assert "KAB. PRINGSEWU" in out and "18 LAMPUNG" in out and "WIB" in out
    assert out.index("KEMENDAGRI") < out.index("KEMENPANRB") < out.index("ORI")


def test_directory_show_unknown_code_exits_non_zero_with_a_clear_message(capsys):
    assert main(["directory", "show", "NOPE"]) == 1
    assert "unknown agency code 'NOPE'" in capsys.readouterr().err


def _answering(*answers):
    """A deploy step that raises or returns each answer in turn."""
    pending = iter(answers)
    calls = []

    def step():
        calls.append(1)
        answer = next(pending)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return step, calls


def test_a_deploy_step_is_tried_again_while_the_brokers_start(monkeypatch, capsys):
    monkeypatch.setattr(_waiting, "_PAUSE_S", 0.0)
    step, calls = _answering(RetriableError("no broker yet"), RetriableError("no broker yet"), "done")
    assert _waiting.until_done(step, wait_s=60, what="creating the topics") == "done"
    assert len(calls) == 3
    assert capsys.readouterr().err.count("creating the topics: no broker yet; trying again") == 2


def test_a_deploy_step_gives_up_with_its_own_error_when_the_time_is_over(monkeypatch):
    monkeypatch.setattr(_waiting, "_PAUSE_S", 0.0)
    step, calls = _answering(RetriableError("no broker at all"))
    with pytest.raises(RetriableError, match="no broker at all"):
        _waiting.until_done(step, wait_s=-1, what="creating the topics")
    assert len(calls) == 1


def test_a_deploy_step_does_not_wait_out_a_configuration_error(monkeypatch):
    monkeypatch.setattr(_waiting, "_PAUSE_S", 0.0)
    step, calls = _answering(ConfigurationError("bad settings"), "never reached")
    with pytest.raises(ConfigurationError, match="bad settings"):
        _waiting.until_done(step, wait_s=60, what="applying the access plan")
    assert len(calls) == 1
