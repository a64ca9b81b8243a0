"""The GeoReport v2 documents (no services): XML that validates against the specification's
structure, JSON that says the same, errors in the specification's format."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone

import pytest
import xmlschema

from lapor_hub.streams.directory import default_directory
from lapor_hub.streams.routing import default_categories
from lapor_hub.streams.web.open311 import documents, reading, services
from tests.web.open311.xsd import validate_xml

CATEGORIES = default_categories()
DIRECTORY = default_directory()
SUBMITTED = datetime(2026, 11, 2, 1, 30, tzinfo=UTC)


def _row(**changes) -> dict:
    row = {"tracking_id": "LPR-20261102-9QAWP8RN", "status": "in_progress", "category": "infrastructure.road.regency",
           "classification": "complaint", "region_code": "18.10.05", "agency": "18.10", "agency_name": "KAB. PRINGSEWU",
           "content_hidden": False, "title": "Jalan berlubang", "description": "Jalan menuju pasar berlubang besar.",
           "submitted_at": SUBMITTED, "updated_at": SUBMITTED + timedelta(days=2), "closed_at": None,
           "due_at": SUBMITTED + timedelta(days=7), "note": "Follow-up recorded by KAB. PRINGSEWU"}
    return {**row, **changes}


def _request(row: dict, locale: str = "id") -> dict:
    return reading.service_request(row, locale=locale, directory=DIRECTORY,
                                   service_name=lambda code: services.service_name(CATEGORIES, code, locale))


@pytest.mark.parametrize("locale", services.LOCALES)
def test_the_service_list_validates_and_names_every_leaf_in_the_locale(locale):
    listed = services.service_list(CATEGORIES, locale)
    reply = documents.render("xml", "services", listed)
    validate_xml(reply.body)
    codes = [s.findtext("service_code") for s in ET.fromstring(reply.body)]
    assert codes == [leaf.code for leaf in CATEGORIES.leaves()]
    road = next(s for s in listed if s["service_code"] == "infrastructure.road.regency")
    leaf = CATEGORIES.get("infrastructure.road.regency")
    assert road["service_name"] == (leaf.label_en if locale == "en" else leaf.label_id)
    assert leaf.label_id in road["keywords"] and leaf.label_en in road["keywords"]
    assert json.loads(documents.render("json", "services", listed).body) == listed


def test_a_service_definition_asks_for_the_privacy_choice_and_offers_the_classifications():
    definition = services.service_definition("infrastructure.road.regency", "en")
    validate_xml(documents.render("xml", "service_definition", definition).body)
    by_code = {a["code"]: a for a in definition["attributes"]}
    assert by_code["privacy"]["required"] is True
    assert {v["key"] for v in by_code["privacy"]["values"]} == {"public", "confidential", "anonymous"}
    assert by_code["classification"]["required"] is False
    assert [v["key"] for v in by_code["classification"]["values"]] == ["complaint", "aspiration",
                                                                       "information_request"]


def test_a_service_request_validates_and_maps_the_lifecycle():
    request = _request(_row())
    assert request["status"] == "open"
    assert request["agency_responsible"] == "KAB. PRINGSEWU (18.10)"
    assert request["expected_datetime"] == SUBMITTED + timedelta(days=7)
    assert "in progress (ditindaklanjuti)" in request["status_notes"]
    assert request["status_notes"].endswith("Follow-up recorded by KAB. PRINGSEWU")
    assert request["address"] == "KAB. PRINGSEWU, PROVINSI LAMPUNG"
    body = documents.render("xml", "service_requests", [request]).body
    validate_xml(body)
    element = ET.fromstring(body).find("request")
    assert element is not None
    assert element.findtext("requested_datetime") == "2026-11-02T01:30:00Z"
    assert element.findtext("expected_datetime") == "2026-11-09T01:30:00Z"


def test_a_closed_request_has_no_deadline_and_was_updated_when_it_closed():
    closed_at = SUBMITTED + timedelta(days=20)
    request = _request(_row(status="closed", closed_at=closed_at, updated_at=closed_at + timedelta(days=1)))
    assert request["status"] == "closed" and request["expected_datetime"] is None
    assert request["updated_datetime"] == closed_at
    validate_xml(documents.render("xml", "service_requests", [request]).body)


def test_an_information_request_is_the_ppids_and_triage_is_the_national_admins():
    assert _request(_row(classification="information_request"))["agency_responsible"] == \
        "PPID KAB. PRINGSEWU (18.10)"
    triage = _request(_row(status="triage", agency=None, agency_name=None))
    assert triage["agency_responsible"].startswith("Admin Nasional SP4N-LAPOR!")
    assert "verifikasi" in triage["status_notes"]


def test_a_confidential_request_has_no_description():
    request = _request(_row(content_hidden=True, description=None, title=None))
    assert request["description"] is None
    root = ET.fromstring(documents.render("xml", "service_requests", [request]).body)
    assert root.findtext("request/description") == ""


def test_errors_are_the_specifications_document_in_both_formats():
    reply = documents.render_errors("xml", 404, ["service_code names no service"])
    validate_xml(reply.body)
    assert reply.status == 404 and reply.headers["Content-Type"].startswith("text/xml")
    root = ET.fromstring(reply.body)
    assert [(e.findtext("code"), e.findtext("description")) for e in root] == [("404",
                                                                                "service_code names no service")]
    as_json = documents.render_errors("json", 400, ["a", "b"])
    assert json.loads(as_json.body) == [{"code": 400, "description": "a"}, {"code": 400, "description": "b"}]
    # an unknown format is answered in the required one
    assert documents.render_errors("yaml", 404, ["x"]).headers["Content-Type"].startswith("text/xml")


def test_text_that_xml_cannot_carry_is_replaced_so_the_document_stays_well_formed():
    reply = documents.render("xml", "service_requests", [_request(_row(description="jalan\x00rusak\x1b"))])
    validate_xml(reply.body)
    assert ET.fromstring(reply.body).findtext("request/description") == "jalan\ufffdrusak\ufffd"


def test_times_are_w3c_in_utc():
    wib = timezone(timedelta(hours=7))
    assert documents.w3c(datetime(2026, 1, 1, 7, 0, 30, 999, tzinfo=wib)) == "2026-01-01T00:00:30Z"


def test_the_xsd_refuses_what_the_specification_does_not_allow():
    # The validator used by these tests has teeth: a made-up status and a bad date are refused.
    bad = documents.render("xml", "service_requests", [{**_request(_row()), "status": "pending"}]).body
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        validate_xml(bad)
    naive = b"<?xml version='1.0' encoding='UTF-8'?>\n<errors><error><code>400</code></error></errors>"
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        validate_xml(naive)
