"""Signed chain heads: the hub's word, under its Ed25519 key, that a partition's chain reached a link.

A head names the partition of ``complaints.events``, the ``seq`` and ``offset`` of the record it
covers, that record's ``link`` and when it was signed. The signature is over the canonical JSON
of those fields (sorted keys, no spaces) after ``lapor-chain-head/1\\n``. Heads are JSON records
on ``complaints.events.heads``; anyone holding the hub's public key can check them.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import asdict, dataclass, fields

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lapor_hub.streams.chain.keys import SigningKey

__all__ = ["SignedHead", "sign_head", "head_problem", "decode_head"]

_DOMAIN = b"lapor-chain-head/1\n"


@dataclass(frozen=True)
class SignedHead:
    topic: str
    partition: int
    seq: int
    offset: int
    link: str
    signed_at: str
    kid: str
    signature: str

    def message(self) -> bytes:
        signed = {"topic": self.topic, "partition": self.partition, "seq": self.seq, "offset": self.offset,
                  "link": self.link, "signed_at": self.signed_at, "kid": self.kid}
        return _DOMAIN + json.dumps(signed, sort_keys=True, separators=(",", ":")).encode()

    def to_json(self) -> dict:
        return asdict(self)

    def encode(self) -> bytes:
        return json.dumps(self.to_json(), sort_keys=True).encode()


def sign_head(key: SigningKey, *, topic: str, partition: int, seq: int, offset: int, link: str,
              signed_at: str) -> SignedHead:
    unsigned = SignedHead(topic, partition, seq, offset, link, signed_at, key.kid, "")
    signature = base64.b64encode(key.sign(unsigned.message())).decode()
    return SignedHead(topic, partition, seq, offset, link, signed_at, key.kid, signature)


def head_problem(head: SignedHead, keys: dict[str, Ed25519PublicKey]) -> str | None:
    """Why ``head`` cannot be trusted with ``keys`` (by kid), or None when its signature holds."""
    key = keys.get(head.kid)
    if key is None:
        return f"the head is signed by key {head.kid}, which is not among the trusted public keys"
    try:
        key.verify(base64.b64decode(head.signature, validate=True), head.message())
    except (InvalidSignature, binascii.Error, ValueError):
        return f"the head's signature does not verify with key {head.kid}"
    return None


def decode_head(data: object) -> SignedHead | None:
    """A head from its JSON (bytes or an already parsed object); None when it is not one."""
    try:
        raw = json.loads(data) if isinstance(data, (bytes, str)) else data
    except ValueError:
        return None
    if not isinstance(raw, dict) or set(raw) != {f.name for f in fields(SignedHead)}:
        return None
    types = {"topic": str, "partition": int, "seq": int, "offset": int, "link": str, "signed_at": str,
             "kid": str, "signature": str}
    if any(not isinstance(raw[name], kind) or isinstance(raw[name], bool) for name, kind in types.items()):
        return None
    return SignedHead(**raw)
