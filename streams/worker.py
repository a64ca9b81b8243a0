"""Run the hub: the local broker when embedded, the topics, then the Faust worker."""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager, nullcontext
from collections.abc import Iterator
from pathlib import Path

import faust

from streams.admin import init_topics
from streams.broker import LocalBroker
from streams.config import HubSettings
from streams.hub import create_hub

__all__ = ["local_broker", "embedded_broker", "run_worker"]

log = logging.getLogger(__name__)


def local_broker(settings: HubSettings) -> LocalBroker:
    """The project-managed broker for these settings (its port is the one in LAPOR_BROKER)."""
    port = int(settings.broker.split(",")[0].rpartition(":")[2])
    cache = Path(os.environ.get("LAPOR_CACHE_DIR", ".cache"))
    return LocalBroker(settings.data_dir / "kafka", port=port, cache_dir=cache)


@contextmanager
def embedded_broker(settings: HubSettings, *, embedded: bool) -> Iterator[None]:
    """Start the local broker when the hub runs with its embedded defaults; stop what we started."""
    if not embedded:
        yield
        return
    broker = local_broker(settings)
    already_running = broker.status().running
    status = broker.start()
    print(status.describe(), flush=True)
    try:
        yield
    finally:
        if not already_running:
            broker.stop()
            print("broker stopped", flush=True)


def run_worker(settings: HubSettings, *, embedded: bool, loglevel: str = "INFO") -> None:
    """Bring the whole hub up and keep it running until Ctrl-C or SIGTERM."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with embedded_broker(settings, embedded=embedded):
        hub = create_hub(settings)
        created, existing = init_topics(settings, [a.code for a in hub.directory])
        print(f"topics: {created} created, {existing} already there", flush=True)
        print(f"hub web server on http://{settings.web_host}:{settings.web_port}/health", flush=True)
        worker = faust.Worker(hub.app, loglevel=loglevel, redirect_stdouts=False)
        agencies = nullcontext()
        if settings.demo:  # example agency systems and their connectors, so deliveries show too
            from connectors.demo import start_demo_agencies

            agencies = start_demo_agencies(settings)
        with agencies:
            try:
                worker.execute_from_commandline()
            except SystemExit:
                pass
