"""Per-caller rate limits: a token bucket per (bucket, caller), answered 429 with Retry-After.

A caller is its principal when it authenticated (a channel's key, a member of staff), else its
network address. Limits are per worker (each keeps its own buckets in memory): with N workers
behind a load balancer a client gets at most N times the limit, which is what they are for:
keeping one client from crowding out the rest, not metering. Idle buckets are forgotten.
"""

from __future__ import annotations

import time
from collections import OrderedDict

from lapor_hub.streams.core.config import Rate
from lapor_hub.streams.identity import Principal
from lapor_hub.streams.web.responses import ApiError

__all__ = ["RateLimiter"]

_MAX_CALLERS = 100_000


class RateLimiter:
    def __init__(self, rates: dict[str, Rate], clock=time.monotonic) -> None:
        self._rates = rates
        self._clock = clock
        #: (bucket, caller) -> [tokens left, when last refilled]
        self._buckets: OrderedDict[tuple[str, str], list[float]] = OrderedDict()

    def check(self, bucket: str, principal: Principal | None, address: str) -> None:
        """Take one token of ``bucket`` for the caller; ApiError 429 when there is none."""
        rate = self._rates.get(bucket)
        if rate is None:
            return
        caller = f"{principal.issuer}|{principal.subject}" if principal is not None else address
        now = self._clock()
        key = (bucket, caller)
        tokens, at = self._buckets.pop(key, (float(rate.count), now))
        tokens = min(float(rate.count), tokens + (now - at) * rate.count / rate.per_s)
        if tokens < 1.0:
            self._buckets[key] = [tokens, now]
            wait = max(1, round((1.0 - tokens) * rate.per_s / rate.count + 0.5))
            raise ApiError(429, "rate_limited", f"at most {rate} for this kind of request; retry in {wait} s",
                           headers={"Retry-After": str(wait)}, retry_after=wait)
        self._buckets[key] = [tokens - 1.0, now]
        while len(self._buckets) > _MAX_CALLERS:
            self._buckets.popitem(last=False)
