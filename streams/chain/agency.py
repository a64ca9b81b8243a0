"""Agency updates that keep the agency's identity: signed by the agency's connector, checked by the hub.

A connector given the agency's Ed25519 key (``signing_key_file`` in its config) adds to every
record it puts on the agency's outbox the header ``lapor-agency-signature: <kid>:<base64>``, a
signature over ``lapor-agency-update/1``, the agency's code, the record's key and its value.
The outbox relay checks it against the agency's public keys (``LAPOR_AUDIT_AGENCY_KEYS_DIR``:
``<code>.pub``, or ``<code>.<anything>.pub`` for more than one, PEM or base64) and forwards the
result as ``lapor-agency-signature-status``: ``verified``, ``invalid``, ``unknown-key`` or
``unsigned``; the lifecycle copies it onto every event the update causes, where the chain covers it.
"""

from __future__ import annotations

import base64
import binascii
import struct
import time
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.chain.keys import SigningKey, key_id, parse_public_key

__all__ = ["AGENCY_SIGNATURE_HEADER", "SIGNATURE_STATUS_HEADER", "SignatureStatus", "sign_agency_update",
           "signature_status", "AgencyKeys"]

AGENCY_SIGNATURE_HEADER = "lapor-agency-signature"
SIGNATURE_STATUS_HEADER = "lapor-agency-signature-status"
_DOMAIN = b"lapor-agency-update/1"
#: Seconds between two looks in the agency key folder for a key not known yet.
_RESCAN_S = 10.0


class SignatureStatus:
    VERIFIED = "verified"
    INVALID = "invalid"
    UNKNOWN_KEY = "unknown-key"
    UNSIGNED = "unsigned"


def _message(agency: str, key: bytes | None, value: bytes | None) -> bytes:
    parts = [_DOMAIN, agency.encode(), key or b"", value or b""]
    return b"".join(struct.pack(">I", len(part)) + part for part in parts)


def sign_agency_update(signing_key: SigningKey, agency: str, key: bytes | None, value: bytes) -> bytes:
    """The ``lapor-agency-signature`` header value for one outbox record."""
    signature = base64.b64encode(signing_key.sign(_message(agency, key, value))).decode()
    return f"{signing_key.kid}:{signature}".encode()


def signature_status(agency: str, key: bytes | None, value: bytes | None, signature: bytes | None,
                     keys: dict[str, Ed25519PublicKey]) -> str:
    """Whether ``signature`` (the header's value, None when absent) is the agency's over this record."""
    if signature is None:
        return SignatureStatus.UNSIGNED
    kid, _, encoded = signature.decode("ascii", errors="replace").partition(":")
    public = keys.get(kid)
    if public is None:
        return SignatureStatus.UNKNOWN_KEY
    try:
        public.verify(base64.b64decode(encoded, validate=True), _message(agency, key, value))
    except (InvalidSignature, binascii.Error, ValueError):
        return SignatureStatus.INVALID
    return SignatureStatus.VERIFIED


class AgencyKeys:
    """The agencies' public keys from a folder, looked at again (at most every 10 s) for an unknown kid."""

    def __init__(self, folder: Path | None) -> None:
        self._folder = folder
        self._keys: dict[str, dict[str, Ed25519PublicKey]] = {}
        self._scanned = float("-inf")

    def of(self, agency: str, kid: str | None = None) -> dict[str, Ed25519PublicKey]:
        keys = self._keys.get(agency, {})
        if kid is not None and kid not in keys and time.monotonic() - self._scanned >= _RESCAN_S:
            self._scan()
            keys = self._keys.get(agency, {})
        return keys

    def _scan(self) -> None:
        self._scanned = time.monotonic()
        found: dict[str, dict[str, Ed25519PublicKey]] = {}
        folder = self._folder
        for path in sorted(folder.glob("*.pub")) if folder is not None and folder.is_dir() else ():
            agency = path.name[: -len(".pub")]
            # Agency codes contain dots (18.10): "<code>.<label>.pub" is told apart by a label not a number.
            code, _, label = agency.rpartition(".")
            if code and not label.isdigit():
                agency = code
            try:
                public = parse_public_key(path.read_text())
            except (ConfigurationError, OSError, UnicodeDecodeError):
                continue  # one bad file must not hide the other agencies' keys
            found.setdefault(agency, {})[key_id(public)] = public
        self._keys = found
