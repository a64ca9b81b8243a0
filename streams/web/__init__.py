"""The hub's HTTP surface, served by the Faust worker's web server.

The API is one table of endpoints (:mod:`.endpoints`): public reads (:mod:`.public`), submissions
(:mod:`.intake`), the reporter's actions (:mod:`.reporter`), the staff API (:mod:`.staff`),
operators and oversight (:mod:`.operators`) and signing in (:mod:`.signin`). Probes, the
dashboard page and the schema registry are plain pages beside it; the Open311 GeoReport v2
endpoint (:mod:`.open311`) goes through the same dispatch but is documented by its standard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lapor_hub.streams.hub import Hub

__all__ = ["install", "api_endpoints"]


def api_endpoints(categories):
    """Every endpoint of the API, in the order the OpenAPI document lists them."""
    from lapor_hub.streams.web import (
        intake,
        operators,
        probes,
        public,
        reporter,
        signin,
        staff,
    )

    return [*intake.endpoints(categories), *public.endpoints(categories), *reporter.endpoints(),
            *staff.endpoints(), *operators.endpoints(), *signin.endpoints(), *probes.endpoints()]


def install(hub: Hub) -> None:
    from lapor_hub.schemas.registry_web import blueprint
    from lapor_hub.streams.routing import default_categories
    from lapor_hub.streams.web import dashboard, endpoints, open311, openapi

    categories = default_categories()
    table = api_endpoints(categories)
    endpoints.register(hub, [*table, openapi.endpoint(table), *open311.endpoints(categories)])
    dashboard.install(hub)
    blueprint.register(hub.app, url_prefix="/registry")
