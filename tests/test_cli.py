import json

from lapor_hub.streams.cli import main


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
