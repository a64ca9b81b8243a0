"""The key store's records (topic ``hub.data-keys``) and what a worker knows from reading them.

Three kinds of record, JSON (internal, not part of the Avro contract), all in one partition so
that every worker reads them in the order they were written:

- ``key/<key id>`` -> ``{"v": 1, "kek": <kek id>, "wrapped": <base64>, "at": <epoch s>}``: a data
  key, wrapped by the key-encryption key ``kek``;
- ``key/<key id>`` -> no value (a tombstone): that data key is destroyed;
- ``erased/<tracking id>`` -> ``{"v": 1, "at": <epoch s>, "reason": "request" | "retention"}``:
  the complaint's identity was erased. Written *before* the tombstones, so a reader never opens
  an identity whose erasure has begun; kept for good (it holds no personal data), so that an
  erased identity is told apart from a lost one.

The topic is compacted: Kafka eventually keeps only the latest record of each key, which is how
a tombstoned key leaves the broker's disks (see the README, Privacy, for when).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from dataclasses import dataclass

import orjson

from lapor_hub.streams.privacy.sealing import tracking_id_of_key

__all__ = ["WrappedKey", "Erasure", "KeyBook", "key_record", "key_tombstone", "erasure_record", "ERASE_REASONS"]

ERASE_REASONS = ("request", "retention")
_KEY = b"key/"
_ERASED = b"erased/"


@dataclass(frozen=True, slots=True)
class WrappedKey:
    key_id: str
    kek_id: str
    wrapped: bytes
    created_at: float

    @property
    def tracking_id(self) -> str:
        return tracking_id_of_key(self.key_id)


@dataclass(frozen=True, slots=True)
class Erasure:
    tracking_id: str
    erased_at: float
    reason: str


def key_record(key: WrappedKey) -> tuple[bytes, bytes]:
    """(Kafka key, value) of a data key's record."""
    value = {"v": 1, "kek": key.kek_id, "wrapped": base64.b64encode(key.wrapped).decode(), "at": key.created_at}
    return _KEY + key.key_id.encode(), orjson.dumps(value)


def key_tombstone(key_id: str) -> tuple[bytes, None]:
    return _KEY + key_id.encode(), None


def erasure_record(erasure: Erasure) -> tuple[bytes, bytes]:
    return _ERASED + erasure.tracking_id.encode(), orjson.dumps({"v": 1, "at": erasure.erased_at,
                                                                 "reason": erasure.reason})


class KeyBook:
    """Every live data key and every erasure read so far, indexed by complaint.

    Memory: one small tuple per live key and one float per erased complaint (the retention
    policy turns the first into the second, so the live keys stay bounded by the complaints
    that are open or recently closed).
    """

    def __init__(self) -> None:
        #: tracking id -> its live keys (usually one: a retried submission may have made another).
        self._keys: dict[str, tuple[WrappedKey, ...]] = {}
        self._erased: dict[str, tuple[float, str]] = {}
        #: Records that were not understood (ignored, counted for the operators).
        self.unreadable = 0

    def read(self, key: bytes | None, value: bytes | None) -> None:
        """Take one record of the topic, in topic order."""
        if not key:
            self.unreadable += 1
            return
        try:
            if key.startswith(_KEY):
                self._read_key(key[len(_KEY):].decode(), value)
            elif key.startswith(_ERASED) and value is not None:
                data = orjson.loads(value)
                self._erased[key[len(_ERASED):].decode()] = (float(data["at"]), str(data["reason"]))
            elif not key.startswith(_ERASED):
                self.unreadable += 1
        except (UnicodeDecodeError, orjson.JSONDecodeError, KeyError, TypeError, ValueError, binascii.Error):
            self.unreadable += 1

    def _read_key(self, key_id: str, value: bytes | None) -> None:
        tracking_id = tracking_id_of_key(key_id)
        held = tuple(k for k in self._keys.get(tracking_id, ()) if k.key_id != key_id)
        if value is not None:
            data = orjson.loads(value)
            held += (WrappedKey(key_id, str(data["kek"]), base64.b64decode(data["wrapped"], validate=True),
                                float(data["at"])),)
        if held:
            self._keys[tracking_id] = held
        else:
            self._keys.pop(tracking_id, None)

    def key(self, key_id: str) -> WrappedKey | None:
        return next((k for k in self._keys.get(tracking_id_of_key(key_id), ()) if k.key_id == key_id), None)

    def keys_of(self, tracking_id: str) -> tuple[WrappedKey, ...]:
        return self._keys.get(tracking_id, ())

    def erasure(self, tracking_id: str) -> Erasure | None:
        found = self._erased.get(tracking_id)
        return None if found is None else Erasure(tracking_id, *found)

    def holding(self) -> Iterator[str]:
        """The complaints (tracking ids, '' for dead letters that named none) with a live key."""
        return iter(list(self._keys))

    @property
    def live_keys(self) -> int:
        return sum(len(keys) for keys in self._keys.values())

    @property
    def complaints_with_keys(self) -> int:
        return len(self._keys)

    @property
    def erased_complaints(self) -> int:
        return len(self._erased)

    def erased_by_reason(self) -> dict[str, int]:
        counts = dict.fromkeys(ERASE_REASONS, 0)
        for _, reason in self._erased.values():
            counts[reason] = counts.get(reason, 0) + 1
        return counts
