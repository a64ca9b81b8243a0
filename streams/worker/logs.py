"""Logging that an operator can live with: bounded during an outage, and never a reason to hang.

- :class:`RepeatFilter`: while the broker is down, aiokafka and kafka-python log a warning or an
  error per connection attempt (hundreds a second). The filter lets the first warning of each
  kind through, counts the repeats, and writes one summary per kind and interval instead.
  Information lines are never held back: they say what the hub did, each once.
- :class:`TolerantStream`: ``make run | tee run.log`` and then Ctrl-C ends ``tee`` first; every
  later write to stdout would fail with a broken pipe, inside the very shutdown that should
  stop the worker. The stream swallows that and writes nowhere from then on.
"""

from __future__ import annotations

import errno
import io
import logging
import threading
import time
from collections import OrderedDict
from typing import TextIO

__all__ = ["RepeatFilter", "TolerantStream", "install_repeat_filter", "quiet_library_noise"]

_MAX_KINDS = 1024


class RepeatFilter(logging.Filter):
    """Pass the first record of each kind per ``interval_s``; summarize the repeats after it."""

    def __init__(self, interval_s: float = 30.0, clock=time.monotonic) -> None:
        super().__init__()
        self.interval_s = interval_s
        self._clock = clock
        self._lock = threading.Lock()
        #: kind -> [window start, repeats suppressed in the window]
        self._kinds: OrderedDict[tuple, list] = OrderedDict()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        kind = (record.name, record.levelno, str(record.msg))
        now = self._clock()
        with self._lock:
            seen = self._kinds.get(kind)
            if seen is not None and now - seen[0] < self.interval_s:
                seen[1] += 1
                return False
            repeats = seen[1] if seen is not None else 0
            self._kinds[kind] = [now, 0]
            self._kinds.move_to_end(kind)
            while len(self._kinds) > _MAX_KINDS:
                self._kinds.popitem(last=False)
        if repeats:
            record.msg = f"{record.msg} [and {repeats} more like this in the last {self.interval_s:g} s]"
        return True


def install_repeat_filter(logger: logging.Logger, interval_s: float = 30.0) -> RepeatFilter:
    """Put one :class:`RepeatFilter` on every handler of ``logger`` (the root, usually)."""
    shared = RepeatFilter(interval_s)
    for handler in logger.handlers:
        handler.addFilter(shared)
    return shared


#: Library loggers whose warnings say nothing an operator can act on, each with why.
_NOISE = {
    # "Task ... ran for 0.12s (>0.100s threshold)": kafka-python's I/O thread (the health
    # sampler's client) waits for the GIL while the worker is busy: a load figure, not a fault,
    # written every few seconds with a different text each time.
    "kafka.net.selector": logging.ERROR,
}


def quiet_library_noise() -> None:
    for name, level in _NOISE.items():
        logging.getLogger(name).setLevel(level)


class TolerantStream(io.TextIOBase):
    """A text stream that goes quiet, instead of raising, once its reader has gone away."""

    def __init__(self, stream: TextIO) -> None:
        self._stream: TextIO | None = stream

    def write(self, text: str) -> int:
        if self._stream is not None:
            try:
                self._stream.write(text)
            except OSError as exc:
                self._gone(exc)
        return len(text)

    def flush(self) -> None:
        if self._stream is not None:
            try:
                self._stream.flush()
            except OSError as exc:
                self._gone(exc)

    def isatty(self) -> bool:
        return self._stream is not None and self._stream.isatty()

    def fileno(self) -> int:
        if self._stream is None:
            raise OSError(errno.EBADF, "the stream's reader has gone away")
        return self._stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._stream, "encoding", "utf-8") or "utf-8"

    def _gone(self, exc: OSError) -> None:
        if exc.errno not in (errno.EPIPE, errno.EBADF, errno.ECONNRESET):
            raise exc
        self._stream = None
