"""The hub's HTTP surface, served by the Faust worker's web server."""

from __future__ import annotations

__all__ = ["install"]


def install(hub) -> None:
    from schemas.registry_web import blueprint
    from streams.web import api, dashboard, intake, metrics, probes

    probes.install(hub)
    intake.install(hub)
    api.install(hub)
    dashboard.install(hub)
    metrics.install(hub)
    blueprint.register(hub.app, url_prefix="/registry")
