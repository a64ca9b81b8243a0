"""The hub worker: one Faust application with every flow installed on it.

Each flow package (``intake``, ``lifecycle``, ``sla``, ``readmodel``, ``web``) exposes
``install(hub)``, which declares its topics, tables, agents and pages on ``hub.app``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import faust

from streams.config import HubSettings
from streams.directory import Directory, default_directory

__all__ = ["Hub", "create_hub", "faust_settings"]


@dataclass
class Hub:
    settings: HubSettings
    directory: Directory
    app: faust.App
    #: Services the flows add (read model, metrics, ...), by name; looked up by the web pages.
    services: dict[str, object] = field(default_factory=dict)


def faust_settings(settings: HubSettings) -> dict:
    """Faust configuration for the hub; choices follow docs/streaming pitfalls in the README."""
    options: dict = dict(
        broker=[f"kafka://{server}" for server in settings.broker.split(",")],
        store="memory://",  # tables are rebuilt from their changelog topics on start
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        topic_allow_declare=True,
        consumer_auto_offset_reset="earliest",
        processing_guarantee="at_least_once",
        datadir=str(settings.data_dir / "faust"),
        web_host=settings.web_host,
        web_bind=settings.web_host,
        web_port=settings.web_port,
        web_enabled=True,
        # Faust's own debug pages would expose table contents (personal data) to anyone.
        web_tables_enabled=False,
        web_stats_enabled=False,
        web_graph_enabled=False,
        web_router_enabled=False,
        producer_acks=-1,
        broker_commit_every=500,
        broker_commit_interval=1.0,
        autodiscover=False,
    )
    if settings.credentials is not None:
        options["broker_credentials"] = faust.SASLCredentials(
            username=settings.credentials.username,
            password=settings.credentials.password,
            mechanism=settings.credentials.mechanism,
        )
    return options


def create_hub(settings: HubSettings, *, directory: Directory | None = None) -> Hub:
    """A fully wired hub; run it with :func:`streams.worker.run_worker`."""
    from streams import web

    app = faust.App(settings.app_id, **faust_settings(settings))
    hub = Hub(settings=settings, directory=directory or default_directory(), app=app)
    web.install(hub)
    return hub
