"""Finding one of the 678 agencies by what a person types."""

from __future__ import annotations

import pytest

from lapor_hub.streams.directory import AgencyKind, default_directory
from lapor_hub.streams.directory.search import search_agencies


@pytest.fixture(scope="module")
def directory():
    return default_directory()


def codes(directory, query: str, **options) -> list[str]:
    return [m.agency.code for m in search_agencies(directory, query, **options)]


@pytest.mark.parametrize("typed", ["pringsewu", "Pringsewu", "PRINGSEW", "kab pringsewu", "Kabupaten Pringsewu",
                                   "kab. pringsewu", "18.10"])
def test_pringsewu_is_found_first_however_it_is_typed(directory, typed):
    assert codes(directory, typed)[0] == "18.10"


def test_a_code_an_abbreviation_or_an_english_name_finds_the_agency(directory):
    assert codes(directory, "KEMENKES")[0] == "KEMENKES"
    assert codes(directory, "kemenkes")[0] == "KEMENKES"
    assert codes(directory, "ORI")[0] == "ORI"
    assert codes(directory, "ministry of health")[0] == "KEMENKES"
    assert codes(directory, "18.7") == ["18.71", "18.72"]  # a code being typed


def test_a_province_finds_itself_first_then_the_names_then_its_regencies(directory):
    found = search_agencies(directory, "lampung", limit=100)
    assert found[0].agency.code == "18"
    ranks = [m.rank for m in found]
    assert ranks == sorted(ranks)
    by_name = [m.agency.code for m in found if "LAMPUNG" in m.agency.name]
    by_province = [m.agency.code for m in found if "LAMPUNG" not in m.agency.name]
    assert "18.10" in by_province and "18.71" in by_name  # Pringsewu lies in Lampung; Kota Bandar Lampung names it
    assert {m.agency.code for m in found} == {a.code for a in directory if a.province_code == "18"}
    assert all(m.province is not None and m.province.code == "18" for m in found if m.agency.code != "18")


def test_every_word_must_match_and_accents_and_case_do_not_matter(directory):
    assert codes(directory, "bandar lampung") == ["18.71"]
    assert codes(directory, "BÄNDAR lämpung") == ["18.71"]
    assert codes(directory, "bandar pringsewu") == []
    assert codes(directory, "zzz") == []


def test_filters_by_province_and_kind_and_a_blank_query_lists_in_directory_order(directory):
    assert codes(directory, "kota", province="18") == ["18.71", "18.72"]
    provinces = search_agencies(directory, "", kind=AgencyKind.PROVINCE, limit=100)
    assert len(provinces) == 34 and all(m.province is None for m in provinces)
    assert codes(directory, "", limit=3) == [a.code for a in list(directory)[:3]]
    assert len(search_agencies(directory, "", limit=1000)) == 678
