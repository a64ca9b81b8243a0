"""Access tokens of any OpenID Connect provider (Keycloak, Azure AD/Entra, Google, Authentik, ...).

The provider is found through its discovery document (``<issuer>/.well-known/openid-configuration``,
whose ``issuer`` must equal ``LAPOR_OIDC_ISSUER`` exactly) and its keys through the document's
``jwks_uri``. PyJWT does the cryptography: ``jwt.PyJWKClient`` fetches and parses the key set
(timeout, no redirects, http(s) only), ``jwt.decode`` verifies. Around it this module keeps its
own key cache, because the hub needs three things the client leaves to its caller:

- **Never block the event loop.** :meth:`OidcVerifier.averify` verifies in the loop when the
  token's key is cached (the common case: a signature check, well under a millisecond) and runs
  a fetch in a worker thread only when the key is missing or the cache is stale.
- **Rotation without a storm.** A token naming an unknown ``kid`` triggers a fetch, at most one
  per ``LAPOR_OIDC_JWKS_COOLDOWN`` seconds (fetches are serialised; a made-up ``kid`` during the
  cooldown is refused without asking the provider). The whole set is fetched again every
  ``LAPOR_OIDC_JWKS_LIFESPAN`` seconds, so keys the provider removed stop verifying.
- **An unreachable provider is not an invalid token.** A failed fetch raises
  :class:`~lapor_hub.streams.identity.errors.IdentityProviderUnavailableError` (retriable: answer 503). When the
  periodic refresh fails, the keys fetched last keep serving, so a provider outage does not lock
  out staff whose tokens are already signed by known keys.

Only asymmetric algorithms are accepted (``LAPOR_OIDC_ALGORITHMS``, default RS*, PS*, ES*,
EdDSA), and each key verifies only with the algorithm bound to it, so neither ``alg=none`` nor
an HS256 token "signed" with the public key can pass. Tokens must carry ``exp``, ``iat``,
``iss``, ``aud`` (containing ``LAPOR_OIDC_AUDIENCE``), ``sub`` and a ``kid`` header; clocks may
disagree by ``LAPOR_OIDC_LEEWAY`` seconds. Claims map to role and agency as described in
:mod:`lapor_hub.streams.identity.claims`.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import threading
import time
from collections.abc import Callable

from jwt import (
    PyJWK,
    PyJWKClient,
    PyJWKClientConnectionError,
    PyJWKClientError,
    PyJWKSetError,
)

from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.core.identity_settings import OidcSettings, check_provider_url
from lapor_hub.streams.directory import Directory
from lapor_hub.streams.identity._jwt import read_header, refuse_other_issuers, verified_claims
from lapor_hub.streams.identity.claims import principal_from_claims
from lapor_hub.streams.identity.errors import (
    AuthenticationError,
    AuthFailure,
    IdentityProviderUnavailableError,
)
from lapor_hub.streams.identity.principal import Principal

__all__ = ["OidcVerifier"]

log = logging.getLogger(__name__)
_HEADERS = {"User-Agent": "lapor-hub", "Accept": "application/json"}


class OidcVerifier:
    """Verifies the access tokens of one OpenID Connect provider; safe to share between threads."""

    def __init__(self, settings: OidcSettings, directory: Directory, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.issuer = settings.issuer
        self._settings = settings
        self._directory = directory
        self._clock = clock
        self._ssl = ssl.create_default_context(cafile=str(settings.ca_file)) if settings.ca_file else None
        self._fetch_lock = threading.Lock()
        self._jwks_client: PyJWKClient | None = None
        #: kid -> key, and when they were fetched; replaced whole, so readers need no lock.
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at: float | None = None
        #: The discovery document, once fetched (its endpoints do not change while the hub runs).
        self._document: dict | None = None
        #: Fetches of the key set attempted so far (for tests and metrics).
        self.key_set_fetches = 0

    def verify(self, token: str) -> Principal:
        """The principal of ``token``; may block while the provider's keys are fetched."""
        kid = self._kid(token)
        key = self._cached_key(kid) or self._fetch_key(kid)
        return self._principal(token, key)

    async def averify(self, token: str) -> Principal:
        """As :meth:`verify`, for the event loop: any fetch runs in a worker thread."""
        kid = self._kid(token)
        key = self._cached_key(kid)
        if key is None:
            key = await asyncio.to_thread(self._fetch_key, kid)
        return self._principal(token, key)

    def browser_endpoints(self) -> dict[str, str]:
        """The provider's ``authorization_endpoint`` and ``token_endpoint``, where a browser signs
        in (the console, with PKCE); fetched once with the discovery document. May block."""
        with self._fetch_lock:
            document = self._document
            if document is None:
                self._discover()
                document = self._document or {}
        endpoints: dict[str, str] = {}
        for name in ("authorization_endpoint", "token_endpoint"):
            found = document.get(name)
            url = found if isinstance(found, str) else ""
            try:
                check_provider_url(name, url)
            except ConfigurationError as exc:
                raise IdentityProviderUnavailableError(f"the discovery document gives no usable {name}: {exc}",
                                                       retry_after=60) from None
            endpoints[name] = url
        return endpoints

    def refresh(self) -> None:
        """Fetch the discovery document (once) and the key set now, cooldown or not."""
        with self._fetch_lock:
            self._fetch_keys()

    # -- keys -------------------------------------------------------------------------------

    def _kid(self, token: str) -> str:
        kid = read_header(token, self._settings.algorithms).get("kid")
        refuse_other_issuers(token, self.issuer)
        if not kid:
            raise AuthenticationError(AuthFailure.UNKNOWN_KEY, "the token names no signing key (kid)")
        return kid

    def _cached_key(self, kid: str) -> PyJWK | None:
        """The key from a fresh cache; None when the cache is stale or lacks it (fetch then)."""
        fetched_at = self._fetched_at
        if fetched_at is None or self._clock() - fetched_at > self._settings.jwks_lifespan_s:
            return None
        return self._keys.get(kid)

    def _fetch_key(self, kid: str) -> PyJWK:
        with self._fetch_lock:
            key = self._cached_key(kid)  # fetched by another thread while this one waited
            if key is not None:
                return key
            age = None if self._fetched_at is None else self._clock() - self._fetched_at
            if age is None or age > self._settings.jwks_lifespan_s or age >= self._settings.jwks_cooldown_s:
                try:
                    self._fetch_keys()
                except IdentityProviderUnavailableError:
                    if kid not in self._keys:
                        raise
                    log.warning("serving the OIDC keys fetched last: the provider's key set could not be fetched")
        key = self._keys.get(kid)
        if key is None:
            raise AuthenticationError(AuthFailure.UNKNOWN_KEY,
                                      "the token is signed by a key the provider does not publish")
        return key

    def _fetch_keys(self) -> None:
        """Fetch the key set (the caller holds ``_fetch_lock``)."""
        client = self._jwks_client or self._discover()
        self.key_set_fetches += 1
        try:
            key_set = client.get_jwk_set(refresh=True)
        except PyJWKClientConnectionError as exc:
            raise IdentityProviderUnavailableError(f"the identity provider's keys ({client.uri}) could not be fetched: "
                                              f"{_reason(exc)}", retry_after=5) from exc
        except (PyJWKClientError, PyJWKSetError, ValueError) as exc:
            raise IdentityProviderUnavailableError(f"the identity provider's key set ({client.uri}) is not usable",
                                              retry_after=30) from exc
        allowed = set(self._settings.algorithms)
        self._keys = {k.key_id: k for k in key_set.keys
                      if k.key_id and k.public_key_use in ("sig", None) and k.algorithm_name in allowed}
        self._fetched_at = self._clock()

    def _discover(self) -> PyJWKClient:
        url = self._settings.discovery_url
        try:
            # PyJWKClient's fetch serves any JSON document: same timeout, TLS and redirect rules.
            document = self._client(url).fetch_data()
        except PyJWKClientConnectionError as exc:
            raise IdentityProviderUnavailableError(f"the identity provider's discovery document ({url}) could not be "
                                              f"fetched: {_reason(exc)}", retry_after=5) from exc
        except (PyJWKClientError, ValueError) as exc:
            raise IdentityProviderUnavailableError(f"{url} is not a discovery document", retry_after=30) from exc
        if document.get("issuer") != self.issuer:
            raise IdentityProviderUnavailableError(
                f"{url} names the issuer {str(document.get('issuer'))[:120]!r}: set LAPOR_OIDC_ISSUER to exactly "
                "that", retry_after=60)
        jwks_uri = document.get("jwks_uri")
        try:
            check_provider_url("jwks_uri", jwks_uri if isinstance(jwks_uri, str) else "")
        except ConfigurationError as exc:
            raise IdentityProviderUnavailableError(f"{url} gives no usable jwks_uri: {exc}", retry_after=60) from None
        self._document = document
        self._jwks_client = self._client(jwks_uri)
        return self._jwks_client

    def _client(self, url: str) -> PyJWKClient:
        return PyJWKClient(url, cache_jwk_set=False, headers=_HEADERS, timeout=self._settings.http_timeout_s,
                           ssl_context=self._ssl)

    def _principal(self, token: str, key: PyJWK) -> Principal:
        claims = verified_claims(token, key, issuer=self.issuer, audience=self._settings.audience,
                                 leeway_s=self._settings.leeway_s)
        return principal_from_claims(claims, self._settings.claims, self._directory)


def _reason(exc: Exception) -> str:
    """A short cause (refused, timed out, HTTP 502) without the provider's response body."""
    cause = exc.__cause__ or exc
    reason = getattr(cause, "reason", None) or getattr(cause, "code", None) or cause
    return str(reason)[:120]
