"""Who of the staff sees the reporter in a case file: the privacy rules the console shows, as a table."""

from __future__ import annotations

import pytest

from lapor_hub.streams.identity import Principal, Role
from lapor_hub.streams.web.disclosure import may_see_identity, redacted_case_file

HOLDER = "18.10"
REPORTER = {"name": "Siti Rahmawati", "nik": "1810015505900001", "phone": "+6281234567890", "email": "siti@contoh.id"}
PHOTO = {"name": "loket.jpg", "content_type": "image/jpeg", "url": "/attachments/1"}
LOCATION = {"region_code": HOLDER, "address": "Jl. Ahmad Yani 12, Pringsewu", "lat": -5.36, "lon": 104.97}


def person(role: Role, agency: str | None) -> Principal:
    return Principal("someone", role, agency, "lapor-hub", None, None)


def case(privacy: str, status: str, agency: str = HOLDER) -> dict:
    return {"privacy": privacy, "status": status, "agency": agency, "reporter": dict(REPORTER),
            "attachments": [dict(PHOTO)], "location": dict(LOCATION), "title": "Pungutan liar"}


OFFICER, OTHER_OFFICER = person(Role.AGENCY_OFFICER, HOLDER), person(Role.AGENCY_OFFICER, "18.71")
AGENCY_ADMIN, ADMIN = person(Role.AGENCY_ADMIN, HOLDER), person(Role.NATIONAL_ADMIN, "KEMENPANRB")
SUPERVISOR, OVERSIGHT = person(Role.SUPERVISOR, "18"), person(Role.OVERSIGHT, "ORI")


@pytest.mark.parametrize(("who", "privacy", "status", "agency", "sees"), [
    (OFFICER, "PUBLIC", "accepted", HOLDER, True),  # the holder answers the reporter
    (AGENCY_ADMIN, "CONFIDENTIAL", "in_progress", HOLDER, True),  # rahasia hides the content from the public only
    (OFFICER, "ANONYMOUS", "accepted", HOLDER, False),  # anonim: never the agency
    (OTHER_OFFICER, "PUBLIC", "accepted", HOLDER, False),  # not the holder
    (OFFICER, "PUBLIC", "dispositioned", "18.71", False),  # forwarded away: no longer the holder
    (ADMIN, "PUBLIC", "in_progress", HOLDER, True),
    (ADMIN, "ANONYMOUS", "triage", "KEMENPANRB", True),  # only while verifying
    (ADMIN, "ANONYMOUS", "on_hold", "KEMENPANRB", True),
    (ADMIN, "ANONYMOUS", "dispositioned", HOLDER, False),
    (SUPERVISOR, "PUBLIC", "in_progress", HOLDER, False),  # supervisors see the case, not the person
    (OVERSIGHT, "PUBLIC", "in_progress", HOLDER, False),
    (person(Role.OPERATOR, None), "PUBLIC", "in_progress", HOLDER, False),
])
def test_the_reporter_is_shown_only_where_the_privacy_rules_allow(who, privacy, status, agency, sees):
    file = case(privacy, status, agency)
    assert may_see_identity(who, file) is sees
    shown = redacted_case_file(who, file)
    assert shown["identity_shown"] is sees
    assert (shown["reporter"] == REPORTER) is sees and ("Siti Rahmawati" in str(shown)) is sees
    assert file["reporter"] == REPORTER  # a copy: the stored case is untouched


def test_an_anonymous_report_hidden_from_someone_loses_its_photos_and_address_too():
    shown = redacted_case_file(OFFICER, case("ANONYMOUS", "accepted"))
    assert shown["attachments"] == [] and shown["reporter"] is None
    assert shown["location"] == {"region_code": HOLDER, "address": None, "lat": None, "lon": None}
    assert shown["title"] == "Pungutan liar"  # the complaint itself is the agency's to handle


def test_a_named_report_hidden_from_a_supervisor_keeps_its_attachments_and_place():
    shown = redacted_case_file(SUPERVISOR, case("PUBLIC", "in_progress"))
    assert shown["reporter"] is None and shown["attachments"] == [PHOTO] and shown["location"] == LOCATION
