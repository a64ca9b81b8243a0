"""The read-only Schema Registry: Confluent shapes without HTTP, then over real HTTP."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp.web
import faust
import pytest

from lapor_hub.errors import RetriableError
from lapor_hub.schemas import Codec, SerializationError, default_catalog, encode
from lapor_hub.schemas.registry import CONTENT_TYPE, RegistryApi
from lapor_hub.schemas.registry_web import make_blueprint, registry_app
from lapor_hub.schemas.remote import RegistryClient
from tests.schemas.samples import SAMPLES

API = RegistryApi(default_catalog())
SUBJECT = "id.go.lapor.FollowUpRecorded"


# --- without HTTP ------------------------------------------------------------------------


def test_subjects_and_versions():
    status, subjects = API.subjects()
    assert status == 200 and SUBJECT in subjects and len(subjects) == 21
    assert API.versions(SUBJECT) == (200, [1, 2])


def test_a_version_answers_subject_version_id_and_the_schema_as_a_json_string():
    status, body = API.version(SUBJECT, "latest")
    assert status == 200
    assert set(body) == {"subject", "version", "id", "schema"}
    assert (body["subject"], body["version"], body["id"]) == (SUBJECT, 2, 20)
    assert json.loads(body["schema"])["name"] == "FollowUpRecorded"
    assert API.version(SUBJECT, "1")[1]["id"] == 9
    assert API.version(SUBJECT, "-1")[1]["version"] == 2


def test_schema_by_id():
    status, body = API.schema_by_id(20)
    assert status == 200 and list(body) == ["schema"]
    assert body["schema"] == default_catalog().by_id(20).schema_str


@pytest.mark.parametrize(
    ("answer", "status", "code"),
    [
        (API.versions("id.go.lapor.Nope"), 404, 40401),
        (API.version("id.go.lapor.Nope", "1"), 404, 40401),
        (API.version(SUBJECT, "3"), 404, 40402),
        (API.version(SUBJECT, "one"), 422, 42202),
        (API.schema_by_id(404), 404, 40403),
        (API.schema_by_id("x"), 404, 40403),
        (API.check_compatibility("id.go.lapor.Nope", {"schema": "{}"}), 404, 40401),
        (API.check_compatibility(SUBJECT, {"schema": "{not json"}), 422, 42201),
        (API.check_compatibility(SUBJECT, {"schema": '{"type": "record", "name": "X"}'}), 422, 42201),
        (API.check_compatibility(SUBJECT, {"nothing": 1}), 422, 42201),
        (API.check_compatibility(SUBJECT, None), 422, 42201),
    ],
)
def test_errors_have_confluent_codes(answer, status, code):
    assert answer[0] == status
    assert set(answer[1]) == {"error_code", "message"} and answer[1]["error_code"] == code


def _with_field(field: dict) -> str:
    schema = json.loads(default_catalog().latest("FollowUpRecorded").schema_str)
    schema["fields"].append(field)
    return json.dumps(schema)


def test_compatibility_check_answers_is_compatible():
    good = _with_field({"name": "visit_at", "type": ["null", {"type": "long", "logicalType": "timestamp-micros"}],
                        "default": None})
    assert API.check_compatibility(SUBJECT, {"schema": good}) == (200, {"is_compatible": True})
    bad = _with_field({"name": "visited", "type": "boolean"})
    assert API.check_compatibility(SUBJECT, {"schema": bad}) == (200, {"is_compatible": False})
    status, verbose = API.check_compatibility(SUBJECT, {"schema": bad, "schemaType": "AVRO"}, verbose=True)
    assert verbose["is_compatible"] is False
    assert any("$.visited" in m for m in verbose["messages"])


def test_lookup_finds_the_version_of_a_schema_ignoring_docs():
    v1 = json.loads(default_catalog().version(SUBJECT, 1).schema_str)
    v1["doc"] = "reworded"
    status, body = API.lookup(SUBJECT, {"schema": json.dumps(v1)})
    assert status == 200 and (body["version"], body["id"]) == (1, 9)
    unknown = _with_field({"name": "x", "type": "int", "default": 0})
    assert API.lookup(SUBJECT, {"schema": unknown}) == (404, {"error_code": 40403, "message": "Schema not found"})
    assert API.lookup("id.go.lapor.Nope", {"schema": unknown})[1]["error_code"] == 40401


def test_config_reports_full_transitive():
    assert API.config() == (200, {"compatibilityLevel": "FULL_TRANSITIVE"})


# --- over real HTTP ----------------------------------------------------------------------


@contextmanager
def serving(app: aiohttp.web.Application) -> Iterator[str]:
    """Serve ``app`` on a free loopback port from its own thread (the clients under test are sync)."""
    loop = asyncio.new_event_loop()
    runner = aiohttp.web.AppRunner(app)
    started = threading.Event()
    url: list[str] = []

    async def start() -> None:
        await runner.setup()
        site = aiohttp.web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        url.append(f"http://127.0.0.1:{port}")
        started.set()

    thread = threading.Thread(target=lambda: (loop.run_until_complete(start()), loop.run_forever()), daemon=True)
    thread.start()
    assert started.wait(10), "the test registry did not start"
    try:
        yield url[0]
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def _faust_web_app() -> aiohttp.web.Application:
    """The Blueprint registered on a faust app, as the hub does; its aiohttp app, no worker."""
    app = faust.App("registry-test", broker="memory://", store="memory://", web_enabled=True)
    make_blueprint(default_catalog()).register(app, url_prefix="/registry")
    # faust types App.web as its base Web, which does not declare the aiohttp driver's web_app.
    return app.web.web_app  # type: ignore[attr-defined]


@pytest.fixture(params=["faust-blueprint", "aiohttp-app"])
def registry_url(request) -> Iterator[str]:
    if request.param == "faust-blueprint":
        with serving(_faust_web_app()) as url:
            yield url + "/registry"
    else:
        parent = aiohttp.web.Application()
        parent.add_subapp("/registry", registry_app(default_catalog()))
        with serving(parent) as url:
            yield url + "/registry"


async def _get(url: str, method: str = "GET", body: dict | None = None) -> tuple[int, str, Any]:
    async with aiohttp.ClientSession() as session:
        async with session.request(method, url, json=body, timeout=aiohttp.ClientTimeout(total=5)) as response:
            return response.status, response.content_type, await response.json(content_type=None)


def test_http_routes_answer_like_the_api_with_the_registry_content_type(registry_url):
    cases = [
        ("/subjects", API.subjects()),
        (f"/subjects/{SUBJECT}/versions", API.versions(SUBJECT)),
        (f"/subjects/{SUBJECT}/versions/latest", API.version(SUBJECT, "latest")),
        (f"/subjects/{SUBJECT}/versions/1", API.version(SUBJECT, "1")),
        (f"/subjects/{SUBJECT}/versions/7", API.version(SUBJECT, "7")),
        ("/subjects/id.go.lapor.Nope/versions", API.versions("id.go.lapor.Nope")),
        ("/schemas/ids/3", API.schema_by_id(3)),
        ("/schemas/ids/999", API.schema_by_id(999)),
        ("/config", API.config()),
    ]
    found = asyncio.run(_get(f"{registry_url}/subjects/{SUBJECT}", "POST",
                             {"schema": API.version(SUBJECT, "1")[1]["schema"]}))
    assert found == (200, CONTENT_TYPE, API.version(SUBJECT, "1")[1])
    for path, (status, body) in cases:
        assert asyncio.run(_get(registry_url + path)) == (status, CONTENT_TYPE, body), path
    bad = _with_field({"name": "visited", "type": "boolean"})
    answer = asyncio.run(_get(f"{registry_url}/compatibility/subjects/{SUBJECT}/versions/latest?verbose=true", "POST",
                              {"schema": bad}))
    assert answer[0] == 200 and answer[2]["is_compatible"] is False and answer[2]["messages"]


def test_a_codec_over_an_external_registry_uses_its_ids(registry_url):
    client = RegistryClient(registry_url, timeout=2.0)
    assert client.schema_by_id(1) == default_catalog().by_id(1).schema_str
    value = SAMPLES["ComplaintEscalated"]
    remote = Codec(default_catalog(), registry=client)
    data = remote.encode("ComplaintEscalated", value)  # id looked up over HTTP
    assert data == encode("ComplaintEscalated", value)  # same ids here: this registry serves the catalog
    assert remote.decode(data) == ("ComplaintEscalated", value)
    v2 = encode("FollowUpRecorded", SAMPLES["FollowUpRecorded"])
    assert remote.decode(v2) == ("FollowUpRecorded", SAMPLES["FollowUpRecorded"])
    with pytest.raises(SerializationError, match="unknown schema id 4242: the registry does not know it"):
        remote.decode(b"\x00" + (4242).to_bytes(4, "big") + v2[5:])


def test_an_unreachable_registry_is_retriable():
    with serving(aiohttp.web.Application()) as url:
        pass  # the port is free again once the server stopped
    with pytest.raises(RetriableError, match="unreachable"):
        RegistryClient(url, timeout=0.5).schema_by_id(1)


def test_confluent_avro_deserializer_reads_hub_bytes(registry_url):
    from confluent_kafka import schema_registry
    from confluent_kafka.schema_registry.avro import AvroDeserializer
    from confluent_kafka.serialization import MessageField, SerializationContext

    client = schema_registry.SchemaRegistryClient({"url": registry_url})
    deserializer = AvroDeserializer(client)
    for record_type in ("ComplaintSubmitted", "ComplaintDispositioned", "DeadLetter"):
        value = SAMPLES[record_type]
        decoded = deserializer(encode(record_type, value),
                               SerializationContext("complaints.events", MessageField.VALUE))
        assert decoded == value, record_type
