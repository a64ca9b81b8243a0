"""What an agency system's answer to a delivery means for the runtime: a table, not scattered ifs.

The table maps HTTP statuses to a :class:`DeliveryOutcome`; a connector overrides
:meth:`lapor_hub.connectors.sdk.Connector.outcome_for` to change one row for its agency system.
:func:`raise_for_outcome` turns a non-OK outcome into the error the runtime acts on.
(Not the lifecycle's ``Outcome``, which is the result of a transition.)
"""

from __future__ import annotations

import email.utils
import enum
import time

from lapor_hub.errors import FatalError, RetriableError, SkippableError

__all__ = ["DeliveryOutcome", "HTTP_OUTCOMES", "http_outcome", "raise_for_outcome", "parse_retry_after"]


class DeliveryOutcome(str, enum.Enum):
    """What the runtime does with a delivery after the agency system answered."""

    OK = "ok"  # accepted: commit the offset, send a receipt
    RETRY = "retry"  # temporary: back off, deliver the same records again in the same order
    DEAD_LETTER = "dead-letter"  # this record can never be accepted: dead-letter it, go on
    FAIL = "fail"  # the connector itself is wrong: stop, a person must fix the configuration


#: First matching row wins.
HTTP_OUTCOMES: tuple[tuple[range, DeliveryOutcome, str], ...] = (
    (range(200, 300), DeliveryOutcome.OK, "accepted"),
    (range(408, 409), DeliveryOutcome.RETRY, "request timeout"),
    (range(425, 426), DeliveryOutcome.RETRY, "too early"),
    (range(429, 430), DeliveryOutcome.RETRY, "rate limited"),
    # Not dead-lettered: a wrong secret or a revoked grant would send the whole inbox to the
    # dead-letter topic. Stopping keeps the records in the inbox until the config is fixed.
    (range(401, 402), DeliveryOutcome.FAIL, "credentials rejected: check the connector's secret"),
    (range(403, 404), DeliveryOutcome.FAIL, "access denied: ask the agency to grant the connector access"),
    (range(400, 500), DeliveryOutcome.DEAD_LETTER, "rejected by the agency system"),
    (range(500, 600), DeliveryOutcome.RETRY, "agency system error"),
    # 1xx/3xx: the URL points somewhere unexpected (a redirect to a login page, say).
    (range(100, 400), DeliveryOutcome.FAIL, "unexpected answer: check the configured URL"),
)


def http_outcome(status: int) -> DeliveryOutcome:
    return _row(status)[1]


def _row(status: int) -> tuple[range, DeliveryOutcome, str]:
    for row in HTTP_OUTCOMES:
        if status in row[0]:
            return row
    return range(0), DeliveryOutcome.FAIL, "not an HTTP status"


def raise_for_outcome(outcome: DeliveryOutcome, status: int, *, what: str, retry_after: float | None = None) -> None:
    """Raise what the runtime acts on; return quietly for :attr:`DeliveryOutcome.OK`.

    ``what`` names the call (``"POST /complaints"``), never data sent in it.
    """
    if outcome is DeliveryOutcome.OK:
        return
    message = f"{what} answered HTTP {status} ({_row(status)[2]})"
    if outcome is DeliveryOutcome.RETRY:
        raise RetriableError(message, retry_after=retry_after)
    if outcome is DeliveryOutcome.DEAD_LETTER:
        raise SkippableError(message)
    raise FatalError(message)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
