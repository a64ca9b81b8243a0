"""HTTP front ends for :class:`lapor_hub.schemas.registry.RegistryApi` (read-only Schema Registry).

Two thin adapters over the same answers:

- :data:`blueprint` / :func:`make_blueprint`: a faust Blueprint; register it on the hub app
  with ``blueprint.register(app, url_prefix="/registry")``;
- :func:`registry_app`: a plain ``aiohttp.web.Application``, for a process without faust
  (mount with ``parent.add_subapp("/registry", registry_app())``).

Routes (Confluent Schema Registry REST subset): ``GET /subjects``,
``GET /subjects/{subject}/versions``, ``GET /subjects/{subject}/versions/{version}``,
``GET /schemas/ids/{id}``, ``GET /config``, ``POST /subjects/{subject}`` (which version is this
schema: read-only, nothing is registered), ``POST /compatibility/subjects/{subject}/versions/latest``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from faust.web import Blueprint, Request, Response, View

from lapor_hub.schemas.catalog import SchemaCatalog, default_catalog
from lapor_hub.schemas.registry import CONTENT_TYPE, Answer, RegistryApi

__all__ = ["blueprint", "make_blueprint", "registry_app"]


class _LazyApi:
    """Defers loading the shipped catalog until the first request (imports stay cheap)."""

    def __init__(self, catalog: SchemaCatalog | None) -> None:
        self._catalog = catalog
        self._api: RegistryApi | None = None

    @property
    def api(self) -> RegistryApi:
        if self._api is None:
            self._api = RegistryApi(self._catalog or default_catalog())
        return self._api


def _body(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return None  # RegistryApi answers 42201 with what to send instead


def _verbose(query: Any) -> bool:
    return str(query.get("verbose", "")).lower() == "true"


def make_blueprint(catalog: SchemaCatalog | None = None) -> Blueprint:
    """A faust Blueprint serving ``catalog`` (the shipped catalog when None)."""
    lazy = _LazyApi(catalog)
    bp = Blueprint("registry")

    def respond(view: View, answer: Answer) -> Response:
        status, body = answer
        return view.json(body, status=status, content_type=CONTENT_TYPE)

    @bp.route("/subjects", name="subjects")
    class Subjects(View):
        async def get(self, request: Request) -> Response:
            return respond(self, lazy.api.subjects())

    @bp.route("/subjects/{subject}", name="lookup")
    class Lookup(View):
        async def post(self, request: Request, subject: str) -> Response:
            body = _body(await self.read_request_content(request))
            return respond(self, lazy.api.lookup(subject, body))

    @bp.route("/subjects/{subject}/versions", name="versions")
    class Versions(View):
        async def get(self, request: Request, subject: str) -> Response:
            return respond(self, lazy.api.versions(subject))

    @bp.route("/subjects/{subject}/versions/{version}", name="version")
    class Version(View):
        async def get(self, request: Request, subject: str, version: str) -> Response:
            return respond(self, lazy.api.version(subject, version))

    @bp.route("/schemas/ids/{schema_id}", name="schema-by-id")
    class SchemaById(View):
        async def get(self, request: Request, schema_id: str) -> Response:
            return respond(self, lazy.api.schema_by_id(schema_id))

    @bp.route("/config", name="config")
    class Config(View):
        async def get(self, request: Request) -> Response:
            return respond(self, lazy.api.config())

    @bp.route("/compatibility/subjects/{subject}/versions/latest", name="compatibility")
    class Compatibility(View):
        async def post(self, request: Request, subject: str) -> Response:
            body = _body(await self.read_request_content(request))
            return respond(self, lazy.api.check_compatibility(subject, body, verbose=_verbose(request.query)))

    return bp


#: The Blueprint over the shipped catalog: ``blueprint.register(app, url_prefix="/registry")``.
blueprint = make_blueprint()


def registry_app(catalog: SchemaCatalog | None = None) -> web.Application:
    """The same routes as a plain aiohttp application."""
    lazy = _LazyApi(catalog)

    def handler(call: Callable[[web.Request], Answer]) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def _handle(request: web.Request) -> web.Response:
            status, body = call(request)
            return web.Response(
                text=json.dumps(body), status=status, content_type=CONTENT_TYPE, charset="utf-8"
            )

        return _handle

    async def compatibility(request: web.Request) -> web.Response:
        body = _body(await request.read())
        subject = request.match_info["subject"]
        answer = lazy.api.check_compatibility(subject, body, verbose=_verbose(request.query))
        return await handler(lambda _: answer)(request)

    async def lookup(request: web.Request) -> web.Response:
        answer = lazy.api.lookup(request.match_info["subject"], _body(await request.read()))
        return await handler(lambda _: answer)(request)

    app = web.Application()
    m = lambda request, key: request.match_info[key]  # noqa: E731 - keeps the table readable
    app.router.add_get("/subjects", handler(lambda r: lazy.api.subjects()))
    app.router.add_post("/subjects/{subject}", lookup)
    app.router.add_get("/subjects/{subject}/versions", handler(lambda r: lazy.api.versions(m(r, "subject"))))
    app.router.add_get(
        "/subjects/{subject}/versions/{version}",
        handler(lambda r: lazy.api.version(m(r, "subject"), m(r, "version"))),
    )
    app.router.add_get("/schemas/ids/{schema_id}", handler(lambda r: lazy.api.schema_by_id(m(r, "schema_id"))))
    app.router.add_get("/config", handler(lambda r: lazy.api.config()))
    app.router.add_post("/compatibility/subjects/{subject}/versions/latest", compatibility)
    return app
