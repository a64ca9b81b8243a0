"""Updates from the agency system, checked one by one before anything is published.

Two checks, in order: the update's shape (:func:`~lapor_hub.connectors.sdk.updates.update_value`:
its type, its fields), then, when the runtime is given one, an :class:`UpdateCheck`: what the hub
can already tell about it (the complaint is unknown, another agency holds it, its status does not
allow the transition). An update that fails either is refused with the reason; the others go on.

:func:`sort_polled` does it for what ``poll()`` returned: records that cannot become updates are
sorted out with their reason instead of failing the whole poll, and the watermark (the ``cursor``
field of the records) moves past every record looked at, the refused ones too: a malformed
record is dead-lettered once, not read again forever.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from lapor_hub.connectors.sdk.model import AgencyUpdate, Delivery, json_safe
from lapor_hub.connectors.sdk.updates import InvalidUpdate, UpdateConflict, parse_update
from lapor_hub.errors import RetriableError, SkippableError

__all__ = ["UpdateCheck", "Checked", "Polled", "sort_polled", "check_pushed", "record_id", "record_payload"]

log = logging.getLogger("lapor_hub.connectors.runtime")

#: An update and its outbox value.
Checked = tuple[AgencyUpdate, dict[str, Any]]


class UpdateCheck(Protocol):
    """What the hub can tell about updates before they are published."""

    def check(self, updates: Sequence[Checked]) -> list[UpdateConflict | None]:
        """Per update, in order (earlier ones count as published): the conflict, or None."""

    def published(self, updates: Sequence[Checked]) -> None:
        """These are on the outbox now."""

    def delivered(self, delivery: Delivery) -> None:
        """The agency system accepted this inbox event."""


@dataclass
class Polled:
    """What one poll gave: updates to publish, records refused with the reason, the new watermark."""

    taken: list[Checked] = field(default_factory=list)
    refused: list[tuple[Any, SkippableError]] = field(default_factory=list)
    after: Any = None


def sort_polled(items: Iterable[Any], *, cursor: str | None, after: Any,
                value_of: Callable[[AgencyUpdate], dict[str, Any]], check: UpdateCheck | None = None) -> Polled:
    """Sort polled ``items`` (AgencyUpdate objects or the agency's records as mappings)."""
    if isinstance(items, (Mapping, str, bytes)) or not isinstance(items, Iterable):
        raise RetriableError(f"poll() returned a {type(items).__name__}, not a list of updates: the agency "
                             "system answered something else than its list of updates (an error page?)")
    polled = Polled(after=after)
    shaped: list[tuple[Any, Checked | SkippableError]] = []
    for item in items:
        position = item.get(cursor) if cursor and isinstance(item, Mapping) else None
        try:
            update = _update_of(item, cursor, position)
            shaped.append((item, (update, value_of(update))))
        except SkippableError as exc:
            shaped.append((item, exc))
        except Exception as exc:  # a record nobody foresaw must not stop the connector
            log.exception("reading a polled record raised %s", type(exc).__name__)
            shaped.append((item, InvalidUpdate(f"unexpected {type(exc).__name__} reading the record")))
        if position is not None:
            polled.after = position
    candidates = [outcome for _, outcome in shaped if not isinstance(outcome, SkippableError)]
    conflicts = iter(check.check(candidates) if check is not None and candidates else [None] * len(candidates))
    for item, outcome in shaped:
        if isinstance(outcome, SkippableError):
            polled.refused.append((item, outcome))
            continue
        conflict = next(conflicts)
        if conflict is None:
            polled.taken.append(outcome)
        else:
            polled.refused.append((outcome[0], conflict))
    return polled


def check_pushed(updates: Sequence[AgencyUpdate], *, value_of: Callable[[AgencyUpdate], dict[str, Any]],
                 check: UpdateCheck | None = None) -> list[Checked]:
    """Pushed updates are all or nothing: the first refusal is raised, naming the update."""
    checked = []
    for index, update in enumerate(updates):
        try:
            checked.append((update, value_of(update)))
        except SkippableError as exc:
            raise InvalidUpdate(f"update {index}: {exc.reason}") from None
    for index, conflict in enumerate(check.check(checked) if check is not None else []):
        if conflict is not None:
            raise UpdateConflict(f"update {index}: {conflict.reason}")
    return checked


def record_id(record: Any) -> str:
    """A stable id of a polled record: its update id, else a hash of its content."""
    if isinstance(record, AgencyUpdate):
        return record.update_id
    if isinstance(record, Mapping) and record.get("update_id"):
        return str(record["update_id"])
    return "sha256:" + hashlib.sha256(record_payload(record)).hexdigest()


def record_payload(record: Any) -> bytes:
    """The record as JSON bytes, for a dead letter."""
    if isinstance(record, AgencyUpdate):
        record = {"type": record.record_type, "tracking_id": record.tracking_id, "update_id": record.update_id,
                  **record.fields}
    elif not isinstance(record, Mapping):
        record = {"unreadable": type(record).__name__}
    return json.dumps(json_safe(record), sort_keys=True, default=str).encode("utf-8")


def _update_of(item: Any, cursor: str | None, position: Any) -> AgencyUpdate:
    if isinstance(item, AgencyUpdate):
        return item
    if not isinstance(item, Mapping):
        raise InvalidUpdate(f"poll() returned a {type(item).__name__}: return AgencyUpdate objects or mappings")
    raw = {str(k): v for k, v in item.items() if k != cursor}
    if cursor is not None and position is None:
        raise InvalidUpdate(f"the record has no {cursor!r} (the connector's cursor): the agency system must "
                            "number every update")
    if position is not None and not raw.get("update_id"):
        raw["update_id"] = f"{cursor}:{position}"  # the agency's own numbering: the same on every re-read
    return parse_update(raw)
