"""Sealing a reporter's identity into a record, and opening it again: pure functions, no key store.

What is sealed: the reporter's name, NIK, phone number and e-mail address, and the location's
lat, lon and address when the reporter marked the location private (``location_private``; the
region code stays in clear, routing needs it and it names a regency, not a house). A sealed
record carries ``identity`` (a ``SealedIdentity``: key id, nonce, ciphertext) and every one of
those fields is null in it, so nothing of the identity is left in clear anywhere it is copied.

How: AES-256-GCM with the complaint's own data key (:class:`DataKey`), a random 96-bit nonce,
and the key id as associated data, so a sealed identity opens only under the key it names. The
plaintext is UTF-8 JSON, ``{"v": 1, "reporter": {...}, "location": {...} | null}``. The key id is
``<tracking id>:<16 hex>``: it names the complaint it belongs to, and the hub opens a sealed
identity only for that complaint (:func:`key_belongs_to`).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from lapor_hub.errors import SkippableError

__all__ = [
    "DataKey",
    "Identity",
    "SealError",
    "REPORTER_FIELDS",
    "PRIVATE_LOCATION_FIELDS",
    "carries_clear_identity",
    "identity_of",
    "key_belongs_to",
    "new_key_id",
    "open_sealed",
    "seal",
    "sealed_record",
    "stripped",
    "tracking_id_of_key",
]

REPORTER_FIELDS = ("name", "nik", "phone", "email")
PRIVATE_LOCATION_FIELDS = ("lat", "lon", "address")
_AAD = b"lapor-hub/identity/v1\x00"
_FORMAT = 1
_NONCE_BYTES = 12
KEY_BYTES = 32


class SealError(SkippableError):
    """A sealed identity that does not open with its key: altered, or sealed with another key."""


@dataclass(frozen=True)
class DataKey:
    """One complaint's data key. ``secret`` never appears in a repr, a log or a record."""

    key_id: str
    secret: bytes = field(repr=False)

    @classmethod
    def new(cls, tracking_id: str) -> DataKey:
        return cls(new_key_id(tracking_id), os.urandom(KEY_BYTES))

    @property
    def tracking_id(self) -> str:
        return tracking_id_of_key(self.key_id)


@dataclass(frozen=True)
class Identity:
    """What a sealed identity holds. Personal data: never log it, never put it in a metric."""

    name: str | None = field(default=None, repr=False)
    nik: str | None = field(default=None, repr=False)
    phone: str | None = field(default=None, repr=False)
    email: str | None = field(default=None, repr=False)
    #: lat, lon and address, when the reporter marked the location private.
    location: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def reporter(self) -> dict[str, str | None]:
        return {"name": self.name, "nik": self.nik, "phone": self.phone, "email": self.email}

    @property
    def empty(self) -> bool:
        return all(v is None for v in self.reporter.values()) and not self.location

    def plaintext(self) -> bytes:
        return orjson.dumps({"v": _FORMAT, "reporter": self.reporter, "location": self.location})

    @classmethod
    def from_plaintext(cls, data: bytes) -> Identity:
        try:
            parsed = orjson.loads(data)
            reporter = parsed["reporter"]
            location = parsed.get("location")
            return _identity(reporter, dict(location) if isinstance(location, Mapping) else None)
        except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
            raise SealError(f"a sealed identity holds no identity of format {_FORMAT}") from exc


def new_key_id(tracking_id: str) -> str:
    return f"{tracking_id}:{secrets.token_hex(8)}"


def tracking_id_of_key(key_id: str) -> str:
    """The complaint a key id names ('' for a dead letter that named none)."""
    return key_id.rpartition(":")[0]


def key_belongs_to(key_id: str, tracking_id: str) -> bool:
    return bool(tracking_id) and tracking_id_of_key(key_id) == tracking_id


def seal(identity: Identity, key: DataKey) -> dict[str, Any]:
    """The ``SealedIdentity`` value of ``identity`` under ``key``."""
    nonce = os.urandom(_NONCE_BYTES)
    ciphertext = AESGCM(key.secret).encrypt(nonce, identity.plaintext(), _AAD + key.key_id.encode())
    return {"key_id": key.key_id, "nonce": nonce, "ciphertext": ciphertext}


def open_sealed(sealed: Mapping[str, Any], secret: bytes) -> Identity:
    """The identity in ``sealed``, opened with its data key's ``secret``; SealError if it does not open."""
    try:
        plaintext = AESGCM(secret).decrypt(bytes(sealed["nonce"]), bytes(sealed["ciphertext"]),
                                           _AAD + str(sealed["key_id"]).encode())
    except (InvalidTag, ValueError, KeyError, TypeError) as exc:
        raise SealError(f"the sealed identity under key {str(sealed.get('key_id'))[:40]!r} does not open "
                        "with its data key: it was altered or sealed with another key") from exc
    return Identity.from_plaintext(plaintext)


def identity_of(record: Mapping[str, Any]) -> Identity:
    """What of a ComplaintSubmitted value is identity: the reporter, and a private location."""
    reporter = record.get("reporter") or {}
    location = record.get("location") or {}
    private = None
    if record.get("location_private") and any(location.get(name) is not None for name in PRIVATE_LOCATION_FIELDS):
        private = {name: location.get(name) for name in PRIVATE_LOCATION_FIELDS}
    return _identity(reporter, private)


def carries_clear_identity(record: Mapping[str, Any]) -> bool:
    """True when a ComplaintSubmitted value holds any identity in clear (it must be sealed first)."""
    return not identity_of(record).empty


def stripped(record: Mapping[str, Any]) -> dict[str, Any]:
    """``record`` with the reporter's fields and a private location's details set to null."""
    out = dict(record)
    out["reporter"] = dict.fromkeys(REPORTER_FIELDS)
    location = record.get("location")
    if record.get("location_private") and location:
        out["location"] = {**location, **dict.fromkeys(PRIVATE_LOCATION_FIELDS)}
    return out


def sealed_record(record: Mapping[str, Any], key: DataKey) -> dict[str, Any]:
    """``record`` (a ComplaintSubmitted value) with its identity sealed under ``key``.

    A record without identity in clear is returned stripped but without a sealed identity (an
    anonymous report given without any): a key is only ever used for something to seal.
    """
    identity = identity_of(record)
    out = stripped(record)
    out.setdefault("location_private", False)
    out["identity"] = None if identity.empty else seal(identity, key)
    return out


def _identity(reporter: Mapping[str, Any], location: dict[str, Any] | None) -> Identity:
    return Identity(name=_text(reporter.get("name")), nik=_text(reporter.get("nik")),
                    phone=_text(reporter.get("phone")), email=_text(reporter.get("email")), location=location)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
