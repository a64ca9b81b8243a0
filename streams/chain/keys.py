"""The hub's Ed25519 keys for signing chain heads, and reading the public keys others publish.

The key ring is a folder (``LAPOR_AUDIT_KEY_DIR``, default ``LAPOR_DATA_DIR/audit-keys``):

- ``signing-key.pem``: the current private key (PKCS#8 PEM, mode 0600), generated on first start
  unless ``LAPOR_AUDIT_SIGNING_KEY_FILE`` names one (production: a key made with
  ``openssl genpkey -algorithm ed25519`` and mounted as a secret);
- ``public/<kid>.pub``: the public key (base64 of the 32 raw bytes) of every key that ever signed
  here, so that heads signed before a rotation keep verifying. ``kid`` is the first 16 hex
  digits of the public key's SHA-256.

The signatures are made and checked by the ``cryptography`` library, never by hand.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from lapor_hub.errors import ConfigurationError

__all__ = ["SigningKey", "AuditKeyRing", "key_id", "public_key_text", "parse_public_key"]

_SIGNING_FILE = "signing-key.pem"
_PUBLIC_DIR = "public"


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public: Ed25519PublicKey) -> str:
    return hashlib.sha256(_raw(public)).hexdigest()[:16]


def public_key_text(public: Ed25519PublicKey) -> str:
    """How the hub publishes a public key: base64 of its 32 raw bytes."""
    return base64.b64encode(_raw(public)).decode()


def parse_public_key(text: str) -> Ed25519PublicKey:
    """An Ed25519 public key from a PEM ``PUBLIC KEY`` block or the base64 the hub publishes."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(text.encode())
        except (ValueError, UnsupportedAlgorithm) as exc:
            raise ConfigurationError("the public key is not a readable PEM public key") from exc
        if not isinstance(key, Ed25519PublicKey):
            raise ConfigurationError("the public key is not an Ed25519 key")
        return key
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ConfigurationError("the public key is neither PEM nor base64 of 32 bytes") from exc
    if len(raw) != 32:
        raise ConfigurationError(f"the public key has {len(raw)} bytes; an Ed25519 key has 32")
    return Ed25519PublicKey.from_public_bytes(raw)


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey
    kid: str

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)


def _load_private(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as exc:
        raise ConfigurationError(f"the audit signing key {path} cannot be read: {exc.strerror}") from exc
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise ConfigurationError(f"{path} is not an unencrypted PEM private key; make one with "
                                 "`openssl genpkey -algorithm ed25519 -out FILE`") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigurationError(f"{path} is not an Ed25519 key; make one with `openssl genpkey -algorithm ed25519`")
    return key


def _write_private(path: Path, key: Ed25519PrivateKey) -> None:
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(pem)
    os.replace(temporary, path)


class AuditKeyRing:
    """The signing key and every public key that signed here (see the module's docstring)."""

    def __init__(self, folder: Path, signing_key_file: Path | None = None) -> None:
        self.folder = folder
        self._signing_key_file = signing_key_file

    @staticmethod
    def load_signing_key(path: Path) -> SigningKey:
        """A signing key from a PEM file (an agency's, for its connector); ConfigurationError if unusable."""
        private = _load_private(path)
        return SigningKey(private, key_id(private.public_key()))

    def signing_key(self) -> SigningKey:
        """The current key: the configured file's, else the folder's (generated the first time)."""
        path = self._signing_key_file or self.folder / _SIGNING_FILE
        if self._signing_key_file is None and not path.exists():
            _write_private(path, Ed25519PrivateKey.generate())
        private = _load_private(path)
        self._publish(private.public_key())
        return SigningKey(private, key_id(private.public_key()))

    def rotate(self) -> str:
        """A new signing key in the folder; the old one's public key stays. Returns the new kid."""
        if self._signing_key_file is not None:
            raise ConfigurationError("the signing key comes from LAPOR_AUDIT_SIGNING_KEY_FILE: put the new key "
                                     "in that file and restart the workers (see README, Audit)")
        path = self.folder / _SIGNING_FILE
        if path.exists():
            self._publish(_load_private(path).public_key())
        key = Ed25519PrivateKey.generate()
        _write_private(path, key)
        self._publish(key.public_key())
        return key_id(key.public_key())

    def public_keys(self) -> dict[str, Ed25519PublicKey]:
        """Every published public key by kid (the current one included once it signed)."""
        keys = {}
        folder = self.folder / _PUBLIC_DIR
        for path in sorted(folder.glob("*.pub")) if folder.is_dir() else ():
            key = parse_public_key(path.read_text())
            keys[key_id(key)] = key
        return keys

    def current_kid(self) -> str | None:
        path = self._signing_key_file or self.folder / _SIGNING_FILE
        return key_id(_load_private(path).public_key()) if path.exists() else None

    def _publish(self, public: Ed25519PublicKey) -> None:
        path = self.folder / _PUBLIC_DIR / f"{key_id(public)}.pub"
        if path.exists():
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(public_key_text(public) + "\n")
        except OSError as exc:
            raise ConfigurationError(f"cannot record the public key in {path.parent}: {exc.strerror}; "
                                     "make LAPOR_AUDIT_KEY_DIR writable") from exc
