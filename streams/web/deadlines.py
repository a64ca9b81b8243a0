"""How much of a deadline is left, in the holder's working days, as staff lists show it.

The hub's clock may run faster than the wall clock (``LAPOR_TIME_SCALE``), so a browser cannot
work this out from its own time: the lists carry the hub's ``now`` and each complaint's working
days left, counted like the deadline itself (the holder's time zone, its weekends and holidays).
"""

from __future__ import annotations

from datetime import datetime

from lapor_hub.errors import UnknownAgencyError
from lapor_hub.streams.directory import NATIONAL_ADMIN, Directory
from lapor_hub.streams.sla.calendar import WorkingCalendar

__all__ = ["working_days_left"]

_DAY_S = 86400.0


def working_days_left(calendar: WorkingCalendar, directory: Directory, now: datetime, due_at: datetime | None,
                      holder: str | None) -> float | None:
    """Working days from ``now`` to ``due_at`` for ``holder`` (negative once it passed), to a tenth;
    None without a deadline. The national admin's triage counts in its own zone (WIB)."""
    if due_at is None:
        return None
    try:
        zone = directory.get(holder or NATIONAL_ADMIN).time_zone.value
    except UnknownAgencyError:
        zone = directory.get(NATIONAL_ADMIN).time_zone.value
    return round(calendar.working_seconds_between(now, due_at, zone) / _DAY_S, 1)
