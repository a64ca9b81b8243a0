"""The hub's errors, grouped by what the caller should do about them.

- :class:`ConfigurationError`: fail at start, the message says what to fix.
- :class:`RetriableError`: back off and try again (``retry_after`` seconds, when known).
- :class:`SkippableError`: this one record cannot be processed; dead-letter it with the reason.
- :class:`FatalError`: stop the process; a person must look.

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
