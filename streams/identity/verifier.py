"""One interface for "who is this bearer token?", whoever issued the token.

:class:`TokenVerifier` is what the HTTP layer holds. ``verify`` may block (file reads, or a
fetch of the provider's keys); ``averify`` is for the aiohttp event loop and never blocks it.
Both return a :class:`~lapor_hub.streams.identity.principal.Principal` or raise
:class:`~lapor_hub.streams.identity.errors.AuthenticationError` (answer 401) or
:class:`~lapor_hub.streams.identity.errors.IdentityProviderUnavailableError` (answer 503, try later).

:class:`EmbeddedVerifier` checks the embedded issuer's tokens against its published keys and
its accounts (a disabled account's tokens stop at once). :class:`CombinedVerifier` accepts
several issuers, choosing the verifier by the token's ``iss`` (each verifier still checks
``iss`` itself, so the unverified read only routes). The OIDC verifier is in
:mod:`lapor_hub.streams.identity.oidc`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from lapor_hub.streams.core.identity_settings import ClaimMapping
from lapor_hub.streams.directory import Directory
from lapor_hub.streams.identity._jwt import (
    read_header,
    refuse_other_issuers,
    unverified_issuer,
    verified_claims,
)
from lapor_hub.streams.identity.accounts import AccountStore
from lapor_hub.streams.identity.claims import principal_from_claims
from lapor_hub.streams.identity.errors import AuthenticationError, AuthFailure
from lapor_hub.streams.identity.keys import SIGNING_ALGORITHM, SigningKeys
from lapor_hub.streams.identity.principal import Principal

__all__ = ["TokenVerifier", "EmbeddedVerifier", "CombinedVerifier", "EMBEDDED_TOKEN_TYPE"]

#: The ``typ`` header of the embedded issuer's access tokens (RFC 9068).
EMBEDDED_TOKEN_TYPE = "at+jwt"


@runtime_checkable
class TokenVerifier(Protocol):
    #: The ``iss`` this verifier accepts (a combined verifier: several, see ``issuers``).
    issuer: str

    def verify(self, token: str) -> Principal: ...

    async def averify(self, token: str) -> Principal: ...


class EmbeddedVerifier:
    """Tokens of the embedded issuer: EdDSA only, signed by a published key, account enabled."""

    def __init__(self, keys: SigningKeys, accounts: AccountStore, directory: Directory, *,
                 issuer: str, audience: str, leeway_s: float = 5.0) -> None:
        self.issuer = issuer
        self._keys = keys
        self._accounts = accounts
        self._directory = directory
        self._audience = audience
        self._leeway_s = leeway_s

    def verify(self, token: str) -> Principal:
        header = read_header(token, (SIGNING_ALGORITHM,))
        if header.get("typ") != EMBEDDED_TOKEN_TYPE:
            raise AuthenticationError(AuthFailure.MALFORMED,
                                      f"the token is not an access token (typ {EMBEDDED_TOKEN_TYPE})")
        refuse_other_issuers(token, self.issuer)
        kid = header.get("kid")
        key = self._keys.public_key(kid) if kid else None
        if key is None:
            raise AuthenticationError(AuthFailure.UNKNOWN_KEY, "the token is signed by a key this hub does not publish")
        claims = verified_claims(token, key, issuer=self.issuer, audience=self._audience, leeway_s=self._leeway_s)
        principal = principal_from_claims(claims, ClaimMapping(), self._directory)
        account = self._accounts.get(principal.subject)
        if account is None:
            raise AuthenticationError(AuthFailure.UNKNOWN_ACCOUNT, "the token names no account of this hub")
        if account.disabled:
            raise AuthenticationError(AuthFailure.DISABLED_ACCOUNT, "the token's account is disabled")
        if (account.role, account.agency) != (principal.role, principal.agency):
            raise AuthenticationError(AuthFailure.UNKNOWN_ACCOUNT, "the token's role no longer matches its account")
        return principal

    async def averify(self, token: str) -> Principal:
        # The account lookup reads SQLite; a thread keeps the loop free while the disk answers.
        return await asyncio.to_thread(self.verify, token)


class CombinedVerifier:
    """Accepts the tokens of each of ``verifiers``, chosen by the token's ``iss``."""

    def __init__(self, verifiers: Iterable[TokenVerifier]) -> None:
        self._by_issuer: dict[str, TokenVerifier] = {}
        for verifier in verifiers:
            if verifier.issuer in self._by_issuer:
                raise ValueError(f"two verifiers for the issuer {verifier.issuer!r}")
            self._by_issuer[verifier.issuer] = verifier
        if not self._by_issuer:
            raise ValueError("a combined verifier needs at least one verifier")
        self.issuer = next(iter(self._by_issuer))

    @property
    def issuers(self) -> tuple[str, ...]:
        return tuple(self._by_issuer)

    def _route(self, token: str) -> TokenVerifier:
        verifier = self._by_issuer.get(unverified_issuer(token) or "")
        if verifier is None:
            raise AuthenticationError(AuthFailure.WRONG_ISSUER,
                                      "the token comes from an issuer this hub does not trust")
        return verifier

    def verify(self, token: str) -> Principal:
        return self._route(token).verify(token)

    async def averify(self, token: str) -> Principal:
        return await self._route(token).averify(token)
