"""The hub's HTTP surface, served by the Faust worker's web server."""

from __future__ import annotations

__all__ = ["install"]


def install(hub) -> None:
    from schemas.registry_web import blueprint
    from streams.web import api, health

    health.install(hub)
    api.install(hub)
    from streams.web import dashboard, metrics; dashboard.install(hub); metrics.install(hub)  # noqa: E702
    blueprint.register(hub.app, url_prefix="/registry")
