"""API keys: for programs rather than people. A ``channel`` (an application that submits complaints
on citizens' behalf, the Open311 ``api_key``) or an ``operator`` program such as Prometheus
scraping ``/metrics``.

A key reads ``lapor_<key id>_<secret>``. The key id (48 random bits) finds the stored record;
the secret (256 random bits) proves possession. Only SHA-256 of the secret is stored. A slow
password KDF is not needed here and would hurt: the secret is random and as long as a signing
key, so a leaked hash cannot be brute-forced, while an Argon2 hash on every Open311 request
would cost tens of milliseconds of CPU and hand out a cheap denial of service. The key is shown
once, when issued; a channel may hold several keys (to roll one over) and each is revoked alone.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from lapor_hub.streams.directory import Directory
from lapor_hub.streams.identity._store import now_iso, open_database
from lapor_hub.streams.identity.accounts import check_name
from lapor_hub.streams.identity.errors import AccountError, AuthenticationError, AuthFailure
from lapor_hub.streams.identity.principal import Principal, Role, assign_agency

__all__ = ["ApiKey", "IssuedApiKey", "ApiKeyStore", "API_KEY_PREFIX"]

API_KEY_PREFIX = "lapor_"
_KEY = re.compile(r"lapor_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")


#: The roles a key may carry: programs, never people.
KEY_ROLES = (Role.CHANNEL, Role.OPERATOR, Role.CONNECTOR)


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    #: The program's name: a channel id, or e.g. ``prometheus`` for an operator key.
    channel: str
    agency: str | None
    created_at: str
    revoked_at: str | None
    role: Role = Role.CHANNEL

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass(frozen=True)
class IssuedApiKey:
    info: ApiKey
    #: The whole key, to be shown once; it cannot be recovered later.
    api_key: str


class ApiKeyStore:
    """Channel API keys in ``identity_dir``'s database; ``issuer`` names them in principals."""

    def __init__(self, identity_dir: Path, directory: Directory, *, issuer: str) -> None:
        self._dir = identity_dir
        self._directory = directory
        self._issuer = issuer

    def issue(self, channel: str, agency: str | None = None, *, role: Role = Role.CHANNEL) -> IssuedApiKey:
        """A new key for ``channel`` (optionally an agency's own application), or an operator program."""
        check_name("channel id" if role is Role.CHANNEL else "program name", channel)
        if role not in KEY_ROLES:
            raise AccountError(f"an API key is for a program: its role is {' or '.join(r.value for r in KEY_ROLES)}")
        agency = assign_agency(role, agency, self._directory)
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        created_at = now_iso()
        with open_database(self._dir, write=True) as db:
            db.execute(
                "INSERT INTO api_keys (key_id, channel, role, agency, secret_hash, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (key_id, channel, role.value, agency, _digest(secret), created_at),
            )
        return IssuedApiKey(ApiKey(key_id, channel, agency, created_at, None, role),
                            f"{API_KEY_PREFIX}{key_id}_{secret}")

    def revoke(self, key_id: str) -> ApiKey:
        """Revoke one key (by the id that ``list_keys`` shows); revoking twice is harmless."""
        with open_database(self._dir, write=True) as db:
            changed = db.execute(
                "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE key_id = ?", (now_iso(), key_id)
            ).rowcount
            row = db.execute("SELECT * FROM api_keys WHERE key_id = ?", (key_id,)).fetchone()
        if not changed:
            raise AccountError(f"no API key {key_id[:20]!r}: see `lapor-hub users list`")
        return _api_key(row)

    def list_keys(self) -> list[ApiKey]:
        with open_database(self._dir) as db:
            rows = db.execute("SELECT * FROM api_keys ORDER BY channel, created_at").fetchall()
        return [_api_key(row) for row in rows]

    def authenticate(self, api_key: str) -> Principal:
        """The channel principal for ``api_key``; :class:`AuthenticationError` when it is not valid."""
        match = _KEY.fullmatch(api_key or "")
        if match is None:
            raise AuthenticationError(AuthFailure.MALFORMED, "not an API key of this hub")
        key_id, secret = match.groups()
        with open_database(self._dir) as db:
            row = db.execute("SELECT * FROM api_keys WHERE key_id = ?", (key_id,)).fetchone()
        if row is None or not hmac.compare_digest(row["secret_hash"], _digest(secret)):
            raise AuthenticationError(AuthFailure.INVALID_CREDENTIALS, "unknown API key")
        key = _api_key(row)
        if key.revoked:
            raise AuthenticationError(AuthFailure.REVOKED_KEY, "this API key has been revoked")
        return Principal(subject=key.channel, role=key.role, agency=key.agency, issuer=self._issuer,
                         token_id=key.key_id, expires_at=None,
                         channel=key.channel if key.role is Role.CHANNEL else None)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _api_key(row) -> ApiKey:
    return ApiKey(row["key_id"], row["channel"], row["agency"], row["created_at"], row["revoked_at"],
                  Role(row["role"]))
