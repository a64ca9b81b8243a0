"""validate_complaint: one test (or one parametrised row) per rule of the JSON body."""

from __future__ import annotations

from typing import Any

import pytest

from lapor_hub.streams.intake.validation import MAX_ATTACHMENT_BYTES, FieldError, validate_complaint
from tests.intake.conftest import EMAIL, NAME, NIK, PHONE, complaint_body


@pytest.fixture
def check(categories, directory):
    def run(body: Any, **kwargs: Any) -> set[tuple[str, str]]:
        errors = validate_complaint(body, categories=categories, directory=directory, **kwargs)
        assert all(isinstance(e, FieldError) and e.message for e in errors)
        return {(e.field, e.code) for e in errors}

    return run


def _with(section: str, **fields: Any) -> dict[str, Any]:
    body = complaint_body()
    body[section] = {**body[section], **fields}
    return body


def _attachment(**fields: Any) -> dict[str, Any]:
    base = {"name": "bukti.pdf", "content_type": "application/pdf", "url": "https://files.lapor.go.id/b.pdf"}
    return {**base, **fields}


def test_a_complete_public_complaint_is_valid(check):
    assert check(complaint_body()) == set()


def test_a_minimal_anonymous_complaint_needs_no_identity_location_or_attachments(check):
    body = complaint_body(privacy="anonymous")
    for optional in ("reporter", "location", "attachments"):
        del body[optional]
    assert check(body) == set()


@pytest.mark.parametrize("privacy", ["public", "confidential"])
def test_a_named_report_needs_a_name_and_one_contact(check, privacy):
    assert check(complaint_body(privacy=privacy, reporter={})) == {
        ("reporter.name", "required"), ("reporter", "contact_required")}
    assert check(complaint_body(privacy=privacy, reporter={"name": NAME, "email": EMAIL})) == set()
    assert check(complaint_body(privacy=privacy, reporter={"name": NAME, "phone": PHONE})) == set()
    assert check(complaint_body(privacy=privacy, reporter={"name": "  ", "phone": "", "email": ""})) == {
        ("reporter.name", "required"), ("reporter", "contact_required")}


def test_identity_given_with_an_anonymous_report_is_still_checked(check):
    body = complaint_body(privacy="anonymous", reporter={"phone": "12345"})
    assert check(body) == {("reporter.phone", "invalid")}


@pytest.mark.parametrize("field", ["title", "description", "category", "region_code", "channel", "privacy"])
@pytest.mark.parametrize("missing", [None, "", "   "])
def test_required_fields(check, field, missing):
    body = complaint_body()
    if missing is None:
        del body[field]
    else:
        body[field] = missing
    assert (field, "required") in check(body)


@pytest.mark.parametrize(("field", "low", "high"), [("title", 10, 150), ("description", 20, 5000)])
def test_text_lengths_count_trimmed_characters(check, field, low, high):
    assert check(complaint_body(**{field: "x" * low})) == set()
    assert check(complaint_body(**{field: "é" * high})) == set()
    assert check(complaint_body(**{field: "  " + "x" * (low - 1) + "  "})) == {(field, "too_short")}
    assert check(complaint_body(**{field: "x" * (high + 1)})) == {(field, "too_long")}


def test_text_fields_must_be_text(check):
    assert check(complaint_body(title=12345678901)) == {("title", "type")}


@pytest.mark.parametrize(("category", "code"), [
    ("civil_registry", "not_leaf"),
    ("health.hospital.public", "not_leaf"),
    ("civil_registry.passport", "unknown"),
    ("CIVIL_REGISTRY.ID_CARD", "unknown"),
])
def test_category_must_be_a_leaf_of_the_tree(check, category, code):
    assert check(complaint_body(category=category)) == {("category", code)}


@pytest.mark.parametrize("region", ["18", "18.10", "18.10.05", "18.10.05.2001", "91.01", "31.71"])
def test_known_region_codes(check, region):
    assert check(complaint_body(region_code=region)) == set()


