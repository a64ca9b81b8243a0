"""The hub worker: one Faust application with every flow installed on it.

Each flow package exposes ``install(hub)``, which declares its topics, tables, agents, services
and pages on ``hub.app``; what flows share is a typed field of :class:`Hub`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import faust

from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.core.durable import DurableWriter
from lapor_hub.streams.directory import Directory, default_directory
from lapor_hub.streams.identity import Identity, open_identity
from lapor_hub.streams.intake.claimlog import ClaimLog
from lapor_hub.streams.lifecycle import LifecycleContext
from lapor_hub.streams.privacy import KeyStore, load_kek
from lapor_hub.streams.sla import Clock, ScaledClock, SystemClock
from lapor_hub.streams.web.audit import AuditTrail
from lapor_hub.streams.web.clients import Clients
from lapor_hub.streams.web.middleware import json_errors
from lapor_hub.streams.web.probes import Readiness, broker_reachable
from lapor_hub.streams.web.ratelimit import RateLimiter

if TYPE_CHECKING:
    from lapor_hub.streams.health import StreamHealth
    from lapor_hub.streams.lifecycle.agent import DueKeeper
    from lapor_hub.streams.privacy.retention import RetentionPolicy
    from lapor_hub.streams.readmodel.model import ReadModel
    from lapor_hub.streams.readmodel.projector import Projector

__all__ = ["Hub", "create_hub", "faust_settings", "hub_clock", "install_retention"]


@dataclass
class Hub:
    settings: HubSettings
    directory: Directory
    app: faust.App
    clock: Clock
    context: LifecycleContext
    #: The HTTP API's producer: answers only once the broker has a write.
    writer: DurableWriter
    #: Idempotency-Key claims shared by every worker.
    claims: ClaimLog
    #: Who is calling the HTTP API: staff tokens, API keys, the embedded issuer's accounts.
    identity: Identity
    clients: Clients
    limiter: RateLimiter
    audit: AuditTrail
    #: The data keys of every complaint's sealed identity: sealing, opening, erasing.
    keys: KeyStore
    #: Set by the read model's install: the database and the projector that fills it.
    read_model: ReadModel | None = None
    projector: Projector | None = None
    #: Set by the stream-health install.
    health: StreamHealth | None = field(default=None)
    #: Set by the lifecycle's install: the SLA timer and its index of due complaints.
    sla: DueKeeper | None = None
    #: Set by :func:`install_retention`: identities erased a configured time after a complaint ended.
    retention: RetentionPolicy | None = None

    def privacy_overview(self) -> dict:
        """The dashboard's privacy panel: the key store's figures and the retention policy's runs."""
        import dataclasses

        retention = None if self.retention is None else dataclasses.asdict(self.retention.figures)
        return {**self.keys.vault.overview(), "retention": retention}

    async def readiness(self) -> Readiness:
        """Whether this worker can serve now (see :class:`lapor_hub.streams.web.probes.Readiness`)."""
        app = self.app
        try:
            assigned = len(app.assignor.assigned_actives())
        except Exception:  # noqa: BLE001 - before the first assignment the assignor has none
            assigned = 0
        # faust types App.tables as TableManagerT, which does not declare the recovery its TableManager has.
        recovery = app.tables.recovery  # type: ignore[attr-defined]
        return Readiness(
            running=not app.should_stop,  # stopped or crashed
            broker=await broker_reachable(self.settings.broker),
            partitions=assigned > 0 and not app.rebalancing,
            tables=recovery.completed.is_set() and not recovery.in_recovery,
            writer=self.writer.connected,
            idempotency=self.claims.caught_up,
            data_keys=self.keys.caught_up,
            read_model=self.projector is not None and self.projector.caught_up,
            assigned_partitions=assigned,
        )


def faust_settings(settings: HubSettings) -> dict:
    """Faust configuration for the hub (see README, "Why these libraries" and "Reliability")."""
    options: dict = dict(
        broker=[f"kafka://{server}" for server in settings.broker.split(",")],
        # RocksDB (rocksdict): a restart reads back only the changelog it missed, and memory is
        # bounded by the caches (lifecycle/store.py sizes them), not by the number of complaints.
        store=f"{settings.state_store}://",
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
        # JSON for unknown paths and methods too; bodies are read with the API's own limits.
        web_application_options={"middlewares": [json_errors], "client_max_size": 1024 * 1024},
        producer_acks=-1,
        # Let a burst share produce requests: one request per record costs a syscall here and
        # a request on the broker (make bench: see README, Performance).
        producer_linger=0.01,
        producer_max_batch_size=65536,
        broker_commit_every=500,
        broker_commit_interval=1.0,
        # Failover in seconds, not a minute: a crashed worker's partitions move after the
        # session timeout; survivors hear of the rebalance at their next heartbeat and hold a
        # standby copy of the table, so they resume without reading the whole changelog.
        broker_session_timeout=settings.session_timeout_s,
        broker_heartbeat_interval=max(0.3, settings.session_timeout_s / 10),
        broker_rebalance_timeout=settings.session_timeout_s,
        table_standby_replicas=1,
        autodiscover=False,
    )
    options.update(_broker_credentials(settings))
    return options


