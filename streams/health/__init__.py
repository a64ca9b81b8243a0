"""Stream health for operators: throughput, consumer lag, dead letters, connector heartbeats,
SLA breaches and the worker itself, gathered without ever blocking the worker's event loop.

Pure aggregation lives in :mod:`.throughput`, :mod:`.lag`, :mod:`.deadletters`,
:mod:`.connectors`, :mod:`.overview`; the threads that feed them in :mod:`.sampler` and
:mod:`.feed`; :func:`install` wires them to the hub as a service started and stopped with it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import TYPE_CHECKING

from lapor_hub.streams.core import topics
from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.health.connectors import ConnectorBoard
from lapor_hub.streams.health.deadletters import DeadLetterTally
from lapor_hub.streams.health.feed import HealthFeed
from lapor_hub.streams.health.overview import build_overview, worker_snapshot
from lapor_hub.streams.health.sampler import HealthSampler

if TYPE_CHECKING:
    from lapor_hub.streams.hub import Hub

__all__ = ["StreamHealth", "install", "SILENCE_AFTER_S"]

#: Connectors send a heartbeat every 30 s by default: four missed ones mean something is wrong.
SILENCE_AFTER_S = 120.0


class StreamHealth:
    """The collectors of one worker and the overview built from them."""

    def __init__(self, settings: HubSettings, *, hub_groups, read_model, sla_timer=lambda: None,
                 privacy=lambda: None, interval_s: float = 5.0, silence_after_s: float = SILENCE_AFTER_S) -> None:
        self.settings = settings
        self._sla_timer = sla_timer
        self._privacy = privacy
        self.silence_after_s = silence_after_s
        self.dead_letters = DeadLetterTally()
        self.connectors = ConnectorBoard()
        self.sampler = HealthSampler(settings, hub_groups=hub_groups, read_model=read_model,
                                     interval_s=interval_s)
        self.feed = HealthFeed(settings, self.dead_letters, self.connectors)
        self._started = time.monotonic()

    def start(self) -> None:
        self._started = time.monotonic()
        self.sampler.start()
        self.feed.start()

    def stop(self) -> None:
        # Daemon threads: a short join, so a slow broker call never holds up the worker's stop.
        self.feed.stop(timeout=2.0)
        self.sampler.stop(timeout=2.0)

    def overview(self, app=None) -> dict:
        """The overview now; ``app`` (the faust app) adds the worker's own figures.

        Call it on the event loop: the faust counters are only consistent there.
        """
        now = time.time()
        state = self.sampler.state
        for group in state.connector_groups:
            self.connectors.know(group.removeprefix("lapor-connect."))
        return build_overview(
            now=now, worker=self._worker(app), sampler=state,
            dead_letters=self.dead_letters.snapshot(now), silence_after_s=self.silence_after_s,
            connectors=self.connectors.snapshot(now, silence_after_s=self.silence_after_s),
            feed_caught_up=self.feed.caught_up, privacy=self._privacy(),
        )

    def _worker(self, app) -> dict:
        assigned: list[tuple[str, int]] = []
        events = received = sent = rebalances = 0
        if app is not None:
            try:
                assigned = [(tp.topic, tp.partition) for tp in app.assignor.assigned_actives()]
            except Exception:  # noqa: BLE001 - before the first assignment the assignor has none
                assigned = []
            monitor = app.monitor
            events, received, sent = monitor.events_total, monitor.messages_received_total, monitor.messages_sent
            rebalances = app.rebalancing_count
        return worker_snapshot(app_id=self.settings.app_id, uptime_s=time.monotonic() - self._started,
                               assigned=assigned, events_processed=events, messages_received=received,
                               messages_sent=sent, rebalances=rebalances, sla_timer=self._sla_timer())


def install(hub: Hub) -> StreamHealth:
    """Collectors for ``hub``, started and stopped with its worker (``hub.health``)."""
    import mode

    from lapor_hub.streams.lifecycle.outbox import relay_group
    from lapor_hub.streams.readmodel.projector import PROJECTED_TOPICS

    agency_codes = [agency.code for agency in hub.directory]
    groups = {hub.settings.app_id: [topics.INTAKE, topics.COMMANDS],
              relay_group(hub.settings.app_id): [topics.outbox(code) for code in agency_codes]}
    if hub.projector is not None:
        groups[hub.projector.group_id] = list(PROJECTED_TOPICS)
    health = StreamHealth(hub.settings, hub_groups=lambda: groups, read_model=lambda: hub.read_model,
                          sla_timer=lambda: dataclasses.asdict(hub.sla.figures) if hub.sla else None,
                          privacy=hub.privacy_overview)
    hub.health = health

    @hub.app.service
    class StreamHealthService(mode.Service):
        async def on_start(self) -> None:
            health.start()

        async def on_stop(self) -> None:
            # Joining the threads blocks for up to a poll interval: not on the event loop.
            await asyncio.to_thread(health.stop)

    return health
