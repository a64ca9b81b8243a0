"""One-shot deploy steps start with the brokers: they wait for them instead of failing at once."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TypeVar

from lapor_hub.errors import RetriableError

__all__ = ["until_done"]

T = TypeVar("T")
_PAUSE_S = 3.0


def until_done(step: Callable[[], T], *, wait_s: float, what: str) -> T:
    """``step()``, tried again after a retriable failure until ``wait_s`` seconds have passed."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return step()
        except RetriableError as exc:
            if time.monotonic() + _PAUSE_S > deadline:
                raise
            print(f"{what}: {exc}; trying again in {_PAUSE_S:g} s", file=sys.stderr, flush=True)
            time.sleep(_PAUSE_S)
