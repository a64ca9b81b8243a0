"""The identity vault: sealing with new data keys and opening with stored ones, over a :class:`KeyBook`.

No I/O here: the key store (:mod:`lapor_hub.streams.privacy.keystore`) feeds the book from the
topic and stores what :meth:`IdentityVault.prepare` asks it to; the lifecycle stores through its
own producer. What the vault answers:

- :meth:`IdentityVault.prepare` a ComplaintSubmitted value: the value sealed under a new data
  key and that key, wrapped, to store *before* the value; an erased complaint's identity is
  dropped instead, never sealed again;
- :meth:`IdentityVault.open` a sealed identity for the complaint it belongs to, or say why not:
  :class:`IdentityErased`, or :class:`IdentityUnavailable` with a code (``keys_loading``: the
  key store is still being read; ``key_missing``: no key although the store was read to its end,
  i.e. the key store was lost; ``foreign_kek``: a key wrapped under another KEK; ``seal_broken``,
  ``unwrap_failed``: altered records; ``foreign_key``: a sealed identity of another complaint).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lapor_hub.errors import HubError, RetriableError
from lapor_hub.streams.core import topics
from lapor_hub.streams.privacy.kek import KekMismatch, KeyEncryptionKey, UnwrapError
from lapor_hub.streams.privacy.keybook import ERASE_REASONS, Erasure, KeyBook, WrappedKey
from lapor_hub.streams.privacy.sealing import (
    DataKey,
    Identity,
    SealError,
    carries_clear_identity,
    key_belongs_to,
    open_sealed,
    sealed_record,
    stripped,
)

__all__ = ["IdentityVault", "IdentityErased", "IdentityUnavailable", "Sealing", "VaultFigures"]

log = logging.getLogger(__name__)


class IdentityErased(HubError):
    """The complaint's identity was erased: nothing can open it any more."""

    def __init__(self, erasure: Erasure) -> None:
        super().__init__(f"the identity of {erasure.tracking_id} was erased at {_iso(erasure.erased_at)} "
                         f"({erasure.reason})")
        self.erasure = erasure

    @property
    def erasure_at_iso(self) -> str:
        return _iso(self.erasure.erased_at)


class IdentityUnavailable(RetriableError):
    """The identity cannot be opened now; ``code`` says why and the message what to do."""

    def __init__(self, code: str, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason, retry_after=retry_after)
        self.code = code


@dataclass(frozen=True)
class Sealing:
    """A ComplaintSubmitted value made fit to store, and the data key to store before it (or None)."""

    record: dict[str, Any]
    key: WrappedKey | None


@dataclass
class VaultFigures:
    """What the vault did on this worker (the dashboard's privacy panel, ``/metrics``)."""

    keys_created: int = 0
    identities_opened: int = 0
    #: Opens refused because the key was missing although the key store had been read to its end.
    keys_missing: int = 0
    #: Opens refused because the key was wrapped under another KEK than this worker's.
    foreign_kek: int = 0
    #: Clear identities of erased complaints that came back (a replay) and were dropped, not sealed.
    identities_dropped: int = 0
    erasures: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ERASE_REASONS, 0))


