"""The embedded issuer: the hub's own accounts and short-lived tokens, for ``make run``.

No external service is needed: accounts, channel API keys and signing keys live in the identity
directory (``LAPOR_IDENTITY_DIR``, default ``<LAPOR_DATA_DIR>/identity``), which every worker
and the CLI on the machine share. Tokens are JWTs signed with Ed25519 (``typ: at+jwt``):

``iss``/``aud`` from the settings, ``sub`` the user name, ``lapor_role``, ``lapor_agency``
(when the role has one), ``iat``/``nbf`` now, ``exp`` after ``LAPOR_IDENTITY_TOKEN_TTL``
(15 minutes by default, 24 hours at most), and a random ``jti`` for audit.

There are no refresh tokens: a console signs in again (:meth:`EmbeddedIssuer.sign_in`, behind
``POST /api/v1/auth/token``), an operator asks the CLI again (``lapor-hub users token``).
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

import jwt
from argon2 import PasswordHasher

from lapor_hub.streams.core.identity_settings import MAX_TOKEN_TTL_S, IdentitySettings
from lapor_hub.streams.directory import Directory
from lapor_hub.streams.identity.accounts import Account, AccountStore
from lapor_hub.streams.identity.api_keys import ApiKeyStore
from lapor_hub.streams.identity.errors import AccountError
from lapor_hub.streams.identity.keys import SIGNING_ALGORITHM, SigningKeys
from lapor_hub.streams.identity.verifier import EMBEDDED_TOKEN_TYPE, EmbeddedVerifier

__all__ = ["IssuedToken", "EmbeddedIssuer"]


@dataclass(frozen=True)
class IssuedToken:
    token: str = field(repr=False)
    token_id: str
    expires_at: datetime
    account: Account


class EmbeddedIssuer:
    """Accounts, API keys, signing keys and token issuing over one identity directory."""

    def __init__(self, settings: IdentitySettings, directory: Directory, *,
                 hasher: PasswordHasher | None = None, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.accounts = AccountStore(settings.identity_dir, directory, hasher=hasher)
        self.api_keys = ApiKeyStore(settings.identity_dir, directory, issuer=settings.issuer)
        self.keys = SigningKeys(settings.identity_dir)
        self._directory = directory
        self._clock = clock

    @property
    def issuer(self) -> str:
        return self.settings.issuer

    def issue_token(self, username: str, *, ttl_s: int | None = None) -> IssuedToken:
        """A token for an enabled account, without its password (the CLI's ``users token``)."""
        account = self.accounts.require(username)
        if account.disabled:
            raise AccountError(f"user {username!r} is disabled: it gets no tokens")
        return self._token(account, ttl_s)

    def sign_in(self, username: str, password: str, *, ttl_s: int | None = None) -> IssuedToken:
        """A token for the account when ``password`` is right (``POST /api/v1/auth/token``).

        Raises :class:`~lapor_hub.streams.identity.errors.AuthenticationError` (``invalid_credentials`` or
        ``disabled_account``); the message never says whether the name exists.
        """
        return self._token(self.accounts.check_password(username, password), ttl_s)

    async def asign_in(self, username: str, password: str, *, ttl_s: int | None = None) -> IssuedToken:
        """As :meth:`sign_in`, for the event loop: the Argon2 check (tens of ms of CPU) runs in a thread."""
        return await asyncio.to_thread(self.sign_in, username, password, ttl_s=ttl_s)

    def jwks(self) -> dict:
        """The public keys, for ``GET /.well-known/jwks.json``."""
        return self.keys.jwks()

    def verifier(self) -> EmbeddedVerifier:
        return EmbeddedVerifier(self.keys, self.accounts, self._directory,
                                issuer=self.settings.issuer, audience=self.settings.audience)

    def _token(self, account: Account, ttl_s: int | None) -> IssuedToken:
        ttl = self.settings.token_ttl_s if ttl_s is None else ttl_s
        if not 1 <= ttl <= MAX_TOKEN_TTL_S:
            raise AccountError(f"a token lives 1 to {MAX_TOKEN_TTL_S} seconds, not {ttl}")
        kid, private_key = self.keys.active_key()
        now = int(self._clock())
        token_id = secrets.token_urlsafe(16)
        claims = {
            "iss": self.settings.issuer, "aud": self.settings.audience, "sub": account.username,
            "iat": now, "nbf": now, "exp": now + ttl, "jti": token_id, "lapor_role": account.role.value,
        }
        if account.agency:
            claims["lapor_agency"] = account.agency
        token = jwt.encode(claims, private_key, algorithm=SIGNING_ALGORITHM,
                           headers={"kid": kid, "typ": EMBEDDED_TOKEN_TYPE})
        return IssuedToken(token, token_id, datetime.fromtimestamp(now + ttl, tz=timezone.utc), account)
