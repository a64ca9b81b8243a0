"""to_submission and validate_submission_record: the ComplaintSubmitted shape."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from lapor_hub import schemas
from lapor_hub.streams.intake.tracking import new_tracking_id
from lapor_hub.streams.intake.validation import normalize_phone, to_submission, validate_submission_record
from tests.intake.conftest import EMAIL, NAME, NIK, complaint_body

NOW = datetime(2026, 11, 28, 3, 15, tzinfo=UTC)


def _submission(body=None, **kwargs):
    return to_submission(body or complaint_body(), tracking_id=new_tracking_id(NOW), event_id="evt-1", now=NOW,
                         **kwargs)


def test_a_full_body_becomes_an_encodable_submission():
    value = _submission()
    schemas.encode("ComplaintSubmitted", value)
    assert value["privacy"] == "PUBLIC"
    assert value["location"]["region_code"] == "18.10"
    assert value["location"]["lat"] == pytest.approx(-5.3581)
    assert value["reporter"] == {"name": NAME, "nik": NIK, "phone": "+6281234567890", "email": EMAIL}
    assert value["requested_agency"] is None
    assert value["actor"] == "reporter"
    assert value["occurred_at"] == NOW
    assert value["attachments"][0]["size_bytes"] == 120_000


def test_a_minimal_anonymous_body_becomes_an_encodable_submission():
    body = complaint_body(privacy="anonymous", agency="KEMENDAGRI")
    for optional in ("reporter", "location", "attachments"):
        del body[optional]
    value = _submission(body, source_actor="connector:18.10")
    schemas.encode("ComplaintSubmitted", value)
    assert value["privacy"] == "ANONYMOUS"
    assert value["reporter"] == {"name": None, "nik": None, "phone": None, "email": None}
    assert value["location"] == {"region_code": "18.10", "lat": None, "lon": None, "address": None}
    assert value["attachments"] == []
    assert value["requested_agency"] == "KEMENDAGRI"
    assert value["actor"] == "connector:18.10"


@pytest.mark.parametrize(("given", "stored"), [(None, "COMPLAINT"), ("", "COMPLAINT"), ("aspiration", "ASPIRATION"),
                                               ("information_request", "INFORMATION_REQUEST")])
def test_the_classification_is_stored_as_the_event_s_symbol_and_defaults_to_a_complaint(given, stored):
    value = _submission(complaint_body(classification=given))
    schemas.encode("ComplaintSubmitted", value)
    assert value["classification"] == stored


def test_empty_strings_become_none_and_text_is_trimmed():
    body = complaint_body(title="  KTP elektronik belum jadi  ", agency="",
                          reporter={"name": NAME, "nik": "", "phone": " ", "email": EMAIL},
                          location={"address": "", "lat": None, "lon": None})
    value = _submission(body)
    schemas.encode("ComplaintSubmitted", value)
    assert value["title"] == "KTP elektronik belum jadi"
    assert value["requested_agency"] is None
    assert value["reporter"]["nik"] is None and value["reporter"]["phone"] is None
    assert value["location"]["address"] is None


def test_occurred_at_is_utc_and_naive_times_are_refused():
    wib = timezone(timedelta(hours=7))
    value = to_submission(complaint_body(), tracking_id="t", event_id="e", now=NOW.astimezone(wib))
    assert value["occurred_at"] == NOW and value["occurred_at"].utcoffset() == timedelta(0)
    with pytest.raises(ValueError):
        to_submission(complaint_body(), tracking_id="t", event_id="e", now=NOW.replace(tzinfo=None))


@pytest.mark.parametrize(("typed", "e164"), [
    ("081234567890", "+6281234567890"), ("+62 812-3456-7890", "+6281234567890"), ("021 5550123", "+62215550123"),
    ("62812345678", None),
])
def test_phone_numbers_are_stored_in_e164(typed, e164):
    assert normalize_phone(typed) == e164


def test_a_submission_made_from_a_valid_body_passes_the_record_check(categories, directory):
    assert validate_submission_record(_submission(), categories=categories, directory=directory) == []


@pytest.mark.parametrize(("change", "expected"), [
    ({"privacy": "public"}, {("privacy", "unknown")}),
    ({"location": None}, {("location.region_code", "required")}),
    ({"location": {"region_code": "18.99", "lat": None, "lon": None, "address": None}},
     {("location.region_code", "unknown")}),
    ({"requested_agency": "NOPE"}, {("requested_agency", "unknown")}),
    ({"category": "health"}, {("category", "not_leaf")}),
    ({"tracking_id": "LPR-2026-XYZ"}, {("tracking_id", "invalid")}),
    ({"event_id": ""}, {("event_id", "required")}),
    ({"reporter": {"name": None, "nik": None, "phone": None, "email": None}},
     {("reporter.name", "required"), ("reporter", "contact_required")}),
])
def test_record_rules_name_fields_as_in_the_record(categories, directory, change, expected):
    record = {**_submission(), **change}
    errors = validate_submission_record(record, categories=categories, directory=directory)
    assert {(e.field, e.code) for e in errors} == expected
    for error in errors:  # messages speak of the record's own field names
        assert error.message.startswith(error.field) or error.code == "contact_required"


def test_a_connector_record_may_leave_the_tracking_id_to_the_hub(categories, directory):
    record = {**_submission(), "tracking_id": "", "channel": "connector", "privacy": "ANONYMOUS",
              "reporter": {"name": None, "nik": None, "phone": None, "email": None}}
    assert validate_submission_record(record, categories=categories, directory=directory) == []