def _broker_credentials(settings: HubSettings) -> dict:
    """Faust's spelling of :func:`lapor_hub.streams.core.broker_security.security_options`."""
    context = settings.tls.context() if settings.tls is not None else None
    if settings.credentials is not None:
        return {"broker_credentials": faust.SASLCredentials(
            username=settings.credentials.username, password=settings.credentials.password,
            mechanism=settings.credentials.mechanism, ssl_context=context)}
    if context is not None:
        return {"broker_credentials": faust.SSLCredentials(context)}
    return {}


def hub_clock(settings: HubSettings) -> Clock:
    """The wall clock, or a scaled one whose epoch survives restarts (``LAPOR_TIME_SCALE``)."""
    if settings.time_scale == 1.0:
        return SystemClock()
    epoch = settings.time_epoch
    if epoch is None:
        path = settings.data_dir / "clock-epoch"
        if path.exists():
            epoch = datetime.fromisoformat(path.read_text().strip())
        else:
            epoch = datetime.now(timezone.utc)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(epoch.isoformat())
    return ScaledClock(settings.time_scale, epoch)


def _lifecycle_context(settings: HubSettings, directory: Directory) -> LifecycleContext:
    if settings.sla_config is None:
        return LifecycleContext(directory=directory)
    return LifecycleContext.from_file(settings.sla_config, directory=directory)


def install_retention(hub: Hub) -> None:
    """The retention policy over the read model's ended complaints and the key store (``hub.retention``)."""
    from lapor_hub.streams.privacy.retention import RetentionPolicy

    read_model, keys, settings = hub.read_model, hub.keys, hub.settings
    if read_model is None:
        return

    async def erase(tracking_id: str) -> None:
        await keys.erase(tracking_id, "retention", now=hub.clock.now())

    hub.retention = RetentionPolicy(days=settings.identity_retention_days, interval_s=settings.retention_interval_s,
                                    ended_before=read_model.ended_before, erase=erase, book=keys.book,
                                    caught_up=lambda: keys.caught_up, now=hub.clock.now)
    hub.app.add_dependency(hub.retention)


def create_hub(settings: HubSettings, *, directory: Directory | None = None, clock: Clock | None = None,
               context: LifecycleContext | None = None) -> Hub:
    """A fully wired hub; :func:`lapor_hub.streams.worker.run_worker` runs it."""
    from lapor_hub.streams import health, web
    from lapor_hub.streams.demo import feed as demo
    from lapor_hub.streams.lifecycle import agent as lifecycle_agent
    from lapor_hub.streams.lifecycle import outbox as outbox_relay
    from lapor_hub.streams.readmodel import service as readmodel_service
    directory = directory or default_directory()
    if settings.schema_registry_url:
        from lapor_hub.schemas import Codec, set_default_codec
        from lapor_hub.schemas.remote import RegistryClient

        set_default_codec(Codec(registry=RegistryClient(settings.schema_registry_url)))
    app = faust.App(settings.app_id, **faust_settings(settings))
    writer = DurableWriter(settings)
    claims = ClaimLog(settings, writer)
    keys = KeyStore(settings, writer, load_kek(settings))
    # Started with the app, before its consumer: the write path does not wait for tables.
    app.add_dependency(writer)
    app.add_dependency(claims)
    app.add_dependency(keys)
    clock = clock or hub_clock(settings)
    identity = open_identity(settings.identity_settings(), directory)
    hub = Hub(
        settings=settings,
        directory=directory,
        app=app,
        clock=clock,
        context=context or _lifecycle_context(settings, directory),
        writer=writer,
        claims=claims,
        identity=identity,
        clients=Clients(identity, settings.trusted_proxies),
        limiter=RateLimiter(settings.rates()),
        audit=AuditTrail(writer, clock),
        keys=keys,
    )
    lifecycle_agent.install(hub)
    outbox_relay.install(hub)
    readmodel_service.install(hub)
    install_retention(hub)
    health.install(hub)
    web.install(hub)
    if settings.demo:
        demo.install(hub)
    return hub
