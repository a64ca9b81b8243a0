from collections import Counter

import pytest

from lapor_hub.errors import UnknownAgencyError
from lapor_hub.streams.directory import AgencyKind, Level, TimeZone, default_directory


@pytest.fixture(scope="module")
def directory():
    return default_directory()


def test_the_directory_holds_all_678_agencies_by_kind(directory):
    kinds = Counter(a.kind for a in directory)
    assert len(directory) == 678
    assert kinds[AgencyKind.MINISTRY] + kinds[AgencyKind.COORDINATING_MINISTRY] == 34
    assert kinds[AgencyKind.INSTITUTION] == 96
    assert kinds[AgencyKind.PROVINCE] == 34
    assert kinds[AgencyKind.REGENCY] + kinds[AgencyKind.CITY] == 514


def test_pringsewu_is_a_wib_regency_in_lampung_with_its_supervision_chain(directory):
    pringsewu = directory.get("18.10")
    assert pringsewu.name == "KAB. PRINGSEWU"
    assert pringsewu.kind is AgencyKind.REGENCY and pringsewu.level is Level.REGENCY
    assert pringsewu.time_zone is TimeZone.WIB
    assert directory.province_of(pringsewu).name == "PROVINSI LAMPUNG"
    assert [s.code for s in pringsewu.supervision_chain] == ["18.10", "18", "KEMENDAGRI", "KEMENPANRB", "ORI"]


@pytest.mark.parametrize(
    ("code", "zone"),
    [("31", TimeZone.WIB), ("31.71", TimeZone.WIB), ("51.71", TimeZone.WITA), ("73", TimeZone.WITA),
     ("94", None), ("91", TimeZone.WIT), ("82.71", TimeZone.WIT), ("KEMENKES", TimeZone.WIB)],
)
def test_time_zones_follow_the_province(directory, code, zone):
    if zone is None:
        assert code not in directory  # Papua's 2022 split is not in the 2020 data
    else:
        assert directory.get(code).time_zone is zone


def test_central_agencies_escalate_to_their_own_oversight_then_kemenpanrb_then_ombudsman(directory):
    assert [s.code for s in directory.get("KEMENKES").supervision_chain] == ["KEMENKES", "KEMENPANRB", "ORI"]
    assert directory.get("KEMENKES").supervision_chain[0].office == "Inspektorat Jenderal"
    assert [s.code for s in directory.get("33").supervision_chain] == ["33", "KEMENDAGRI", "KEMENPANRB", "ORI"]
    # Nobody escalates to itself above its own oversight.
    assert [s.code for s in directory.get("ORI").supervision_chain] == ["ORI", "KEMENPANRB"]


def test_every_chain_ends_at_external_oversight_and_names_known_agencies(directory):
    for agency in directory:
        chain = [s.code for s in agency.supervision_chain]
        assert chain[0] == agency.code
        assert all(code in directory for code in chain)
        assert chain[-1] == ("KEMENPANRB" if agency.code == "ORI" else "ORI")


def test_cities_and_regencies_are_told_apart(directory):
    assert directory.get("18.71").kind is AgencyKind.CITY
    assert directory.get("18.71").name == "KOTA BANDAR LAMPUNG"
    assert directory.get("18.10").kind is AgencyKind.REGENCY


def test_region_codes_resolve_to_the_regional_government(directory):
    assert directory.region_of("18.10").code == "18.10"
    assert directory.region_of("18.10.05.2001").code == "18.10"  # a village resolves to its regency
    assert directory.region_of("18").code == "18"
    with pytest.raises(UnknownAgencyError):
        directory.region_of("KEMENKES")


def test_an_unknown_code_is_a_clear_error(directory):
    with pytest.raises(UnknownAgencyError, match="unknown agency code 'NOPE'.*lapor-hub directory list"):
        directory.get("NOPE")


def test_filters_by_kind_and_province(directory):
    lampung = directory.find(province_code="18")
    assert {a.code for a in lampung} >= {"18", "18.10", "18.71"}
    assert all(a.province_code == "18" for a in lampung)
    assert len(directory.find(kind=AgencyKind.PROVINCE)) == 34
