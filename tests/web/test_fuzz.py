"""Hostile input is normal input: no request makes the API answer 500, every error is JSON.

Two ways in, on a real hub:
- schemathesis, driven by the hub's own OpenAPI document, sends valid and invalid requests to
  every operation with the credentials each needs, and checks every answer against the document
  (no server error, documented status codes and content types, response schemas);
- the classes of malformed input that once produced HTTP 500: invalid JSON, JSON that is not an
  object, bodies past the size limits, deep nesting, numbers too large for a float, lone
  surrogates, invalid UTF-8, a wrong Content-Type, oversized headers.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.hub.complaints import complaint_body
from tests.hub.harness import Credentials, bearer, http, start_hub

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
def fuzz_hub(kafka_broker, hub_topics, tmp_path_factory):
    process = start_hub(kafka_broker.bootstrap, tmp_path_factory.mktemp("fuzz-hub"))
    yield process
    assert process.stop() == 0, process.log()[-3000:]


@pytest.fixture(scope="module")
def credentials(fuzz_hub) -> dict[str, dict]:
    """A credential per role, and a real complaint's reporter token, for the operations that need one."""
    creds = Credentials(fuzz_hub.data_dir)
    status, body = http("POST", f"{fuzz_hub.base_url}/api/v1/complaints", complaint_body())
    assert status == 202, body
    return {
        "agency-officer": bearer(creds.token("fuzz-officer", "agency-officer", "18.10")),
        "agency-admin": bearer(creds.token("fuzz-admin", "agency-admin", "18.10")),
        "supervisor": bearer(creds.token("fuzz-supervisor", "supervisor", "18")),
        "national-admin": bearer(creds.token("fuzz-national", "national-admin")),
        "oversight": bearer(creds.token("fuzz-ombudsman", "oversight")),
        "operator": bearer(creds.api_key("fuzz-prometheus", role="operator")),
        "reporter": bearer(body["reporter_token"]),
    }


def _operations(fuzz_hub):
    schema = schemathesis.openapi.from_url(f"{fuzz_hub.base_url}/api/v1/openapi.json")
    operations = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()  # an operation the document cannot describe fails the test, with its reason
        operations.append(result.ok())
    return operations


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_request_makes_the_api_answer_500(fuzz_hub, credentials, mode):
    """Every operation of the document, with data that fits it and data that does not."""
    operations = _operations(fuzz_hub)
    assert len(operations) >= 25
    for operation in operations:
        roles = operation.definition.raw.get("x-lapor-roles") or []
        security = operation.definition.raw.get("security") or []
        if roles:
            auth = credentials[roles[0]]
        else:
            auth = credentials["reporter"] if security == [{"reporterToken": []}] else {}
        try:
            _exchanges(operation, mode, auth)()
        except Unsatisfiable:
            if mode is GenerationMode.POSITIVE:
                raise
            # nothing in this operation can be made invalid (a GET without parameters)


def _exchanges(operation, mode, auth):
    """The property for one operation: generated requests, each answered as the document says."""

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
              database=None)
    @given(case=operation.as_strategy(mode))
    def exchange(case):
        response = case.call(headers={**(case.headers or {}), **auth}, timeout=30)
        checks = (not_a_server_error,) if mode is GenerationMode.NEGATIVE else (
            not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance)
        case.validate_response(response, checks=checks)
        if response.status_code >= 400:
            assert _content_type(response).startswith("application/json"), operation.label
            assert response.json()["error"]["message"], operation.label

    return exchange


def _content_type(response) -> str:
    for name, value in response.headers.items():
        if name.lower() == "content-type":
            return value[0] if isinstance(value, list) else value
    return ""


def _raw(url: str, data: bytes, headers: dict[str, str], method: str = "POST") -> tuple[int, str, dict]:
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("Content-Type", ""), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), json.loads(err.read() or b"null")


_JSON = {"Content-Type": "application/json"}
MALFORMED = {
    "invalid json": (b'{"title": "unterminated', _JSON, 400),
    "json that is not an object": (b'["a", "list"]', _JSON, 400),
    "a bare string": (b'"hello"', _JSON, 400),
    "body past the size limit": (b'{"title": "' + b"x" * 70_000 + b'"}', _JSON, 413),
    "deep nesting": (b'{"a": ' + b"[" * 1500 + b"]" * 1500 + b"}", _JSON, 400),
    "a number too large for a float": (b'{"title": 1e999}', _JSON, 400),
    "an integer of a thousand digits": (b'{"title": ' + b"7" * 1000 + b"}", _JSON, 400),
    "NaN": (b'{"title": NaN}', _JSON, 400),
    "a lone surrogate": (b'{"title": "\\ud83d"}', _JSON, 400),
    "invalid utf-8": (b'{"title": "\xff\xfe"}', _JSON, 400),
    "a form instead of json": (b"title=Jalan+rusak", {"Content-Type": "application/x-www-form-urlencoded"}, 415),
}


@pytest.mark.parametrize("what", sorted(MALFORMED))
@pytest.mark.parametrize("path", ["/api/v1/complaints", "/api/v1/auth/token",
                                  "/api/v1/agencies/18.10/complaints/LPR-20261130-AAAAAAAA/actions",
                                  "/api/v1/complaints/{tracking_id}/replies", "/api/v1/triage/{tracking_id}/hold"])
def test_malformed_bodies_get_a_json_4xx_that_says_why(fuzz_hub, credentials, path, what):
    data, headers, expected = MALFORMED[what]
    if "actions" in path:
        headers = {**headers, **credentials["agency-officer"]}
    elif "triage" in path:
        headers = {**headers, **credentials["national-admin"]}
    elif "replies" in path:
        headers = {**headers, **credentials["reporter"]}
    url = fuzz_hub.base_url + path.replace("{tracking_id}", "LPR-20261130-AAAAAAAA")
    status, content_type, body = _raw(url, data, headers)
    if "replies" in path or "triage" in path or "actions" in path:
        # the complaint does not exist: refused before or after the body is read, never a 500
        assert 400 <= status < 500, (what, status, body)
    else:
        assert status == expected, (what, status, body)
    assert content_type.startswith("application/json") and body["error"]["message"]


def test_unknown_paths_and_methods_answer_json(fuzz_hub):
    status, content_type, body = _raw(f"{fuzz_hub.base_url}/api/v1/nothing-here", b"", {}, method="GET")
    assert status == 404 and content_type.startswith("application/json") and body["error"]["code"] == "not_found"
    status, content_type, body = _raw(f"{fuzz_hub.base_url}/api/v1/complaints", b"", {}, method="DELETE")
    assert status == 405 and body["error"]["code"] == "method_not_allowed"


def test_a_flood_of_submissions_from_one_client_is_answered_429_with_retry_after(kafka_broker, hub_topics,
                                                                               tmp_path_factory):
    hub = start_hub(kafka_broker.bootstrap, tmp_path_factory.mktemp("limited-hub"),
                    extra_env={"LAPOR_RATE_LIMIT_SUBMISSIONS": "3/minute"})
    try:
        answers = [http("POST", f"{hub.base_url}/api/v1/complaints", complaint_body(title=f"Jalan rusak nomor {n}"))
                   for n in range(5)]
        assert [status for status, _ in answers[:3]] == [202, 202, 202]
        status, body = answers[3]
        assert status == 429 and body["error"]["code"] == "rate_limited" and body["error"]["retry_after"] >= 1
        # reading is not limited by the submission bucket
        assert http("GET", f"{hub.base_url}/api/v1/categories")[0] == 200
    finally:
        assert hub.stop() == 0, hub.log()[-3000:]
