"""Looking at the outcome from outside the hub: the topics, and every worker's public API.

:class:`TopicReader` reads topics from the beginning with kafka-python (a client the hub does not
use), keeping each record's CloudEvents id, type, subject and timestamp. :func:`visible_through`
asks each worker's API for each tracking id, as a citizen checking the status would.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping, Sequence

import aiohttp

from lapor_hub.schemas import decode
from lapor_hub.streams.core.publisher import AGENCY_HEADER, header
from lapor_hub.streams.ops.chaos.bodies import key_in_text
from lapor_hub.streams.ops.chaos.model import SUBMITTED, Seen

__all__ = ["TopicReader", "visible_through", "first_visible"]

_RECORD_TYPES = {"id.go.lapor.complaint.submitted": SUBMITTED,
                 "id.go.lapor.complaint.dispositioned": "ComplaintDispositioned"}
_GET_CONCURRENCY = 16


class TopicReader:
    """Every record of some topics, from the beginning; :meth:`catch_up` reads what is new."""

    def __init__(self, bootstrap: str, topic_names: Sequence[str]) -> None:
        from kafka import KafkaConsumer, TopicPartition

        self._consumer = KafkaConsumer(bootstrap_servers=bootstrap.split(","), enable_auto_commit=False,
                                       request_timeout_ms=30000, consumer_timeout_ms=1000)
        partitions = []
        for name in topic_names:
            found = self._consumer.partitions_for_topic(name)
            if not found:
                raise LookupError(f"topic {name} does not exist")
            partitions += [TopicPartition(name, p) for p in sorted(found)]
        self._consumer.assign(partitions)
        self._consumer.seek_to_beginning(*partitions)
        self._partitions = partitions
        self.records: list[Seen] = []

    def catch_up(self, timeout: float = 60.0) -> list[Seen]:
        """Read up to the end offsets as they are now; all records read so far."""
        ends = self._consumer.end_offsets(self._partitions)
        deadline = time.monotonic() + timeout
        while any(self._consumer.position(tp) < end for tp, end in ends.items()):
            if time.monotonic() > deadline:
                break
            for batch in self._consumer.poll(timeout_ms=500, max_records=2000).values():
                self.records.extend(filter(None, map(_seen, batch)))
        return self.records

    def close(self) -> None:
        self._consumer.close()


def _seen(record) -> Seen | None:
    event_type = header(record.headers, "ce_type")
    event_id = header(record.headers, "ce_id")
    tracking_id = header(record.headers, "ce_subject") or (record.key or b"").decode(errors="replace")
    if not event_type or not event_id:
        return None
    record_type = _RECORD_TYPES.get(event_type, event_type)
    key = None
    if record_type == SUBMITTED:
        try:
            key = key_in_text(decode(record.value)[1].get("description"))
        except Exception:  # a record the codec cannot read is not one of ours
            key = None
    return Seen(record.topic, record.partition, tracking_id, record_type, event_id, record.timestamp / 1000.0,
                key=key, agency=header(record.headers, AGENCY_HEADER))


async def visible_through(workers: Mapping[str, str], tracking_ids: Iterable[str], *, timeout: float,
                          interval: float = 2.0) -> dict[str, set[str]]:
    """For each worker (name -> base URL): the tracking ids its API showed (200) within ``timeout``."""
    wanted = set(tracking_ids)
    shown: dict[str, set[str]] = {name: set() for name in workers}
    deadline = time.monotonic() + timeout
    limit = asyncio.Semaphore(_GET_CONCURRENCY)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:

        async def check(name: str, base_url: str, tracking_id: str) -> None:
            async with limit:
                try:
                    async with session.get(f"{base_url}/api/v1/complaints/{tracking_id}") as response:
                        if response.status == 200:
                            shown[name].add(tracking_id)
                except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
                    pass

        while True:
            missing = [(name, url, tid) for name, url in workers.items() for tid in wanted - shown[name]]
            if not missing or time.monotonic() > deadline:
                return shown
            await asyncio.gather(*(check(*item) for item in missing))
            if any(wanted - shown[name] for name in workers):
                await asyncio.sleep(interval)


async def first_visible(workers: Mapping[str, str], tracking_ids: Iterable[str], *, timeout: float,
                        interval: float = 0.5) -> dict[str, float]:
    """When (epoch seconds) each tracking id was first shown by any worker's API, within ``timeout``."""
    wanted = set(tracking_ids)
    first: dict[str, float] = {}
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        while wanted - first.keys() and time.monotonic() < deadline:
            for tracking_id in wanted - first.keys():
                for base_url in workers.values():
                    try:
                        async with session.get(f"{base_url}/api/v1/complaints/{tracking_id}") as response:
                            if response.status == 200:
                                first[tracking_id] = time.time()
                                break
                    except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
                        pass
            await asyncio.sleep(interval)
    return first
