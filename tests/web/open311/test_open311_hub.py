"""Open311 GeoReport v2 on a real hub worker against the real broker: a third-party client from
PyPI (``georeport``) and raw HTTP, both formats, the lifecycle behind it, and every refusal in the
specification's error format."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from georeport import GeoReport
from kafka import KafkaConsumer, TopicPartition

from lapor_hub.streams.core import topics
from tests.hub.harness import Credentials, InboxReader, bearer, http, start_hub, wait_for
from tests.web.open311.xsd import validate_xml

pytestmark = pytest.mark.kafka

ROAD = "infrastructure.road.regency"
PRINGSEWU = "18.10"
REPORTER_NAME = "Siti Rahmawati"
PHONE = "081234567890"


@pytest.fixture(scope="module")
def hub(kafka_broker, hub_topics, tmp_path_factory):
    process = start_hub(kafka_broker.bootstrap, tmp_path_factory.mktemp("open311-hub"))
    yield process
    assert process.stop() == 0, process.log()[-3000:]


@pytest.fixture(scope="module")
def creds(hub):
    return Credentials(hub.data_dir)


@pytest.fixture(scope="module")
def api_key(creds):
    return creds.api_key("open311-pringsewu")


def raw(method: str, url: str, *, form: dict | None = None, headers: dict | None = None) -> tuple[int, bytes, dict]:
    data = urlencode(form).encode() if form is not None else None
    sent = {"Content-Type": "application/x-www-form-urlencoded"} if form is not None else {}
    request = urllib.request.Request(url, data=data, method=method, headers={**sent, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read(), dict(err.headers)


def filing(api_key: str | None, **changes) -> dict:
    form = {"api_key": api_key, "jurisdiction_id": PRINGSEWU, "service_code": ROAD, "lat": "-5.3582",
            "long": "104.9744", "description": "Jalan menuju pasar Pringsewu berlubang besar dan membahayakan "
                                               "pengendara motor.", "first_name": "Siti", "last_name": "Rahmawati",
            "phone": PHONE, "attribute[privacy]": "public", **changes}
    return {k: v for k, v in form.items() if v is not None}


def file_request(hub, api_key: str, fmt: str = "json", **changes) -> tuple[str, str]:
    """(service_request_id, reporter token) of a request filed through POST requests."""
    status, body, headers = raw("POST", f"{hub.base_url}/open311/v2/requests.{fmt}", form=filing(api_key, **changes))
    assert status == 202, body
    if fmt == "xml":
        validate_xml(body)
        request_id = ET.fromstring(body).findtext("request/service_request_id")
    else:
        [answer] = json.loads(body)
        request_id = answer["service_request_id"]
        assert set(answer) == {"service_request_id", "service_notice", "account_id"}
    assert request_id and request_id.startswith("LPR-")
    return request_id, headers["Reporter-Token"]


def read_request(hub, request_id: str, fmt: str = "json", **query) -> tuple[int, bytes]:
    status, body, _ = raw("GET", f"{hub.base_url}/open311/v2/requests/{request_id}.{fmt}?{urlencode(query)}")
    return status, body


def wait_for_request(hub, request_id: str, *, agency: str | None = None) -> dict:
    def shown():
        status, body = read_request(hub, request_id)
        if status != 200:
            return None
        [request] = json.loads(body)
        return request if agency is None or f"({agency})" in request["agency_responsible"] else None

    return wait_for(shown, timeout=60, what=f"{request_id} on GET requests/{{id}}")


def errors_of(body: bytes, fmt: str) -> list[tuple[int, str]]:
    if fmt == "xml":
        validate_xml(body)
        return [(int(e.findtext("code") or 0), e.findtext("description") or "") for e in ET.fromstring(body)]
    return [(e["code"], e["description"]) for e in json.loads(body)]


def intake_records(bootstrap: str) -> int:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topics.INTAKE, p) for p in consumer.partitions_for_topic(topics.INTAKE)]
        return sum(consumer.end_offsets(partitions).values())
    finally:
        consumer.close()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_third_party_client_lists_services_and_reads_requests(hub, api_key, fmt):
    request_id, _ = file_request(hub, api_key)
    wait_for_request(hub, request_id, agency=PRINGSEWU)
    client = GeoReport(f"{hub.base_url}/open311/v2", jurisdiction=PRINGSEWU, output_format=fmt)
    services = client.get_service_list()
    assert len(services) > 200
    road = next(s for s in services if s["service_code"] == ROAD)
    assert road["service_name"] and road["group"]
    definition = client.get_service_definition(ROAD)
    attributes = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    assert {a["code"] for a in attributes} == {"privacy", "classification", "title"}
    [listed] = [r for r in _listed(client.get_service_requests(service_code=ROAD, status="open"))
                if r["service_request_id"] == request_id]
    assert listed["service_code"] == ROAD and listed["status"] == "open"
    one = client.get_service_request(request_id)
    assert one["service_request_id"] == request_id and "KAB. PRINGSEWU" in one["agency_responsible"]


def _listed(found) -> list[dict]:
    # xmltodict gives one repeated element as a dict, several as a list
    return found if isinstance(found, list) else [found]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_request_filed_in_either_format_is_read_back_in_both(hub, api_key, fmt):
    request_id, token = file_request(hub, api_key, fmt, **{"attribute[classification]": "aspiration"})
    assert token.startswith("lrt_")
    request = wait_for_request(hub, request_id, agency=PRINGSEWU)
    assert request["service_code"] == ROAD and request["status"] == "open"
    assert request["description"].startswith("Jalan menuju pasar Pringsewu")
    assert request["address"] == "KAB. PRINGSEWU, PROVINSI LAMPUNG"
    assert request["expected_datetime"] is not None  # the agency's first follow-up deadline runs
    assert "Aspirasi" in request["service_notice"]
    status, body = read_request(hub, request_id, "xml", locale="en")
    assert status == 200
    validate_xml(body)
    element = ET.fromstring(body).find("request")
    assert element is not None and element.findtext("service_request_id") == request_id
    assert "aspiration" in (element.findtext("service_notice") or "")


def test_a_request_reaches_the_agencys_inbox_and_its_status_follows_the_lifecycle(hub, api_key, creds):
    inbox = InboxReader(hub.bootstrap, topics.inbox(PRINGSEWU))
    try:
        request_id, token = file_request(hub, api_key, **{"attribute[classification]": "information_request"})
        [(_, disposition, _)] = inbox.find(lambda t, v, h: t == "ComplaintDispositioned"
                                           and v["tracking_id"] == request_id, what="the disposition")
    finally:
        inbox.close()
    assert disposition["agency"]["code"] == PRINGSEWU and disposition["category"] == ROAD
    assert disposition["classification"] == "INFORMATION_REQUEST" and disposition["unit"]
    request = wait_for_request(hub, request_id, agency=PRINGSEWU)
    assert request["agency_responsible"] == f"PPID KAB. PRINGSEWU ({PRINGSEWU})"
    officer = bearer(creds.token("siti-pringsewu", "agency-officer", PRINGSEWU))
    actions = f"{hub.base_url}/api/v1/agencies/{PRINGSEWU}/complaints/{request_id}/actions"

    def status_notes_say(words: str):
        return wait_for(lambda: words in (wait_for_request(hub, request_id)["status_notes"] or ""), timeout=60,
                        what=f"status_notes saying {words!r}")

    for action, words in ((({"type": "accept"}), "accepted"),
                          ({"type": "follow_up", "note": "Tim PPID menyiapkan dokumen"}, "in progress"),
                          ({"type": "respond", "response": "Dokumen anggaran terlampir di situs PPID"}, "responded")):
        assert http("POST", actions, action, officer)[0] == 202
        status_notes_say(words)
        assert wait_for_request(hub, request_id)["status"] == "open"
    closed = http("POST", f"{hub.base_url}/api/v1/complaints/{request_id}/close", {}, bearer(token))
    assert closed[0] == 202, closed
    request = wait_for(lambda: (r := wait_for_request(hub, request_id))["status"] == "closed" and r, timeout=60,
                       what="closed")
    assert request["expected_datetime"] is None and "selesai" in request["status_notes"]
    # the specification's filters see it move
    listing = f"{hub.base_url}/open311/v2/requests.json?jurisdiction_id={PRINGSEWU}"
    closed_ids = [r["service_request_id"] for r in json.loads(raw("GET", f"{listing}&status=closed")[1])]
    open_ids = [r["service_request_id"] for r in json.loads(raw("GET", f"{listing}&status=open")[1])]
    assert request_id in closed_ids and request_id not in open_ids


def test_the_reporter_rates_the_response_with_the_token_and_the_agency_statistics_show_it(hub, api_key, creds):
    request_id, token = file_request(hub, api_key, jurisdiction_id="18.71")  # Kota Bandar Lampung
    other_id, other_token = file_request(hub, api_key, jurisdiction_id="18.71")
    wait_for_request(hub, request_id, agency="18.71")
    rating_url = f"{hub.base_url}/api/v1/complaints/{request_id}/rating"
    assert http("POST", rating_url, {"rating": 4}, bearer(token))[0] == 409  # no response yet
    officer = bearer(creds.token("joko-bandarlampung", "agency-officer", "18.71"))
    actions = f"{hub.base_url}/api/v1/agencies/18.71/complaints/{request_id}/actions"
    for action in ({"type": "accept"}, {"type": "respond", "response": "Jalan sudah ditambal hari ini"}):
        assert http("POST", actions, action, officer)[0] == 202
    wait_for(lambda: "responded" in (wait_for_request(hub, request_id)["status_notes"] or ""), timeout=60,
             what="responded")
    assert http("POST", rating_url, {"rating": 4})[0] == 401
    assert http("POST", rating_url, {"rating": 4}, bearer(other_token))[0] == 403
    assert http("POST", rating_url, {"rating": 6}, bearer(token))[0] == 422
    assert http("POST", rating_url, {"rating": 2, "comment": "Tambalan sudah rusak lagi"}, bearer(token))[0] == 202

    def rated():
        _, stats = http("GET", f"{hub.base_url}/api/v1/agencies/18.71/stats")
        return stats["ratings"]["count"] >= 1 and stats

    stats = wait_for(rated, timeout=60, what="the rating in the agency's statistics")
    assert stats["ratings"]["count"] == 1 and stats["ratings"]["average"] == 2
    assert stats["by_classification"]["complaint"] >= 2
    assert "Tambalan" not in json.dumps(stats)  # the comment is for the case file, not for statistics
    assert other_id != request_id


def test_privacy_holds_no_identity_and_no_content_of_a_confidential_report(hub, api_key):
    secret = "Petugas kelurahan meminta uang pelicin untuk surat keterangan domisili warga."
    anonymous, _ = file_request(hub, api_key, **{"attribute[privacy]": "anonymous"})
    confidential, _ = file_request(hub, api_key, description=secret, **{"attribute[privacy]": "confidential"})
    for request_id in (anonymous, confidential):
        wait_for_request(hub, request_id, agency=PRINGSEWU)
    query = urlencode({"jurisdiction_id": PRINGSEWU, "service_request_id": f"{anonymous},{confidential}"})
    for fmt in ("json", "xml"):
        status, body, _ = raw("GET", f"{hub.base_url}/open311/v2/requests.{fmt}?{query}")
        assert status == 200
        text = body.decode()
        assert anonymous in text and confidential in text
        for private in (REPORTER_NAME, "Rahmawati", PHONE, "-5.3582", "104.9744", secret[:30]):
            assert private not in text, (fmt, private)
    [shown] = [r for r in json.loads(read_request(hub, confidential)[1])]
    assert shown["description"] is None


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_refusals_are_in_the_specifications_error_format(hub, api_key, creds, fmt):
    base = f"{hub.base_url}/open311/v2"
    before = intake_records(hub.bootstrap)
    cases = [
        (raw("GET", f"{base}/services/no.such.service.{fmt}"), 404, "service_code"),
        (raw("GET", f"{base}/services/infrastructure.{fmt}"), 404, "service_code"),  # a group, not a service
        (raw("GET", f"{base}/requests.{fmt}?jurisdiction_id=99.99"), 404, "jurisdiction_id"),
        (raw("GET", f"{base}/requests.{fmt}"), 400, "jurisdiction_id is required"),
        (raw("GET", f"{base}/services.{fmt}?jurisdiction_id=Lampung"), 404, "jurisdiction_id"),
        (raw("GET", f"{base}/requests.{fmt}?jurisdiction_id=18&status=pending"), 400, "status"),
        (raw("GET", f"{base}/requests/LPR-20990101-AAAAAAAA.{fmt}"), 404, "service_request_id"),
        (raw("POST", f"{base}/requests.{fmt}", form=filing(api_key, service_code="no.such.service")), 400,
         "service_code"),
        (raw("POST", f"{base}/requests.{fmt}", form=filing(api_key, jurisdiction_id="99.99")), 400,
         "jurisdiction_id"),
        (raw("POST", f"{base}/requests.{fmt}", form=filing(api_key, **{"attribute[privacy]": None})), 400,
         "attribute[privacy]"),
        (raw("POST", f"{base}/requests.{fmt}", form=filing(None)), 403, "api_key is required"),
        (raw("POST", f"{base}/requests.{fmt}", form=filing("lapor_0123456789ab_" + "x" * 43)), 403,
         "api_key is not valid"),
        (raw("POST", f"{base}/requests.{fmt}", form=filing(creds.api_key("prometheus", role="operator"))), 403,
         "not a channel's key"),
        (raw("POST", f"{base}/requests.{fmt}", form=filing(creds.token("made", "agency-admin", PRINGSEWU))), 403,
         "not a channel's key"),
        (raw("DELETE", f"{base}/requests.{fmt}"), 405, "use GET, POST"),
    ]
    for (status, body, headers), expected_status, words in cases:
        assert status == expected_status, (words, status, body[:300])
        assert headers["Content-Type"].startswith("text/xml" if fmt == "xml" else "application/json")
        problems = errors_of(body, fmt)
        assert problems and all(code == expected_status for code, _ in problems)
        assert any(words in description for _, description in problems), (words, problems)
        assert PHONE not in body.decode()
    assert intake_records(hub.bootstrap) == before, "a refused filing was stored"


def test_an_unknown_format_is_refused_in_xml(hub):
    status, body, headers = raw("GET", f"{hub.base_url}/open311/v2/services.yaml")
    assert status == 404 and headers["Content-Type"].startswith("text/xml")
    assert "xml or json" in errors_of(body, "xml")[0][1]


def test_discovery_names_the_endpoint_and_its_formats(hub):
    for fmt in ("xml", "json"):
        status, body, _ = raw("GET", f"{hub.base_url}/open311/v2/discovery.{fmt}")
        assert status == 200
        if fmt == "xml":
            validate_xml(body)
            continue
        document = json.loads(body)
        [endpoint] = document["endpoints"]
        assert endpoint["url"] == f"{hub.base_url}/open311/v2/"
        assert endpoint["formats"] == ["text/xml", "application/json"]
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
