"""Error messages never repeat what the reporter submitted: they reach responses, logs, dead letters."""

from __future__ import annotations

from typing import Any

import pytest

from lapor_hub.streams.intake.validation import validate_complaint, validate_submission_record
from tests.intake.conftest import ADDRESS, EMAIL, NAME, NIK, PHONE, complaint_body

#: Invalid variants of each planted value, so that every rule about them fires.
_BAD_NIK = NIK[:-1] + "X"
_BAD_PHONE = PHONE.replace("0812", "0012")
_BAD_EMAIL = EMAIL.replace("@", "#")
_LONG_NAME = (NAME + " ") * 5
_LONG_ADDRESS = (ADDRESS + " ") * 12
_PLANTED = (NIK, _BAD_NIK, PHONE, _BAD_PHONE, "3456", EMAIL, _BAD_EMAIL, NAME, "Kusumaningrum", ADDRESS, "Kenanga")


def _assert_nothing_personal(errors) -> None:
    assert errors, "the planted values must trigger errors for this test to mean anything"
    for error in errors:
        text = f"{error.field} {error.code} {error.message}"
        for planted in _PLANTED:
            assert planted not in text, f"{error.field}/{error.code} repeats submitted personal data"


@pytest.mark.parametrize("reporter", [
    {"name": _LONG_NAME, "nik": _BAD_NIK, "phone": _BAD_PHONE, "email": _BAD_EMAIL},
    {"name": NAME, "nik": "9910015507900003", "phone": PHONE, "email": EMAIL + " " + NAME},
    {"name": NAME, "nik": NIK[:6] + "32" + NIK[8:]},  # implausible birth day, no contact
])
def test_messages_about_identity_repeat_none_of_it(categories, directory, reporter):
    body = complaint_body(reporter=reporter, location={"address": _LONG_ADDRESS, "lat": 99.0, "lon": 1.0})
    errors = validate_complaint(body, categories=categories, directory=directory)
    assert {e.field for e in errors} >= {"reporter.nik", "location.address"}
    _assert_nothing_personal(errors)


def test_type_errors_do_not_repeat_values(categories, directory):
    body = complaint_body(reporter={"name": [NAME], "nik": int(NIK), "phone": {"n": PHONE}, "email": (EMAIL,)})
    errors = validate_complaint(body, categories=categories, directory=directory)
    assert {(e.field, e.code) for e in errors} >= {("reporter.nik", "type"), ("reporter.phone", "type")}
    _assert_nothing_personal(errors)


def test_record_errors_do_not_repeat_values(categories, directory):
    record: dict[str, Any] = {
        "event_id": "e-1", "tracking_id": "", "title": "short", "description": "x", "category": "x",
        "channel": "web", "privacy": "PUBLIC", "location": None, "attachments": [], "requested_agency": None,
        "reporter": {"name": _LONG_NAME, "nik": _BAD_NIK, "phone": _BAD_PHONE, "email": _BAD_EMAIL}}
    errors = validate_submission_record(record, categories=categories, directory=directory)
    assert {e.field for e in errors} >= {"reporter.nik", "reporter.phone", "reporter.email", "reporter.name"}
    _assert_nothing_personal(errors)
