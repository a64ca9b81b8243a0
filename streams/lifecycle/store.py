"""The lifecycle's two Faust tables, read and written from a batch of records.

- ``complaint-state``: the compact :class:`ComplaintState` of every complaint (orjson bytes).
- ``complaint-submissions``: the submission as it arrived (its Avro record), written once and
  read only when a forwarding must deliver it to the next agency.

Both are partitioned like ``complaints.intake``/``complaints.commands`` (the tracking id is the
key everywhere) and stored in RocksDB by default (``LAPOR_STATE_STORE``), so a worker's memory is
bounded by the store's caches and a restarted worker reads back only the changelog it missed.

Faust's tables decide which partition (local database and changelog partition) a key belongs to
from the *current event*. The lifecycle handles a batch of records and stores their states only
after their events are acknowledged, so each read and write here names the record it is for.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import faust
import orjson
from faust.streams import _current_event  # the context Faust's tables take the partition from

from lapor_hub.schemas import decode
from lapor_hub.streams.lifecycle.state import ComplaintState

__all__ = ["ComplaintStore", "STATE_TABLE", "SUBMISSION_TABLE", "table_options"]

STATE_TABLE = "complaint-state"
SUBMISSION_TABLE = "complaint-submissions"


def table_options(store: str, cache_mb: int, partitions: int) -> dict[str, Any]:
    """RocksDB options sized for ``cache_mb`` over every partition's database of both tables.

    Faust's defaults (a 2 GiB block cache and three 64 MiB write buffers per partition database)
    are sized for a machine that runs one table; the hub opens one database per partition of each
    table, standbys included.
    """
    if store != "rocksdb":
        return {}
    databases = 2 * 2 * partitions  # both tables, active and standby
    per_database = max(1, cache_mb * 1024 * 1024 // databases)
    return {
        "block_cache_size": per_database,
        "write_buffer_size": max(1 << 20, per_database // 2),
        "max_write_buffer_number": 2,
        "target_file_size_base": 32 * 1024 * 1024,
    }


class ComplaintStore:
    def __init__(self, app: faust.App, *, partitions: int, options: dict[str, Any]) -> None:
        schema: faust.Schema[bytes, bytes] = faust.Schema(key_type=bytes, value_type=bytes,
                                                          key_serializer="raw", value_serializer="raw")
        raw: dict[str, Any] = dict(schema=schema, key_type=bytes, value_type=bytes, default=None,
                                   partitions=partitions, options=options or None)
        self.states = app.Table(STATE_TABLE, help="the compact state of every complaint", **raw)
        self.submissions = app.Table(SUBMISSION_TABLE, help="every submission, for forwardings", **raw)

    def state(self, tracking_id: str, event) -> ComplaintState | None:
        with _for(event):
            stored = self.states.get(tracking_id.encode())
        return decode_state(stored) if stored else None

    def submission(self, tracking_id: str, event) -> dict[str, Any] | None:
        with _for(event):
            stored = self.submissions.get(tracking_id.encode())
        return decode(stored)[1] if stored else None

    def put(self, state: ComplaintState, event, *, submission: bytes | None = None) -> None:
        key = state.tracking_id.encode()
        with _for(event):
            if submission is not None:
                self.submissions[key] = submission
            self.states[key] = orjson.dumps(state.to_dict())

    def due_times(self) -> Iterator[tuple[str, float | None]]:
        """(tracking id, next due time) of every complaint this worker holds, read from the store."""
        for key, stored in self.states.items():
            if stored:
                yield key.decode(), due_of(stored)

    def current_due(self, tracking_id: str) -> float | None:
        stored = self.states.get(tracking_id.encode())
        return due_of(stored) if stored else None


def decode_state(stored: bytes) -> ComplaintState:
    return ComplaintState.from_dict(orjson.loads(stored))


def due_of(stored: bytes) -> float | None:
    return orjson.loads(stored).get("next_due_ts")


@contextmanager
def _for(event):
    """Table access for ``event``'s partition."""
    token = _current_event.set(weakref.ref(event) if event is not None else None)
    try:
        yield
    finally:
        _current_event.reset(token)