@pytest.mark.parametrize(("region", "code"), [
    ("18.99", "unknown"),       # no such regency in Lampung
    ("18.99.05", "unknown"),    # a district inside a regency that does not exist
    ("99", "unknown"),          # no such province
    ("18.1", "invalid"),
    ("1810", "invalid"),
    ("18.10.5", "invalid"),
    ("KEMENKES", "invalid"),
])
def test_unknown_or_malformed_region_codes(check, region, code):
    assert check(complaint_body(region_code=region)) == {("region_code", code)}


def test_agency_is_optional_but_must_be_known(check):
    assert check(complaint_body(agency="KEMENKES")) == set()
    assert check(complaint_body(agency="18.10")) == set()
    assert check(complaint_body(agency=None)) == set()
    assert check(complaint_body(agency="")) == set()
    assert check(complaint_body(agency="KEMENTERIAN_FIKTIF")) == {("agency", "unknown")}


@pytest.mark.parametrize("channel", ["web", "sms", "twitter", "mobile", "open311", "agency_app", "email", "connector"])
def test_documented_channels(check, channel):
    assert check(complaint_body(channel=channel)) == set()


@pytest.mark.parametrize("channel", ["fax", "WEB", "sms-1708"])
def test_undocumented_channels(check, channel):
    assert check(complaint_body(channel=channel)) == {("channel", "unknown")}


@pytest.mark.parametrize("privacy", ["PUBLIC", "rahasia", "private"])
def test_privacy_is_one_of_three_lower_case_words(check, privacy):
    assert check(complaint_body(privacy=privacy)) == {("privacy", "unknown")}


@pytest.mark.parametrize("classification", ["complaint", "aspiration", "information_request", None, ""])
def test_classification_is_optional_and_one_of_three(check, classification):
    assert check(complaint_body(classification=classification)) == set()


@pytest.mark.parametrize("classification", ["COMPLAINT", "pengaduan", "question", 3])
def test_other_classifications_are_refused(check, classification):
    expected = "type" if not isinstance(classification, str) else "unknown"
    assert check(complaint_body(classification=classification)) == {("classification", expected)}


@pytest.mark.parametrize(("nik", "code"), [
    ("181001550790000", "invalid"),      # 15 digits
    ("18100155079000031", "invalid"),    # 17 digits
    ("18100155079O0003", "invalid"),     # a letter O
    ("1810 0155 0790 0003", "invalid"),
    ("9910015507900003", "implausible"),  # 99 is no province
    ("1810013207900003", "implausible"),  # day 32
    ("1810014007900003", "implausible"),  # day 40 (neither a man's nor a woman's)
    ("1810017207900003", "implausible"),  # day 72
    ("1810011513900003", "implausible"),  # month 13
])
def test_nik_rules(check, nik, code):
    assert check(_with("reporter", nik=nik)) == {("reporter.nik", code)}


@pytest.mark.parametrize("nik", ["1810010101900001", "3171017112990002", "9101014108000003"])
def test_plausible_niks(check, nik):
    assert check(_with("reporter", nik=nik)) == set()


@pytest.mark.parametrize("phone", [
    "+6281234567890", "081234567890", "0812 3456 7890", "0812-3456-789", "+62 21 5550123", "0215550123",
    "+62812345678901",
])
def test_indonesian_phone_numbers(check, phone):
    assert check(_with("reporter", phone=phone)) == set()


@pytest.mark.parametrize("phone", [
    "12345", "6281234567890", "+6181234567890", "+62081234567890", "08123456", "+6281234567890123",
    "0812.3456.7890", "+62-812-ABC-7890",
])
def test_not_indonesian_phone_numbers(check, phone):
    assert check(_with("reporter", phone=phone)) == {("reporter.phone", "invalid")}


@pytest.mark.parametrize(("email", "valid"), [
    ("warga@contoh.id", True),
    ("nama.panjang+lapor@sub.contoh.go.id", True),
    ("warga@contoh", False),
    ("warga contoh@contoh.id", False),
    ("@contoh.id", False),
    ("warga@@contoh.id", False),
    ("warga@-contoh.id", False),
])
def test_email_format(check, email, valid):
    assert check(_with("reporter", email=email)) == (set() if valid else {("reporter.email", "invalid")})


