"""Dead letters of ``complaints.intake`` without an identity in clear.

A channel may write a submission to ``complaints.intake`` with the reporter's identity in clear;
when that record cannot be processed, the hub's dead letter must not keep the identity in clear
for the month dead letters are kept. So, before it is dead-lettered:

- a ComplaintSubmitted with a clear identity is sealed like any other (a data key stored first),
  under the tracking id the hub would give it, which the record then carries: a replay after a
  fix is admitted with that tracking id, and erasing that complaint destroys this key too;
- a record that is not a readable ComplaintSubmitted is dead-lettered without its payload (the
  hub cannot tell what it holds; the original stays on ``complaints.intake`` until the topic's
  retention deletes it).

Records of every other topic are already sealed by the hub, or hold no identity.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from lapor_hub.errors import SkippableError
from lapor_hub.schemas import decode, encode, read_cloudevent_headers
from lapor_hub.streams.core import topics
from lapor_hub.streams.core.deadletter import Headers
from lapor_hub.streams.core.publisher import Publisher
from lapor_hub.streams.intake.tracking import tracking_id_for
from lapor_hub.streams.privacy import IdentityVault, carries_clear_identity
from lapor_hub.streams.privacy.keybook import key_record

__all__ = ["sealed_dead_letters"]


def sealed_dead_letters(vault: IdentityVault, publisher: Publisher
                        ) -> Callable[[str, bytes | None, bytes | None, Headers], Awaitable[bytes | None]]:
    async def scrub(topic: str, key: bytes | None, payload: bytes | None, headers: Headers) -> bytes | None:
        if topic != topics.INTAKE or not payload:
            return payload
        try:
            record_type, record = decode(payload)
        except SkippableError:
            return b""
        if record_type != "ComplaintSubmitted" or not carries_clear_identity(record):
            return payload
        tracking_id = record.get("tracking_id") or _assignable(record, headers)
        sealing = vault.prepare(record, tracking_id)
        if sealing.key is not None:
            delivery = await publisher.send(topics.DATA_KEYS, *key_record(sealing.key), [])
            await delivery  # the key is stored before the sealed copy that needs it
        return encode("ComplaintSubmitted", {**sealing.record, "tracking_id": tracking_id})

    return scrub


def _assignable(record: dict, headers: Headers) -> str:
    """The tracking id the hub would give ``record`` (see intake.submission), or '' when it cannot."""
    try:
        attributes = read_cloudevent_headers(headers)
        return tracking_id_for(attributes["source"], attributes["id"], record["occurred_at"])
    except (SkippableError, KeyError, TypeError, ValueError):
        return ""
