"""Identity and access for the hub's HTTP surface: who is calling, in which role, for which agency.

- :mod:`~lapor_hub.streams.identity.principal`: the roles, the :class:`Principal` every check returns,
  and which agency each role names (``supervises`` walks the directory's supervision chains).
- :mod:`~lapor_hub.streams.identity.issuer`: the embedded issuer for ``make run`` (local accounts with
  Argon2id passwords, Ed25519-signed short-lived tokens, channel API keys).
- :mod:`~lapor_hub.streams.identity.verifier` and :mod:`~lapor_hub.streams.identity.oidc`: one ``TokenVerifier``
  interface, for the embedded issuer's tokens and any OpenID Connect provider's.
- :mod:`~lapor_hub.streams.identity.hub`: ``open_identity(settings)`` builds what the HTTP layer needs.
- ``lapor-hub users ...`` is :mod:`lapor_hub.streams.cli.users`.
"""

from lapor_hub.streams.core.identity_settings import ClaimMapping, IdentitySettings, OidcSettings
from lapor_hub.streams.identity.accounts import Account, AccountStore, NewAccount
from lapor_hub.streams.identity.api_keys import ApiKey, ApiKeyStore, IssuedApiKey
from lapor_hub.streams.identity.claims import principal_from_claims
from lapor_hub.streams.identity.errors import (
    AccountError,
    AuthenticationError,
    AuthFailure,
    IdentityProviderUnavailableError,
    RoleAssignmentError,
)
from lapor_hub.streams.identity.hub import Identity, open_identity
from lapor_hub.streams.identity.issuer import EmbeddedIssuer, IssuedToken
from lapor_hub.streams.identity.keys import SigningKeyInfo, SigningKeys
from lapor_hub.streams.identity.oidc import OidcVerifier
from lapor_hub.streams.identity.principal import Principal, Role, assign_agency, supervises
from lapor_hub.streams.identity.verifier import CombinedVerifier, EmbeddedVerifier, TokenVerifier

__all__ = [
    "Account",
    "AccountError",
    "AccountStore",
    "ApiKey",
    "ApiKeyStore",
    "AuthFailure",
    "AuthenticationError",
    "ClaimMapping",
    "CombinedVerifier",
    "EmbeddedIssuer",
    "EmbeddedVerifier",
    "Identity",
    "IdentityProviderUnavailableError",
    "IdentitySettings",
    "IssuedApiKey",
    "IssuedToken",
    "NewAccount",
    "OidcSettings",
    "OidcVerifier",
    "Principal",
    "Role",
    "RoleAssignmentError",
    "SigningKeyInfo",
    "SigningKeys",
    "TokenVerifier",
    "assign_agency",
    "open_identity",
    "principal_from_claims",
    "supervises",
]