class IdentityVault:
    def __init__(self, kek: KeyEncryptionKey, book: KeyBook | None = None, *,
                 caught_up: Callable[[], bool] = lambda: True) -> None:
        self.kek = kek
        self.book = book if book is not None else KeyBook()
        self.figures = VaultFigures()
        self._caught_up = caught_up

    def prepare(self, record: Mapping[str, Any], tracking_id: str) -> Sealing:
        """``record`` as it may be stored, and the key to store first (None: nothing to seal)."""
        if not carries_clear_identity(record):
            out = dict(record)
            out.setdefault("location_private", False)
            out.setdefault("identity", None)
            return Sealing(out, None)
        if self.book.erasure(tracking_id) is not None:
            # An identity erased once never comes back (a replayed clear submission, a rewind).
            self.figures.identities_dropped += 1
            return Sealing({**stripped(record), "identity": None}, None)
        key = DataKey.new(tracking_id)
        wrapped = WrappedKey(key.key_id, self.kek.kek_id, self.kek.wrap(key.secret, key.key_id), time.time())
        self.figures.keys_created += 1
        return Sealing(sealed_record(record, key), wrapped)

    def open(self, sealed: Mapping[str, Any], tracking_id: str) -> Identity:
        """The identity of ``tracking_id`` in ``sealed``, for a reader the caller found entitled.

        Never returns an identity sealed for another complaint. The caller records the
        disclosure (the audit trail); nothing here logs what was opened.
        """
        key_id = str(sealed.get("key_id") or "")
        if not key_belongs_to(key_id, tracking_id):
            raise IdentityUnavailable("foreign_key", f"the sealed identity of {tracking_id} names a key of another "
                                                     "complaint: it is not opened")
        erasure = self.book.erasure(tracking_id)
        if erasure is not None:
            raise IdentityErased(erasure)
        wrapped = self.book.key(key_id)
        if wrapped is None:
            raise self._missing(key_id, tracking_id)
        try:
            identity = open_sealed(sealed, self._unwrap(wrapped))
        except SealError as exc:
            raise IdentityUnavailable("seal_broken", str(exc)) from exc
        self.figures.identities_opened += 1
        return identity

    def _missing(self, key_id: str, tracking_id: str) -> IdentityUnavailable:
        if not self._caught_up():
            return IdentityUnavailable("keys_loading", "this worker is still reading the key store; retry shortly",
                                       retry_after=2)
        self.figures.keys_missing += 1
        log.error("data key %s of %s is missing from %s although it was read to its end: the key store was lost or "
                  "truncated; restore it from its backup (README, Privacy)", key_id, tracking_id, topics.DATA_KEYS)
        return IdentityUnavailable("key_missing", f"the key store holds no data key for {tracking_id} and no erasure "
                                                  f"of it: the key store was lost; the operators restore "
                                                  f"{topics.DATA_KEYS} from its backup", retry_after=60)

    def _unwrap(self, wrapped: WrappedKey) -> bytes:
        if wrapped.kek_id != self.kek.kek_id:
            self.figures.foreign_kek += 1
            raise IdentityUnavailable(
                "foreign_kek", f"the data key of {wrapped.tracking_id} is wrapped by key-encryption key "
                f"{wrapped.kek_id}, this worker has {self.kek.kek_id}: give every worker the same "
                "LAPOR_PRIVACY_KEK_FILE", retry_after=60)
        try:
            return self.kek.unwrap(wrapped.wrapped, wrapped.key_id)
        except KekMismatch as exc:
            raise IdentityUnavailable("foreign_kek", str(exc), retry_after=60) from exc
        except UnwrapError as exc:
            raise IdentityUnavailable("unwrap_failed", str(exc), retry_after=60) from exc

    def state(self, tracking_id: str) -> dict[str, Any]:
        """What the key store holds of one complaint (no secret): keys, their age, an erasure."""
        erasure = self.book.erasure(tracking_id)
        keys = self.book.keys_of(tracking_id)
        return {
            "data_keys": len(keys),
            "keys_created_at": [_iso(k.created_at) for k in keys],
            "kek_ids": sorted({k.kek_id for k in keys}),
            "erased_at": _iso(erasure.erased_at) if erasure else None,
            "erasure_reason": erasure.reason if erasure else None,
        }

    def overview(self) -> dict[str, Any]:
        book, figures = self.book, self.figures
        return {
            "caught_up": self._caught_up(), "kek_id": self.kek.kek_id, "live_keys": book.live_keys,
            "complaints_with_keys": book.complaints_with_keys, "erased_complaints": book.erased_complaints,
            "erased_by_reason": book.erased_by_reason(), "unreadable_records": book.unreadable,
            "keys_created": figures.keys_created, "identities_opened": figures.identities_opened,
            "keys_missing": figures.keys_missing, "foreign_kek": figures.foreign_kek,
            "identities_dropped": figures.identities_dropped, "erasures_here": dict(figures.erasures),
        }


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()
