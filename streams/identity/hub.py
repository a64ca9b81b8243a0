"""Everything the HTTP layer needs from identity, built once from :class:`IdentitySettings`.

``open_identity(settings)`` returns the embedded issuer (always: the CLI's accounts, channel API
keys and ``/.well-known/jwks.json`` use it) and the one :class:`TokenVerifier` for staff bearer
tokens: the embedded issuer's, an OIDC provider's, or both chosen by ``iss``
(``LAPOR_IDENTITY_EMBEDDED`` and ``LAPOR_OIDC_ISSUER`` decide).
"""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher

from lapor_hub.streams.core.identity_settings import IdentitySettings
from lapor_hub.streams.directory import Directory, default_directory
from lapor_hub.streams.identity.issuer import EmbeddedIssuer
from lapor_hub.streams.identity.oidc import OidcVerifier
from lapor_hub.streams.identity.verifier import CombinedVerifier, TokenVerifier

__all__ = ["Identity", "open_identity"]


@dataclass(frozen=True)
class Identity:
    settings: IdentitySettings
    #: Accounts, channel API keys (``embedded.api_keys.authenticate``), signing keys and sign-in.
    embedded: EmbeddedIssuer
    #: Staff bearer tokens: ``await identity.verifier.averify(token)``.
    verifier: TokenVerifier
    #: The OpenID Connect provider's verifier, when one is configured (its endpoints for the console).
    oidc: OidcVerifier | None = None


def open_identity(settings: IdentitySettings, directory: Directory | None = None, *,
                  hasher: PasswordHasher | None = None) -> Identity:
    directory = directory or default_directory()
    embedded = EmbeddedIssuer(settings, directory, hasher=hasher)
    verifiers: list[TokenVerifier] = []
    if settings.embedded:
        verifiers.append(embedded.verifier())
    oidc = OidcVerifier(settings.oidc, directory) if settings.oidc is not None else None
    if oidc is not None:
        verifiers.append(oidc)
    verifier = verifiers[0] if len(verifiers) == 1 else CombinedVerifier(verifiers)
    return Identity(settings, embedded, verifier, oidc)
