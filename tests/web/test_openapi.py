"""The OpenAPI document is the API: every route the hub serves is in it, and nothing else."""

from __future__ import annotations

import pytest

from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.routing import default_categories
from lapor_hub.streams.web import api_endpoints
from lapor_hub.streams.web.openapi import document, endpoint

#: Pages beside the API: the dashboard (HTML and its files), the schema registry (Confluent's API) and
#: Open311 GeoReport v2 (documented by its specification and its discovery document).
_NOT_API = ("/dashboard", "/registry", "/open311/")


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> set[tuple[str, str]]:
    from lapor_hub.streams.hub import create_hub

    hub = create_hub(HubSettings(data_dir=tmp_path_factory.mktemp("openapi-hub")))
    routes = set()
    # faust types App.web as its base Web, which does not declare the aiohttp driver's web_app.
    for route in hub.app.web.web_app.router.routes():  # type: ignore[attr-defined]
        path = route.resource.canonical if route.resource is not None else ""
        if route.method in ("HEAD", "OPTIONS", "*") or path.startswith(_NOT_API):
            continue
        routes.add((route.method, path))
    return routes


def _documented() -> set[tuple[str, str]]:
    table = api_endpoints(default_categories())
    paths = document([*table, endpoint(table)])["paths"]  # the served document lists itself too
    return {(method.upper(), path) for path, operations in paths.items() for method in operations}


def test_every_route_is_documented_and_every_documented_route_is_served(served):
    documented = _documented()
    assert documented - served == set(), "documented but not served"
    # Every path the hub serves is documented; its other methods answer 405 with a JSON error.
    assert {path for _, path in served} == {path for _, path in documented}


def test_every_operation_says_who_may_call_it_and_what_it_answers():
    doc = document(api_endpoints(default_categories()))
    assert doc["openapi"] == "3.1.0"
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            assert operation["operationId"] and operation["responses"], (method, path)
            if path.startswith("/api/v1/agencies/{code}/complaints/") or path.startswith("/api/v1/triage"):
                assert operation["security"] == [{"staffToken": []}, {"apiKey": []}]
                assert "401" in operation["responses"] and "403" in operation["responses"]
            if method == "post":
                assert operation["requestBody"]["content"]["application/json"]["schema"], (method, path)
                assert {"400", "413", "422"} <= set(operation["responses"]), (method, path)
