"""What the case file offers each member of staff: exactly what the lifecycle would accept now."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from lapor_hub.streams.directory import default_directory
from lapor_hub.streams.identity import Principal, Role
from lapor_hub.streams.sla.calendar import default_calendar
from lapor_hub.streams.web.deadlines import working_days_left
from lapor_hub.streams.web.staff import allowed_actions

DIRECTORY = default_directory()
WORKING = ["agency.decline", "agency.request_information", "agency.follow_up", "agency.respond"]


def person(role: Role, agency: str | None = None) -> Principal:
    return Principal("someone", role, agency, "lapor-hub", None, None)


def case(status: str, agency: str = "18.10") -> dict:
    return {"status": status, "agency": agency}


@pytest.mark.parametrize(("status", "expected"), [
    ("dispositioned", ["agency.accept", *WORKING]),
    ("accepted", WORKING),
    ("in_progress", WORKING),
    ("responded", ["agency.close"]),
    ("waiting_for_reporter", []),
    ("closed", []),
    ("archived", []),
])
def test_the_holding_agency_s_staff_get_the_actions_of_the_status(status, expected):
    for role in (Role.AGENCY_OFFICER, Role.AGENCY_ADMIN):
        assert allowed_actions(person(role, "18.10"), case(status), DIRECTORY) == expected


def test_nobody_else_gets_an_agency_action():
    for who in (person(Role.AGENCY_OFFICER, "18.71"), person(Role.SUPERVISOR, "18"), person(Role.OVERSIGHT, "ORI"),
                person(Role.OPERATOR)):
        assert allowed_actions(who, case("dispositioned"), DIRECTORY) == []


def test_the_national_admin_decides_triage_and_may_archive_or_return_what_is_open():
    admin = person(Role.NATIONAL_ADMIN, "KEMENPANRB")
    triage = allowed_actions(admin, case("triage", "KEMENPANRB"), DIRECTORY)
    assert {a for a in triage if a.startswith("triage.")} == {"triage.disposition", "triage.archive", "triage.hold",
                                                               "triage.return"}
    on_hold = allowed_actions(admin, case("on_hold", "KEMENPANRB"), DIRECTORY)
    assert {a for a in on_hold if a.startswith("triage.")} == {"triage.verify", "triage.archive"}
    assert allowed_actions(admin, case("dispositioned"), DIRECTORY) == ["triage.archive", "triage.return"]
    assert allowed_actions(admin, case("closed"), DIRECTORY) == []


def test_working_days_left_count_the_holder_s_working_days_and_go_negative_once_passed():
    calendar = default_calendar()
    friday_noon_wib = datetime(2026, 12, 4, 5, 0, tzinfo=timezone.utc)
    tuesday_end_wib = datetime(2026, 12, 8, 17, 0, tzinfo=timezone.utc)  # midnight WIB, Tuesday to Wednesday
    assert working_days_left(calendar, DIRECTORY, friday_noon_wib, tuesday_end_wib, "18.10") == 2.5  # not the weekend
    assert working_days_left(calendar, DIRECTORY, tuesday_end_wib, friday_noon_wib, "18.10") == -2.5
    # Friday 23:00 in Jakarta is already Saturday in Jayapura: its last hour of Friday is no working time there.
    friday_late_wib = datetime(2026, 12, 4, 16, 0, tzinfo=timezone.utc)
    monday_end_wib = datetime(2026, 12, 7, 17, 0, tzinfo=timezone.utc)
    assert working_days_left(calendar, DIRECTORY, friday_late_wib, monday_end_wib, "18.10") == round(25 / 24, 1)
    assert working_days_left(calendar, DIRECTORY, friday_late_wib, monday_end_wib, "91.71") == round(26 / 24, 1)
    assert working_days_left(calendar, DIRECTORY, friday_noon_wib, None, "18.10") is None
    assert working_days_left(calendar, DIRECTORY, friday_noon_wib, tuesday_end_wib, None) == 2.5  # triage: WIB
