"""Steady HTTP load from clients that retry as a careful real client would.

Each complaint is one client with its own Idempotency-Key. It POSTs to
``/api/v1/complaints`` with a 10 s timeout and retries, with the same key and the same bytes,
on timeouts, connection errors and 5xx, waiting what ``Retry-After`` asks (or backing off from
0.5 s to 5 s), until it gets a 202 or a 4xx. First requests go to the workers in turn; a retry
goes to any worker at random, as a load balancer in front of the workers would send it (so it
may reach the worker that timed out, or another). A client gives up only after the run's
deadline, which the scenario sets once its last fault is over (:meth:`RetryingClients.settle`).
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections.abc import Sequence

import aiohttp

from lapor_hub.streams.ops.chaos.bodies import complaint_body, encoded_body
from lapor_hub.streams.ops.chaos.model import Attempt

__all__ = ["RetryingClients", "Target"]

_PATH = "/api/v1/complaints"
_BACKOFF_FIRST_S = 0.5
_BACKOFF_MAX_S = 5.0
_RETRY_AFTER_MAX_S = 30.0


class Target:
    """A worker the clients may send to: a name and a base URL."""

    def __init__(self, name: str, base_url: str) -> None:
        self.name = name
        self.base_url = base_url


class RetryingClients:
    def __init__(self, targets: Sequence[Target], *, rate: float, timeout: float = 10.0, seed: int = 1708) -> None:
        self._targets = list(targets)
        self._rate = rate
        self._timeout = timeout
        self._rng = random.Random(seed)
        self._give_up_at = float("inf")
        self._tasks: set[asyncio.Task] = set()
        self._stop = asyncio.Event()
        self.attempts: list[Attempt] = []
        self._session: aiohttp.ClientSession | None = None
        self.started_at: float | None = None
        self.stopped_at: float | None = None

    @property
    def in_flight(self) -> int:
        return sum(1 for t in self._tasks if not t.done())

    def settle(self, window: float) -> None:
        """From now, a client still without an answer gives up after ``window`` seconds."""
        self._give_up_at = time.time() + window

    async def run(self) -> None:
        """Start one new client every 1/rate seconds until :meth:`stop`."""
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:
            self.started_at = time.time()
            interval = 1.0 / self._rate
            next_at = time.monotonic()
            index = 0
            self._session = session
            while not self._stop.is_set():
                target = self._targets[index % len(self._targets)]
                task = asyncio.create_task(self._client(session, str(uuid.uuid4()), target))
                self._tasks.add(task)
                index += 1
                next_at += interval
                try:
                    await asyncio.wait_for(self._stop.wait(), max(0.0, next_at - time.monotonic()))
                except asyncio.TimeoutError:
                    pass
            self.stopped_at = time.time()
            # the clients already started go on until answered or past the deadline
            while any(not t.done() for t in self._tasks):
                await asyncio.gather(*self._tasks)
            self._session = None

    def stop(self) -> None:
        """No new complaints from now; :meth:`run` returns when every client is done."""
        self._stop.set()

    def send_to(self, name: str, count: int) -> list[str]:
        """Start ``count`` more clients whose first request goes to worker ``name``; their keys.

        Only while :meth:`run` runs (an empty list otherwise)."""
        if self._session is None or self._stop.is_set():
            return []
        target = next(t for t in self._targets if t.name == name)
        keys = [str(uuid.uuid4()) for _ in range(count)]
        for key in keys:
            self._tasks.add(asyncio.create_task(self._client(self._session, key, target)))
        return keys

    async def _client(self, session: aiohttp.ClientSession, key: str, first_target: Target) -> None:
        data = encoded_body(complaint_body(key, self._rng))
        headers = {"Content-Type": "application/json", "Idempotency-Key": key}
        backoff = _BACKOFF_FIRST_S
        attempt = 0
        while True:
            target = first_target if attempt == 0 else self._rng.choice(self._targets)
            sent = time.time()
            status = tracking_id = retry_after = None
            outcome = "answered"
            try:
                async with session.post(target.base_url + _PATH, data=data, headers=headers,
                                        timeout=aiohttp.ClientTimeout(total=self._timeout)) as response:
                    status = response.status
                    retry_after = _seconds(response.headers.get("Retry-After"))
                    text = await response.read()
                    if status == 202:
                        tracking_id = _tracking_id(text)
            except asyncio.TimeoutError:
                outcome = "timeout"
            except (aiohttp.ClientError, OSError):
                outcome = "connection"
            done = time.time()
            self.attempts.append(Attempt(key, target.name, sent, done, status, outcome, tracking_id, retry_after,
                                         first=attempt == 0))
            if status is not None and status < 500:
                return  # 202: stored; 4xx: the citizen sees an error (other 2xx/3xx: not ours to retry)
            if done >= self._give_up_at:
                return
            wait = min(retry_after, _RETRY_AFTER_MAX_S) if retry_after is not None else backoff
            backoff = min(backoff * 2, _BACKOFF_MAX_S)
            await asyncio.sleep(max(0.0, min(wait, self._give_up_at - done)))
            attempt += 1


def _tracking_id(body: bytes) -> str | None:
    try:
        value = json.loads(body).get("tracking_id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def _seconds(header: str | None) -> float | None:
    """``Retry-After`` in seconds (the HTTP-date form is not used by the hub)."""
    try:
        return max(0.0, float(header)) if header is not None else None
    except ValueError:
        return None
