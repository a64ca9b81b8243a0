"""Event ids that are the same every time the same thing happens again.

Consumers drop duplicates by the CloudEvents pair (source, id); an id derived from what caused
the event (a command, a dead-lettered offset, an Idempotency-Key) makes a replay or a retry
repeat the id instead of minting a new one.
"""

from __future__ import annotations

import uuid

__all__ = ["derived_event_id"]

_EVENT_IDS = uuid.UUID("6f1b2d1e-4c1a-5b7e-9a53-1a2b3c4d5e6f")


def derived_event_id(*parts: str) -> str:
    """A deterministic event id (UUIDv5) for ``parts``."""
    return str(uuid.uuid5(_EVENT_IDS, "/".join(parts)))
