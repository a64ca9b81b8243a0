"""The embedded broker, watched: its death is reported, and it is restarted or the hub stops.

``lapor-hub run`` with the embedded defaults starts the local Kafka broker itself; if that
broker dies (killed, out of memory) the worker would otherwise retry against nothing forever.
The supervisor checks it every few seconds, says clearly what happened and where its log is,
and restarts it; after ``max_restarts`` within ``window_s`` it gives up and stops the hub, which
then exits non-zero.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from lapor_hub.errors import HubError
from lapor_hub.streams.broker import LocalBroker

__all__ = ["BrokerSupervisor"]

log = logging.getLogger(__name__)


class BrokerSupervisor:
    def __init__(self, broker: LocalBroker, on_give_up: Callable[[], None], *, interval_s: float = 2.0,
                 max_restarts: int = 3, window_s: float = 300.0) -> None:
        self._broker = broker
        self._on_give_up = on_give_up
        self._interval_s = interval_s
        self._max_restarts = max_restarts
        self._window_s = window_s
        self._restarts: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="broker-supervisor", daemon=True)
        #: Set when the supervisor gave up: the hub must exit non-zero.
        self.gave_up = False

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self._interval_s + 1)

    def _watch(self) -> None:
        while not self._stop.wait(self._interval_s):
            if self._broker.status().running or self._stop.is_set():
                continue
            now = time.monotonic()
            self._restarts = [t for t in self._restarts if now - t < self._window_s]
            if len(self._restarts) >= self._max_restarts:
                log.error("the embedded Kafka broker died %d times in %.0f s; stopping the hub (see %s)",
                          len(self._restarts), self._window_s, self._broker.log_file)
                self.gave_up = True
                self._on_give_up()
                return
            log.error("the embedded Kafka broker is not running (see %s); restarting it", self._broker.log_file)
            self._restarts.append(now)
            try:
                status = self._broker.start()
                log.warning("the embedded Kafka broker is back: %s", status.describe())
            except HubError as exc:
                log.error("restarting the embedded Kafka broker failed: %s", exc)
