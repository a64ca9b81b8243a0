"""Capped exponential backoff with jitter, honouring the agency's ``Retry-After``."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Backoff"]


@dataclass(frozen=True)
class Backoff:
    initial: float = 1.0
    maximum: float = 60.0
    multiplier: float = 2.0
    #: Random source in [0, 1); injectable so tests are deterministic.
    random: Callable[[], float] = random.random

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (``attempt`` counts failures, from 1).

        "Equal jitter": half the capped exponential step is fixed, half random, so many
        connectors that failed together do not come back together. A ``Retry-After`` longer
        than that is honoured up to ``maximum``: beyond it the connector keeps probing, since
        the records wait safely in the inbox either way.
        """
        step = min(self.maximum, self.initial * self.multiplier ** max(0, attempt - 1))
        delay = step / 2 + self.random() * step / 2
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.maximum))
        return delay
