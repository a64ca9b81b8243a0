"""Run the hub: the local broker when embedded, the topics, then the Faust worker.

:func:`run_worker` is ``lapor-hub run``. It stops within :data:`STOP_GRACE_S` plus the broker's
own stop of SIGINT or SIGTERM in every state (see :mod:`.stopping`), keeps its log bounded
during a broker outage and survives a closed stdout (:mod:`.logs`), and watches the embedded
broker (:mod:`.supervisor`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from lapor_hub.streams.broker import LocalBroker
from lapor_hub.streams.core.admin import init_topics
from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.worker.logs import TolerantStream
from lapor_hub.streams.worker.stopping import HubWorker, StopWatchdog
from lapor_hub.streams.worker.supervisor import BrokerSupervisor

__all__ = ["local_broker", "embedded_broker", "run_worker", "STOP_GRACE_S"]

#: How long a graceful stop may take before the watchdog ends the process.
STOP_GRACE_S = 12.0
#: How long the embedded broker may take to stop before it is killed.
_BROKER_STOP_S = 10.0


def local_broker(settings: HubSettings) -> LocalBroker:
    """The project-managed broker for these settings (``LAPOR_BROKER_PORT``, ``LAPOR_CONTROLLER_PORT``)."""
    return LocalBroker(settings.data_dir / "kafka", port=settings.broker_port,
                       controller_port=settings.controller_port, cache_dir=settings.cache_dir)


@contextmanager
def embedded_broker(settings: HubSettings, *, embedded: bool) -> Iterator[LocalBroker | None]:
    """Start the local broker when the hub runs with its embedded defaults; stop what we started.

    Yields the broker this hub started (and so owns), or None.
    """
    if not embedded:
        yield None
        return
    broker = local_broker(settings)
    already_running = broker.status().running
    status = broker.start()
    print(status.describe(), flush=True)
    try:
        yield None if already_running else broker
    finally:
        if not already_running:
            broker.stop(timeout=_BROKER_STOP_S)
            print("broker stopped", flush=True)


def run_worker(settings: HubSettings, *, embedded: bool, loglevel: str = "INFO") -> int:
    """Bring the whole hub up and keep it running until Ctrl-C or SIGTERM; the exit code."""
    from lapor_hub.streams.hub import create_hub

    sys.stdout, sys.stderr = TolerantStream(sys.stdout), TolerantStream(sys.stderr)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with embedded_broker(settings, embedded=embedded) as broker:
        hub = create_hub(settings)
        created, existing = init_topics(settings, [a.code for a in hub.directory])
        print(f"topics: {created} created, {existing} already there", flush=True)
        print(f"hub web server on http://{settings.web_host}:{settings.web_port}/health", flush=True)
        watchdog = StopWatchdog(STOP_GRACE_S, last_cleanup=_stopper(broker))
        # Faust's defaults for stdout/stderr were bound at import: pass the tolerant ones.
        worker = HubWorker(hub.app, loglevel=loglevel, redirect_stdouts=False, watchdog=watchdog,
                           stdout=sys.stdout, stderr=sys.stderr)
        supervisor = BrokerSupervisor(broker, worker.stop_from_thread) if broker is not None else None
        agencies: AbstractContextManager[object] = nullcontext()
        if settings.demo:  # example agency systems and their connectors, so deliveries show too
            from lapor_hub.streams.demo.agencies import start_demo_agencies

            agencies = start_demo_agencies(settings)
        code = 0
        with agencies:
            if supervisor is not None:
                supervisor.start()
            try:
                worker.execute_from_commandline()
            except SystemExit as exit_:
                # mode turns a crash (an agent, a recovery) into SystemExit(1): a supervisor must
                # see it, to restart the worker.
                code = exit_.code if isinstance(exit_.code, int) else 1
            finally:
                if supervisor is not None:
                    supervisor.stop()
        # The rest of the way out (demo agencies, the broker) has a deadline of its own.
        watchdog.disarm()
        StopWatchdog(STOP_GRACE_S, last_cleanup=_stopper(broker)).arm()
    if supervisor is not None and supervisor.gave_up:
        return 1
    return code


def _stopper(broker: LocalBroker | None):
    def stop_broker() -> None:
        if broker is not None:
            broker.stop(timeout=_BROKER_STOP_S)

    return stop_broker
