"""The key-encryption key (KEK): what wraps every complaint's data key before it is stored.

The embedded default is :class:`LocalKek`, 32 random bytes in a file (``LAPOR_PRIVACY_KEK_FILE``,
by default ``LAPOR_DATA_DIR/privacy/kek``, created on the first start with mode 0600). Every
worker must read the same file: a data key wrapped under one KEK cannot be unwrapped under
another, and the hub says so (:class:`KekMismatch`) rather than guessing.

An external KMS (Vault transit, a cloud KMS, an HSM) plugs in through ``LAPOR_PRIVACY_KMS=
package.module:factory``: ``factory(settings)`` returns any object with the three members of
:class:`KeyEncryptionKey`. Then the KEK never leaves the KMS; the hub sends it a 32-byte data
key to wrap when a complaint arrives and a wrapped key to unwrap when an entitled reader opens
an identity. The wrapped keys still live in the hub's key store (``hub.data-keys``), so erasing
a complaint's identity works the same way with either.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import importlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from lapor_hub.errors import ConfigurationError, HubError, RetriableError

if TYPE_CHECKING:
    from lapor_hub.streams.core.config import HubSettings

__all__ = ["KeyEncryptionKey", "LocalKek", "KekMismatch", "UnwrapError", "load_kek", "write_new_kek", "kek_id_of"]

log = logging.getLogger(__name__)

_WRAP_AAD = b"lapor-hub/data-key/v1\x00"
_KEK_BYTES = 32


class UnwrapError(RetriableError):
    """A wrapped data key that this hub's KEK cannot unwrap (the key store or the KEK is wrong)."""


class KekMismatch(UnwrapError):
    """A data key wrapped under another KEK than the one this worker has."""


@runtime_checkable
class KeyEncryptionKey(Protocol):
    """What the key store needs of a KEK, local or in a KMS."""

    #: Names this KEK in every key record it wraps (never secret: a digest, or the KMS's key name).
    @property
    def kek_id(self) -> str: ...

    def wrap(self, data_key: bytes, key_id: str) -> bytes:
        """``data_key`` encrypted for storage, bound to ``key_id``."""
        ...

    def unwrap(self, wrapped: bytes, key_id: str) -> bytes:
        """The data key again; :class:`UnwrapError` when ``wrapped`` is not one of this KEK's for ``key_id``."""
        ...


def kek_id_of(secret: bytes) -> str:
    """A short public name of a local KEK: 16 hex characters of a hash that reveals nothing of it."""
    return hashlib.sha256(b"lapor-hub/kek-id\x00" + secret).hexdigest()[:16]


class LocalKek:
    """AES-256-GCM with a key read from a file; the wrapped form is nonce (12) + ciphertext + tag."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) != _KEK_BYTES:
            raise ConfigurationError(f"a key-encryption key is {_KEK_BYTES} bytes; this one has {len(secret)}")
        self._aead = AESGCM(secret)
        self._kek_id = kek_id_of(secret)

    def __repr__(self) -> str:
        return f"LocalKek(kek_id={self._kek_id!r})"

    @property
    def kek_id(self) -> str:
        return self._kek_id

    def wrap(self, data_key: bytes, key_id: str) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, data_key, _WRAP_AAD + key_id.encode())

    def unwrap(self, wrapped: bytes, key_id: str) -> bytes:
        try:
            return self._aead.decrypt(wrapped[:12], wrapped[12:], _WRAP_AAD + key_id.encode())
        except (InvalidTag, ValueError) as exc:
            raise UnwrapError(f"the data key {key_id[:40]!r} does not unwrap with key-encryption key {self._kek_id}: "
                              "the key store record was altered") from exc


def write_new_kek(path: Path) -> str:
    """Create a new KEK file at ``path`` (never over an existing one); its kek id."""
    secret = os.urandom(_KEK_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ConfigurationError(f"{path} exists already: a key-encryption key is never overwritten "
                                 "(every identity sealed under it would become unreadable)") from None
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(base64.b64encode(secret).decode() + "\n")
    return kek_id_of(secret)


def _read_kek(path: Path) -> LocalKek:
    try:
        text = path.read_text(encoding="ascii").strip()
    except OSError as exc:
        raise ConfigurationError(f"the key-encryption key {path} cannot be read: {exc.strerror}; "
                                 "set LAPOR_PRIVACY_KEK_FILE to the file every worker shares") from exc
    try:
        secret = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ConfigurationError(f"{path} is not a key-encryption key (one line of base64, 32 bytes); "
                                 "make one with `lapor-hub privacy new-kek FILE`") from None
    return LocalKek(secret)


def load_kek(settings: HubSettings) -> KeyEncryptionKey:
    """The hub's KEK: from the KMS factory, the named file, or the embedded default (created once)."""
    if settings.privacy_kms:
        return _from_factory(settings.privacy_kms, settings)
    if settings.privacy_kek_file is not None:
        path = settings.privacy_kek_file
        if not path.exists():
            raise ConfigurationError(f"LAPOR_PRIVACY_KEK_FILE={str(path)!r} does not exist: make one with "
                                     "`lapor-hub privacy new-kek FILE` and give every worker the same file")
        return _read_kek(path)
    path = settings.data_dir / "privacy" / "kek"
    if not path.exists():
        try:
            kek_id = write_new_kek(path)
            log.warning("created a new key-encryption key %s in %s: back it up apart from the broker's data; "
                        "without it no sealed identity can be read", kek_id, path)
        except ConfigurationError:
            pass  # another worker on the same directory created it meanwhile
    return _read_kek(path)


def _from_factory(spec: str, settings: HubSettings) -> KeyEncryptionKey:
    module_name, _, attribute = spec.partition(":")
    try:
        factory: Callable[[Any], Any] = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ConfigurationError(f"LAPOR_PRIVACY_KMS={spec!r}: no factory there ({type(exc).__name__}); "
                                 "write it as package.module:factory") from None
    try:
        kek = factory(settings)
    except HubError:
        raise
    except Exception as exc:  # noqa: BLE001 - a third-party factory: its message may hold a secret
        raise ConfigurationError(f"LAPOR_PRIVACY_KMS={spec!r}: the factory failed ({type(exc).__name__})") from exc
    if not isinstance(kek, KeyEncryptionKey):
        raise ConfigurationError(f"LAPOR_PRIVACY_KMS={spec!r} returned {type(kek).__name__}, which lacks kek_id, "
                                 "wrap and unwrap (see lapor_hub.streams.privacy.kek.KeyEncryptionKey)")
    return kek
