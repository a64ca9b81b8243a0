"""The embedded issuer's signing keys: Ed25519 (EdDSA), kept in the identity directory.

An asymmetric key, so that whoever verifies needs only the public half: workers read it from
``keys.json`` and anyone else from the JWKS document the hub serves at ``/.well-known/jwks.json``
(:meth:`SigningKeys.jwks`). The private key never leaves its file.

Layout of the identity directory (created ``0700``):

- ``keys/<kid>.pem``: the active private key, PKCS#8, mode ``0600``, created on first use.
- ``keys.json``: the active key id and every published public key with its dates. It is
  replaced atomically (write, fsync, rename), so a worker never reads half of it, and workers
  re-read it when it changes: a rotation made with the CLI reaches running workers at once.
- ``.keys.lock``: an ``flock`` that serialises creating, rotating and retiring keys, so that
  several workers starting together create one key, not one each.

The key id (``kid``) is the key's RFC 7638 thumbprint.

**Rotation.** ``lapor-hub users rotate-key`` (:meth:`SigningKeys.rotate`) makes a new key and
signs with it from then on; the old private key is deleted, and its public key stays published,
marked retired, so tokens signed before the rotation keep verifying until they expire. Once the
longest token lifetime has passed (``LAPOR_IDENTITY_TOKEN_TTL``, at most 24 h), ``lapor-hub
users retire-key KID`` (:meth:`SigningKeys.retire`) removes it, and tokens still naming it are
refused as signed by an unknown key. After a suspected leak of the private key, rotate and
retire at once: every outstanding token is refused and staff sign in again.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt import PyJWK

from lapor_hub.streams.identity._store import ensure_private_dir, now_iso
from lapor_hub.streams.identity.errors import AccountError

__all__ = ["SIGNING_ALGORITHM", "SigningKeyInfo", "SigningKeys"]

SIGNING_ALGORITHM = "EdDSA"
_STATE = "keys.json"
_LOCK = ".keys.lock"


@dataclass(frozen=True)
class SigningKeyInfo:
    kid: str
    created_at: str
    #: When it stopped signing (a rotation); None for the active key.
    retired_at: str | None

    @property
    def active(self) -> bool:
        return self.retired_at is None


class SigningKeys:
    """The signing keys in ``identity_dir``; safe to share between processes on one machine."""

    def __init__(self, identity_dir: Path) -> None:
        self._dir = identity_dir
        self._seen: tuple[int, int, int] | None = None
        self._state: dict = {}
        self._public: dict[str, PyJWK] = {}
        self._private: tuple[str, Ed25519PrivateKey] | None = None

    def active_key(self) -> tuple[str, Ed25519PrivateKey]:
        """The key id and private key to sign with now; created on first use."""
        state = self._current()
        kid = state["active"]
        if self._private is None or self._private[0] != kid:
            pem = (self._dir / "keys" / f"{kid}.pem").read_bytes()
            key = serialization.load_pem_private_key(pem, password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise AccountError(f"keys/{kid}.pem is not an Ed25519 key: remove it and rotate")
            self._private = (kid, key)
        return self._private

    def public_key(self, kid: str) -> PyJWK | None:
        """The published public key ``kid`` (active or retired), or None."""
        self._current()
        return self._public.get(kid)

    def jwks(self) -> dict:
        """The JWKS document to serve at ``/.well-known/jwks.json``: public keys only."""
        return {"keys": [entry["jwk"] for entry in self._current()["keys"]]}

    def list_keys(self) -> list[SigningKeyInfo]:
        return [SigningKeyInfo(e["jwk"]["kid"], e["created_at"], e.get("retired_at"))
                for e in self._current()["keys"]]

    def rotate(self) -> str:
        """Sign with a new key from now on; the old public key stays published. The new kid."""
        with self._locked():
            state = self._read() or self._initial_state()
            old = state["active"]
            kid, jwk = _new_private_key(self._dir)
            retired_at = now_iso()
            for entry in state["keys"]:
                if entry["jwk"]["kid"] == old:
                    entry["retired_at"] = retired_at
            state["keys"].append({"jwk": jwk, "created_at": retired_at, "retired_at": None})
            state["active"] = kid
            self._write(state)
            (self._dir / "keys" / f"{old}.pem").unlink(missing_ok=True)
        return kid

    def retire(self, kid: str) -> None:
        """Stop publishing the retired key ``kid``: tokens it signed are refused from now on."""
        with self._locked():
            state = self._read() or self._initial_state()
            if kid == state["active"]:
                raise AccountError(f"key {kid} is the active key: rotate first (`lapor-hub users rotate-key`)")
            kept = [e for e in state["keys"] if e["jwk"]["kid"] != kid]
            if len(kept) == len(state["keys"]):
                raise AccountError(f"no published key {kid[:60]!r}: see `lapor-hub users keys`")
            state["keys"] = kept
            self._write(state)

    # -- files ------------------------------------------------------------------------------

    def _current(self) -> dict:
        """The state from ``keys.json``, re-read when the file changed, created when missing."""
        path = self._dir / _STATE
        try:
            st = path.stat()
        except FileNotFoundError:
            with self._locked():
                if not path.exists():
                    self._write(self._initial_state())
            st = path.stat()
        seen = (st.st_ino, st.st_mtime_ns, st.st_size)
        if seen != self._seen:
            state = json.loads(path.read_text(encoding="utf-8"))
            self._public = {e["jwk"]["kid"]: PyJWK(e["jwk"], SIGNING_ALGORITHM) for e in state["keys"]}
            self._state, self._seen = state, seen
        return self._state

    def _initial_state(self) -> dict:
        kid, jwk = _new_private_key(self._dir)
        return {"active": kid, "keys": [{"jwk": jwk, "created_at": now_iso(), "retired_at": None}]}

    def _read(self) -> dict | None:
        try:
            return json.loads((self._dir / _STATE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None

    def _write(self, state: dict) -> None:
        fd, tmp = tempfile.mkstemp(prefix=".keys-", suffix=".json", dir=self._dir)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(state, f, indent=2)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o644)  # public keys only
            os.replace(tmp, self._dir / _STATE)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(self._dir)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        ensure_private_dir(self._dir)
        fd = os.open(self._dir / _LOCK, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock


def _new_private_key(identity_dir: Path) -> tuple[str, dict]:
    """A new Ed25519 key written to ``keys/<kid>.pem`` (0600); its kid and public JWK."""
    while True:
        key = Ed25519PrivateKey.generate()
        x = _b64(key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
        # RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace.
        kid = _b64(hashlib.sha256(json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x},
                                             separators=(",", ":"), sort_keys=True).encode()).digest())
        # One kid in 64 would begin with '-', which `lapor-hub users retire-key KID` reads as an option.
        if not kid.startswith("-"):
            break
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    folder = ensure_private_dir(identity_dir / "keys")
    fd = os.open(folder / f"{kid}.pem", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
        f.flush()
        os.fsync(f.fileno())
    return kid, {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": SIGNING_ALGORITHM, "use": "sig"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
