from datetime import datetime, timezone

import pytest

from lapor_hub.streams.identity import (
    AuthFailure,
    Principal,
    Role,
    RoleAssignmentError,
    assign_agency,
    supervises,
)


def principal(role: Role, agency: str | None, channel: str | None = None) -> Principal:
    return Principal("someone", role, agency, "lapor-hub", "jti-1", datetime(2030, 1, 1, tzinfo=timezone.utc),
                     channel=channel)


def test_roles_have_exactly_the_agreed_values():
    assert [r.value for r in Role] == [
        "agency-officer", "agency-admin", "supervisor", "national-admin", "oversight", "operator", "channel",
        "connector",
    ]


@pytest.mark.parametrize("role", [Role.AGENCY_OFFICER, Role.AGENCY_ADMIN, Role.SUPERVISOR, Role.CONNECTOR])
def test_agency_roles_need_their_agency(role, directory):
    with pytest.raises(RoleAssignmentError) as err:
        assign_agency(role, None, directory)
    assert err.value.failure is AuthFailure.ROLE_NEEDS_AGENCY
    with pytest.raises(RoleAssignmentError) as err:
        principal(role, None)
    assert err.value.failure is AuthFailure.ROLE_NEEDS_AGENCY


def test_an_agency_must_be_in_the_directory(directory):
    assert assign_agency(Role.AGENCY_OFFICER, "18.10", directory) == "18.10"
    assert assign_agency(Role.AGENCY_ADMIN, "KEMENKES", directory) == "KEMENKES"
    with pytest.raises(RoleAssignmentError) as err:
        assign_agency(Role.AGENCY_OFFICER, "18.99", directory)
    assert err.value.failure is AuthFailure.UNKNOWN_AGENCY
    assert "18.99" in str(err.value)


def test_national_admin_is_kemenpanrb_and_oversight_is_the_ombudsman(directory):
    assert assign_agency(Role.NATIONAL_ADMIN, None, directory) == "KEMENPANRB"
    assert assign_agency(Role.NATIONAL_ADMIN, "KEMENPANRB", directory) == "KEMENPANRB"
    assert assign_agency(Role.OVERSIGHT, None, directory) == "ORI"
    for role, other in ((Role.NATIONAL_ADMIN, "18.10"), (Role.OVERSIGHT, "KEMENPANRB")):
        with pytest.raises(RoleAssignmentError) as err:
            assign_agency(role, other, directory)
        assert err.value.failure is AuthFailure.WRONG_AGENCY


def test_operators_take_no_agency_and_channels_an_optional_one(directory):
    assert assign_agency(Role.OPERATOR, None, directory) is None
    with pytest.raises(RoleAssignmentError):
        assign_agency(Role.OPERATOR, "18.10", directory)
    assert assign_agency(Role.CHANNEL, None, directory) is None
    assert assign_agency(Role.CHANNEL, "18.10", directory) == "18.10"


def test_a_channel_principal_names_its_channel():
    with pytest.raises(RoleAssignmentError) as err:
        principal(Role.CHANNEL, None)
    assert err.value.failure is AuthFailure.ROLE_NEEDS_CHANNEL
    assert principal(Role.CHANNEL, None, channel="open311-pringsewu").channel == "open311-pringsewu"


def test_an_unknown_role_is_refused_with_the_known_ones():
    with pytest.raises(RoleAssignmentError) as err:
        Role.parse("citizen")
    assert err.value.failure is AuthFailure.UNKNOWN_ROLE
    assert "agency-officer" in str(err.value)


def test_a_province_supervisor_supervises_its_regencies_and_itself_but_not_other_provinces(directory):
    lampung = principal(Role.SUPERVISOR, "18")
    assert supervises(lampung, "18.10", directory)  # KAB. PRINGSEWU
    assert supervises(lampung, "18.71", directory)  # KOTA BANDAR LAMPUNG
    assert supervises(lampung, "18", directory)
    assert not supervises(lampung, "32.01", directory)
    assert not supervises(lampung, "32", directory)
    assert not supervises(lampung, "KEMENKES", directory)


def test_supervision_follows_the_directory_chain(directory):
    pringsewu_inspectorate = principal(Role.SUPERVISOR, "18.10")
    assert supervises(pringsewu_inspectorate, "18.10", directory)
    assert not supervises(pringsewu_inspectorate, "18.71", directory)
    home_affairs = principal(Role.SUPERVISOR, "KEMENDAGRI")
    assert supervises(home_affairs, "18.10", directory) and supervises(home_affairs, "91", directory)
    assert not supervises(home_affairs, "KEMENKES", directory)


def test_the_national_admin_and_the_ombudsman_supervise_every_agency(directory):
    national, ombudsman = principal(Role.NATIONAL_ADMIN, "KEMENPANRB"), principal(Role.OVERSIGHT, "ORI")
    for agency in directory:
        assert supervises(national, agency.code, directory), agency.code
        assert supervises(ombudsman, agency.code, directory), agency.code


def test_officers_operators_and_unknown_agencies_supervise_nothing(directory):
    assert not supervises(principal(Role.AGENCY_OFFICER, "18"), "18.10", directory)
    assert not supervises(principal(Role.AGENCY_ADMIN, "18"), "18.10", directory)
    assert not supervises(principal(Role.OPERATOR, None), "18.10", directory)
    assert not supervises(principal(Role.SUPERVISOR, "18"), "18.99", directory)