def test_field_length_limits_of_name_and_address(check):
    assert check(_with("reporter", name="n" * 100)) == set()
    assert check(_with("reporter", name="n" * 101)) == {("reporter.name", "too_long")}
    assert check(_with("location", address="a" * 300)) == set()
    assert check(_with("location", address="a" * 301)) == {("location.address", "too_long")}


@pytest.mark.parametrize(("lat", "lon", "expected"), [
    (90, 180, set()),
    (-90.0, -180.0, set()),
    (48.8566, 2.3522, set()),            # a consulate abroad: not limited to Indonesia
    (90.01, 0, {("location.lat", "out_of_range")}),
    (0, -180.5, {("location.lon", "out_of_range")}),
    ("-5.3", 104.9, {("location.lat", "type")}),
    (True, 104.9, {("location.lat", "type")}),
    (float("nan"), 104.9, {("location.lat", "type")}),
    (-5.3, None, {("location", "incomplete")}),
    (None, None, set()),
])
def test_coordinates(check, lat, lon, expected):
    assert check(_with("location", lat=lat, lon=lon)) == expected


def test_location_must_be_an_object(check):
    assert check(complaint_body(location="Pringsewu")) == {("location", "type")}


def test_at_most_five_attachments(check):
    assert check(complaint_body(attachments=[_attachment()] * 5)) == set()
    assert check(complaint_body(attachments=[_attachment()] * 6)) == {("attachments", "too_many")}


@pytest.mark.parametrize(("attachment", "expected"), [
    (_attachment(size_bytes=MAX_ATTACHMENT_BYTES), set()),
    (_attachment(size_bytes=MAX_ATTACHMENT_BYTES + 1), {("attachments.0.size_bytes", "too_large")}),
    (_attachment(size_bytes=-1), {("attachments.0.size_bytes", "out_of_range")}),
    (_attachment(size_bytes="1kB"), {("attachments.0.size_bytes", "type")}),
    (_attachment(url="http://files.lapor.go.id/b.pdf"), {("attachments.0.url", "not_https")}),
    (_attachment(url="https:///no-host"), {("attachments.0.url", "not_https")}),
    (_attachment(url="javascript:alert(1)"), {("attachments.0.url", "not_https")}),
    (_attachment(content_type="pdf"), {("attachments.0.content_type", "invalid")}),
    ({"url": "https://files.lapor.go.id/b.pdf"},
     {("attachments.0.name", "required"), ("attachments.0.content_type", "required")}),
    ("https://files.lapor.go.id/b.pdf", {("attachments.0", "type")}),
])
def test_attachment_rules(check, attachment, expected):
    assert check(complaint_body(attachments=[attachment])) == expected


def test_payload_size_limit(check):
    body = complaint_body(description="x" * 4000)
    assert check(body, max_bytes=64_000) == set()
    assert check(body, max_bytes=2_000) == {("payload", "too_large")}


def test_a_body_that_is_not_an_object(check):
    assert check(["not", "an", "object"]) == {("payload", "type")}


def test_unknown_fields_are_rejected_so_a_typo_is_not_lost(check):
    body = complaint_body(regioncode="18.10")
    body["reporter"] = {**body["reporter"], "telepon": PHONE}
    assert check(body) == {("regioncode", "unknown_field"), ("reporter.telepon", "unknown_field")}


def test_an_unknown_key_that_does_not_look_like_a_field_name_is_not_repeated(categories, directory):
    body = complaint_body(**{NIK: "x"})
    errors = validate_complaint(body, categories=categories, directory=directory)
    assert [(e.field, e.code) for e in errors] == [("(unnamed)", "unknown_field")]
    assert NIK not in repr(errors)


def test_every_problem_is_reported_at_once(check):
    body = complaint_body(title="short", category="civil_registry", channel="fax", region_code="99")
    assert check(body) == {("title", "too_short"), ("category", "not_leaf"), ("channel", "unknown"),
                           ("region_code", "unknown")}
