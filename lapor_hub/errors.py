"""The hub's errors, grouped by what the caller should do about them.

- :class:`ConfigurationError`: fail at start, the message says what to fix.
- :class:`RetriableError`: back off and try again (``retry_after`` seconds, when known).
- :class:`SkippableError`: this one record cannot be processed; dead-letter it with the reason.
- :class:`FatalError`: stop the process; a person must look.

The tree, with where each kind is raised (the one failure policy, ``streams/core/failures.py``,
acts on the four kinds; the HTTP API answers them as 4xx or 503)::

    HubError
    ├── ConfigurationError            bad settings, bad connector config: exit 2 with what to fix
    ├── RetriableError                retry later (503 + Retry-After at the API)
    │   ├── WriteUnavailable              the broker did not acknowledge a write in time (core/durable)
    │   └── IdentityProviderUnavailableError  the OIDC provider cannot be asked (identity)
    ├── SkippableError                dead-letter this record with the reason
    │   ├── UnknownAgencyError            a code that names no agency
    │   ├── SerializationError            bytes that are not the contract (schemas)
    │   ├── InvalidSubmission             a submission that fails validation (intake)
    │   ├── IllegalTransition             not allowed in the complaint's status, or by this sender (lifecycle)
    │   ├── InvalidUpdate                 an agency update that cannot become an outbox record (connector SDK)
    │   └── GaveUp                        a retriable failure that outlived every attempt (core/failures)
    ├── FatalError                    stop the process
    ├── AuthenticationError           a credential that proves nothing: 401 (identity)
    ├── AccountError                  a mistake managing accounts: the CLI exits 2 (identity)
    └── CatalogLookupError            an unknown subject, version or schema id (schemas)

Third-party errors are translated at the boundary with ``raise ... from exc``. Messages never
carry personal data (names, NIK, phone numbers, e-mail addresses).
"""

from __future__ import annotations

__all__ = [
    "HubError",
    "ConfigurationError",
    "RetriableError",
    "SkippableError",
    "FatalError",
    "UnknownAgencyError",
]


class HubError(Exception):
    """Root of every error the hub raises on purpose."""


class ConfigurationError(HubError):
    """The hub or a connector is configured wrongly; raised before anything starts."""


class RetriableError(HubError):
    """A temporary failure: the same call may succeed later."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SkippableError(HubError):
    """This record can never be processed as it is: dead-letter it with ``reason``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FatalError(HubError):
    """The process cannot go on safely."""


class UnknownAgencyError(SkippableError, LookupError):
    """A code names no agency in the directory."""

    def __init__(self, code: str) -> None:
        super().__init__(
            f"unknown agency code {code!r}: use a ministry or institution code such as "
            "'KEMENKES', or a Kemendagri region code such as '18' or '18.10' "
            "(see `lapor-hub directory list`)"
        )
        self.code = code
