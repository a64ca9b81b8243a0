"""A POST requests form mapped onto a complaint, and every problem with it named (never its values)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lapor_hub.streams.directory import default_directory
from lapor_hub.streams.intake.validation import validate_complaint
from lapor_hub.streams.routing import default_categories
from lapor_hub.streams.web.open311.filing import FormError, complaint_body, describe, parse_form

FORM = {"api_key": "lapor_0123456789ab_" + "x" * 43, "jurisdiction_id": "18.10", "service_code":
        "infrastructure.road.regency", "lat": "-5.3582", "long": "104.9744",
        "description": "Jalan menuju pasar Pringsewu berlubang besar.\nSudah tiga bulan tidak diperbaiki.",
        "first_name": "Siti", "last_name": "Rahmawati", "phone": "081234567890", "attribute[privacy]": "public",
        "attribute[classification]": "aspiration"}


def _body(**changes) -> dict:
    form = {**FORM, **changes}
    return complaint_body(parse_form(urlencode({k: v for k, v in form.items() if v is not None}).encode()))


def test_a_form_becomes_a_valid_complaint_of_the_open311_channel():
    body = _body()
    assert body["category"] == "infrastructure.road.regency" and body["region_code"] == "18.10"
    assert body["channel"] == "open311" and body["privacy"] == "public" and body["classification"] == "aspiration"
    assert body["title"] == "Jalan menuju pasar Pringsewu berlubang besar."
    assert body["location"] == {"lat": -5.3582, "lon": 104.9744, "address": None}
    assert body["reporter"] == {"name": "Siti Rahmawati", "phone": "081234567890", "email": None}
    assert validate_complaint(body, categories=default_categories(), directory=default_directory()) == []


def test_an_address_is_enough_and_the_classification_defaults_to_a_complaint():
    body = _body(lat=None, long=None, address_string="Jl. Pasar No. 1, Pringsewu", **{"attribute[classification]":
                                                                                      None})
    assert body["location"]["address"] == "Jl. Pasar No. 1, Pringsewu" and body["classification"] is None
    assert validate_complaint(body, categories=default_categories(), directory=default_directory()) == []


def test_a_long_first_line_is_cut_at_a_word_for_the_title():
    body = _body(description="kata " * 60)
    assert len(body["title"]) <= 150 and body["title"].endswith("…") and " kat…" not in body["title"]


@pytest.mark.parametrize(("changes", "expected"), [
    ({"lat": None}, "lat and long are sent together"),
    ({"lat": None, "long": None}, "a location is required"),
    ({"lat": "nan"}, "lat must be a number"),
    ({"address_id": "123"}, "address_id is not supported"),
    ({"attribute[colour]": "red"}, "attribute[colour] is not an attribute of this service"),
])
def test_what_cannot_map_is_named(changes, expected):
    with pytest.raises(FormError) as raised:
        _body(**changes)
    assert any(expected in problem for problem in raised.value.problems), raised.value.problems


def test_a_form_that_cannot_be_read_is_refused_naming_parameters_not_values():
    with pytest.raises(FormError) as raised:
        parse_form(b"service_code=a&service_code=b&nik=1810015708900003&attribute[x][]=1")
    problems = " ".join(raised.value.problems)
    assert "service_code is given more than once" in problems
    assert "nik is not a parameter of POST requests" in problems
    assert "1810015708900003" not in problems
    with pytest.raises(FormError, match="not UTF-8"):
        parse_form(b"description=\xff\xfe")


def test_the_complaints_own_rules_are_said_in_the_forms_words():
    body = _body(**{"attribute[privacy]": None, "jurisdiction_id": "99.99", "service_code": "infrastructure"})
    described = describe(validate_complaint(body, categories=default_categories(), directory=default_directory()))
    text = " | ".join(described)
    assert "attribute[privacy]" in text and "jurisdiction_id" in text and "service_code" in text
    assert "region_code" not in text and "category " not in text
    public_without_contact = _body(phone=None, first_name=None, last_name=None)
    described = describe(validate_complaint(public_without_contact, categories=default_categories(),
                                            directory=default_directory()))
    assert described and "081234567890" not in " ".join(described)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400) | st.dictionaries(
    st.sampled_from(sorted(FORM) + ["attribute[title]", "address_string", "address_id", "media_url", "x"]),
    st.text(max_size=80), max_size=12).map(lambda form: urlencode(form).encode()))
def test_hostile_forms_are_refused_with_reasons_never_crash(raw):
    try:
        body = complaint_body(parse_form(raw))
    except FormError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
        return
    errors = validate_complaint(body, categories=default_categories(), directory=default_directory())
    assert all(message for message in describe(errors))
