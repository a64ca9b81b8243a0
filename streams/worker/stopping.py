"""The hub's Faust worker: it stops when told, in every state, and keeps its log bounded.

A graceful stop flushes the producers and commits offsets; with the broker unreachable, or in
the middle of a table recovery, the clients can wait on the broker for minutes. SIGINT and
SIGTERM therefore start the graceful stop *and* a watchdog: if the stop has not finished within
``grace_s`` the watchdog runs the last cleanup (stopping the embedded broker) and ends the
process with exit code 1. Nothing is lost by that: offsets that were not committed are read
again by the next worker (at-least-once, idempotent consumers). A second Ctrl-C ends the
process at once.

Its log handlers get a :class:`~lapor_hub.streams.worker.logs.RepeatFilter` as soon as Faust sets them up.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Callable

import faust

from lapor_hub.streams.worker.logs import install_repeat_filter, quiet_library_noise

__all__ = ["HubWorker", "StopWatchdog", "FORCED_EXIT"]

#: The exit code of a stop the watchdog had to force.
FORCED_EXIT = 1


class StopWatchdog:
    """Ends the process ``grace_s`` after :meth:`arm`, unless the process ended first."""

    def __init__(self, grace_s: float, last_cleanup: Callable[[], None] = lambda: None) -> None:
        self.grace_s = grace_s
        self._last_cleanup = last_cleanup
        self._timer: threading.Timer | None = None

    @property
    def armed(self) -> bool:
        return self._timer is not None

    def arm(self) -> None:
        if self._timer is None:
            self._timer = threading.Timer(self.grace_s, self.expire)
            self._timer.daemon = True
            self._timer.start()

    def disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()

    def expire(self) -> None:
        _say(f"lapor-hub: the worker did not stop within {self.grace_s:g} s (is the broker unreachable?); "
             "exiting now: uncommitted work is read again by the next worker")
        try:
            self._last_cleanup()
        finally:
            os._exit(FORCED_EXIT)


class HubWorker(faust.Worker):
    """Faust's worker with a deadline on shutdown, a bounded log, and a stop from another thread."""

    def __init__(self, *args, watchdog: StopWatchdog, **kwargs) -> None:
        self.watchdog = watchdog
        super().__init__(*args, **kwargs)

    def _schedule_shutdown(self, sig: signal.Signals) -> None:
        if self.watchdog.armed and sig == signal.SIGINT:
            self.watchdog.expire()  # a second Ctrl-C: the person wants out now
        self.watchdog.arm()
        super()._schedule_shutdown(sig)

    def on_setup_root_logger(self, logger: logging.Logger, level: int) -> None:
        super().on_setup_root_logger(logger, level)
        install_repeat_filter(logger)
        quiet_library_noise()

    def stop_from_thread(self) -> None:
        """Begin the same stop as SIGTERM, from a thread other than the event loop's."""
        self.loop.call_soon_threadsafe(self._schedule_shutdown, signal.SIGTERM)


def _say(message: str) -> None:
    try:
        print(message, file=sys.stderr, flush=True)
    except OSError:
        pass
