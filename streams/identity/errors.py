"""Identity errors, grouped like the hub's (:mod:`lapor_hub.errors`) by what the caller should do.

- :class:`AuthenticationError`: the credentials are refused; answer 401 and log ``failure``.
  The message is safe to show to the client: it names what is wrong (expired, wrong audience,
  unknown agency, ...) and never echoes the token, the password or the API key.
- :class:`IdentityProviderUnavailableError`: the OpenID Connect provider could not be asked (down,
  slow, answering nonsense); nothing is known about the token yet, so answer 503 and let the
  client try again, instead of calling a valid token invalid.
- :class:`AccountError`: an account, API key or signing key cannot be changed as asked (unknown
  user, name taken, a role without its agency, retiring the active key); the message says what
  to do. The CLI exits 2 on it.
"""

from __future__ import annotations

import enum

from lapor_hub.errors import HubError, RetriableError

__all__ = [
    "AuthFailure",
    "AuthenticationError",
    "IdentityProviderUnavailableError",
    "AccountError",
    "RoleAssignmentError",
]


class AuthFailure(str, enum.Enum):
    """Why credentials were refused: a stable code for logs, audit and the API's error body."""

    MALFORMED = "malformed"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    BAD_SIGNATURE = "bad_signature"
    UNKNOWN_KEY = "unknown_key"
    WRONG_AUDIENCE = "wrong_audience"
    WRONG_ISSUER = "wrong_issuer"
    ALGORITHM_NOT_ALLOWED = "algorithm_not_allowed"
    MISSING_CLAIM = "missing_claim"
    UNKNOWN_ACCOUNT = "unknown_account"
    DISABLED_ACCOUNT = "disabled_account"
    INVALID_CREDENTIALS = "invalid_credentials"
    REVOKED_KEY = "revoked_key"
    UNKNOWN_ROLE = "unknown_role"
    AMBIGUOUS_ROLE = "ambiguous_role"
    ROLE_NEEDS_AGENCY = "role_needs_agency"
    UNKNOWN_AGENCY = "unknown_agency"
    WRONG_AGENCY = "wrong_agency"
    ROLE_NEEDS_CHANNEL = "role_needs_channel"


class AuthenticationError(HubError):
    """Credentials refused (HTTP 401). ``failure`` is the stable code; the message is safe to show."""

    def __init__(self, failure: AuthFailure, message: str) -> None:
        super().__init__(message)
        self.failure = failure


class IdentityProviderUnavailableError(RetriableError):
    """The OIDC provider's discovery document or keys could not be fetched (HTTP 503)."""


class AccountError(HubError):
    """An account, API key or signing key cannot be changed as asked; the message says what to do."""


class RoleAssignmentError(AccountError):
    """A role given with the wrong agency or channel (e.g. ``agency-officer`` without its agency).

    ``failure`` is the code a verifier reports when a token carries such an assignment.
    """

    def __init__(self, failure: AuthFailure, message: str) -> None:
        super().__init__(message)
        self.failure = failure
