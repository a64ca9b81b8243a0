"""Tracking ids: what a reporter writes down, reads over the phone and types into a search box.

Format: ``LPR-YYYYMMDD-XXXXXXXX``, e.g. ``LPR-20261128-7K3M9Q2X``:

- ``YYYYMMDD`` is the UTC date of submission, so staff can tell an old complaint at a glance;
- ``XXXXXXXX`` is 8 characters of Crockford base32 (40 bits): digits and capital letters without
  I, L, O and U, so nothing can be misread (0/O, 1/I/L) and no accidental words appear.

A channel that talks to the reporter draws a random id (:func:`new_tracking_id`, from the
operating system's CSPRNG, so ids cannot be guessed to peek at other complaints). A connector's
submission without an id gets one derived from its CloudEvents ``(source, id)`` pair
(:func:`tracking_id_for`), so a redelivered submission gets the same id as the first delivery.
Both kinds share one format; 40 bits per day keep them apart in practice.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, date, datetime

__all__ = ["TRACKING_ID_PREFIX", "new_tracking_id", "tracking_id_for", "is_tracking_id", "normalize_tracking_id"]

TRACKING_ID_PREFIX = "LPR"

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_SUFFIX_LENGTH = 8
_SUFFIX_BITS = 5 * _SUFFIX_LENGTH
_PATTERN = re.compile(rf"^{TRACKING_ID_PREFIX}-(\d{{8}})-([{_ALPHABET}]{{{_SUFFIX_LENGTH}}})$")
#: Crockford's decoding rules for what people type: case-insensitive, O reads as 0, I and L as 1.
_TYPED = str.maketrans({"O": "0", "I": "1", "L": "1"})
#: Keeps derived ids apart from any other use of the same hash over the same inputs.
_DERIVATION_CONTEXT = b"lapor-hub/tracking-id/v1\x00"


def new_tracking_id(now: datetime) -> str:
    """A fresh, unguessable tracking id for a submission received at ``now`` (timezone-aware)."""
    return _format(now, secrets.randbits(_SUFFIX_BITS))


def tracking_id_for(source: str, event_id: str, occurred_at: datetime) -> str:
    """The tracking id of the submission identified by the CloudEvents pair ``(source, event_id)``.

    Deterministic: the same pair and instant always give the same id.
    """
    if not source or not event_id:
        raise ValueError("a derived tracking id needs both the CloudEvents source and id")
    digest = hashlib.sha256(
        _DERIVATION_CONTEXT + source.encode() + b"\x00" + event_id.encode()
    ).digest()
    return _format(occurred_at, int.from_bytes(digest[:8], "big") >> (64 - _SUFFIX_BITS))


def is_tracking_id(text: object) -> bool:
    """Whether ``text`` is a tracking id in its canonical form (as issued, upper case)."""
    if not isinstance(text, str):
        return False
    match = _PATTERN.match(text)
    return match is not None and _is_date(match.group(1))


def normalize_tracking_id(text: str) -> str | None:
    """The canonical tracking id for what a person typed (``lpr-20261128-7k3m9q2x``,
    spaces around, O for 0, I or L for 1), or None when it cannot be one."""
    parts = text.strip().upper().split("-")
    if len(parts) != 3:
        return None
    candidate = "-".join((parts[0], parts[1], parts[2].translate(_TYPED)))
    return candidate if is_tracking_id(candidate) else None


def _format(at: datetime, number: int) -> str:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("tracking ids are dated in UTC: pass a timezone-aware datetime")
    day = at.astimezone(UTC).strftime("%Y%m%d")
    return f"{TRACKING_ID_PREFIX}-{day}-{_base32(number)}"


def _base32(number: int) -> str:
    chars = []
    for _ in range(_SUFFIX_LENGTH):
        number, digit = divmod(number, 32)
        chars.append(_ALPHABET[digit])
    return "".join(reversed(chars))


def _is_date(digits: str) -> bool:
    try:
        date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return False
    return True
