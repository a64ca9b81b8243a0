"""Working days: Monday to Friday minus Indonesian public holidays, in the agency's own time zone.

A **working day** is a whole local calendar day (00:00 to 24:00 in the agency's zone) that is a
Monday to Friday, is not a public holiday (``holidays.country_holidays("ID")``) and is not one of
the configured extra non-working dates (cuti bersama, local decrees). Office hours are not
modelled: LAPOR's rules count days, not hours, and an agency may answer in the evening.

**Working time** is the part of an interval that lies inside working days. It is additive
(``between(a, c) == between(a, b) + between(b, c)``) and :meth:`WorkingCalendar.add_working_time`
is its inverse, which is what makes pausing a deadline exact.

**"N working days after t"** is the end of the N-th working day after t's local date, i.e. local
midnight at the end of that day, returned in UTC. The rest of the starting day is a free grace
period, as in "3 hari kerja sejak diterima". Because the day ends at local midnight, a WIT
(UTC+9) agency's deadline falls two hours before a WIB (UTC+7) agency's on the same date.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.directory import TimeZone

__all__ = ["WorkingCalendar", "ZoneLike", "default_calendar", "resolve_zone", "as_utc"]

#: An agency's zone: the directory's enum, an IANA name, or a ZoneInfo.
ZoneLike = TimeZone | str | ZoneInfo

_ONE_DAY = timedelta(days=1)
_ZERO = timedelta(0)
_SATURDAY = 5


@cache
def resolve_zone(tz: ZoneLike) -> ZoneInfo:
    """The ZoneInfo for a :class:`TimeZone`, an IANA name or a ZoneInfo."""
    if isinstance(tz, ZoneInfo):
        return tz
    name = tz.value if isinstance(tz, TimeZone) else tz
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigurationError(
            f"unknown time zone {name!r}: use Asia/Jakarta, Asia/Makassar or Asia/Jayapura") from exc


def as_utc(instant: datetime) -> datetime:
    """``instant`` in UTC; a naive datetime is a programming error (it would be read as host time)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"naive datetime {instant.isoformat()}: the hub uses timezone-aware UTC")
    return instant.astimezone(UTC)


class WorkingCalendar:
    """Which days count, and the arithmetic of working days and working time.

    ``extra_non_working`` adds dates on which no agency works (cuti bersama, a regional decree).
    ``joint_leave=True`` also takes the cuti bersama the ``holidays`` library knows for Indonesia
    (its ``government`` category); it is off by default because those dates are only published
    late each year, so configuring them explicitly keeps deadlines reproducible.
    Holiday lookups are cached per year; instances are safe to share between tasks and threads.
    """

    def __init__(self, extra_non_working: Iterable[date] = (), *, joint_leave: bool = False) -> None:
        extra = []
        for day in extra_non_working:
            if isinstance(day, datetime) or not isinstance(day, date):
                raise ConfigurationError(f"extra non-working day {day!r} must be a date such as 2026-03-23")
            extra.append(day)
        self._extra = frozenset(extra)
        self._joint_leave = joint_leave
        self._years: dict[int, frozenset[date]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> WorkingCalendar:
        """A calendar from configuration (YAML), e.g.
        ``{"extra_non_working_days": ["2026-03-23", "2026-03-24"], "joint_leave": False}``.
        """
        allowed = {"extra_non_working_days", "joint_leave"}
        unknown = sorted(set(config) - allowed)
        if unknown:
            raise ConfigurationError(
                f"unknown working calendar setting(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
            )
        joint_leave = config.get("joint_leave", False)
        if not isinstance(joint_leave, bool):
            raise ConfigurationError(f"joint_leave={joint_leave!r} must be true or false")
        raw_days = config.get("extra_non_working_days", ())
        if isinstance(raw_days, (str, bytes)) or not isinstance(raw_days, Iterable):
            raise ConfigurationError("extra_non_working_days must be a list of dates such as [2026-03-23]")
        return cls((_parse_date(d) for d in raw_days), joint_leave=joint_leave)

    @property
    def extra_non_working(self) -> frozenset[date]:
        return self._extra

    # -- days ---------------------------------------------------------------------------------

    def is_working_day(self, day: date | datetime, tz: ZoneLike | None = None) -> bool:
        """Whether ``day`` is a working day; an instant is first turned into its local date in ``tz``."""
        if isinstance(day, datetime):
            if tz is None:
                raise ValueError("an instant needs the agency's time zone to know its local date")
            day = as_utc(day).astimezone(resolve_zone(tz)).date()
        return day.weekday() < _SATURDAY and day not in self._extra and day not in self._holidays(day.year)

    def add_working_days(self, start: datetime, n: int, tz: ZoneLike) -> datetime:
        """The end (next local midnight, in UTC) of the ``n``-th working day after ``start``'s local date.

        ``n == 0`` is no allowance at all and returns ``start``.
        """
        if n < 0:
            raise ValueError(f"cannot count {n} working days")
        start = as_utc(start)
        if n == 0:
            return start
        zone = resolve_zone(tz)
        day = start.astimezone(zone).date()
        while n:
            day += _ONE_DAY
            if self.is_working_day(day):
                n -= 1
        return _day_start(day + _ONE_DAY, zone)

    def add_calendar_days(self, start: datetime, n: int, tz: ZoneLike) -> datetime:
        """The end of the ``n``-th calendar day after ``start``'s local date, the same convention
        as :meth:`add_working_days` so that every deadline falls at a local midnight."""
        if n < 0:
            raise ValueError(f"cannot count {n} calendar days")
        start = as_utc(start)
        if n == 0:
            return start
        zone = resolve_zone(tz)
        return _day_start(start.astimezone(zone).date() + timedelta(days=n + 1), zone)

    # -- working time -------------------------------------------------------------------------

    def working_time_between(self, a: datetime, b: datetime, tz: ZoneLike) -> timedelta:
        """How much of ``[a, b)`` lies inside working days; negative when ``b`` is before ``a``."""
        a, b = as_utc(a), as_utc(b)
        if b < a:
            return -self.working_time_between(b, a, tz)
        zone = resolve_zone(tz)
        total = _ZERO
        day = a.astimezone(zone).date()
        last = b.astimezone(zone).date()
        while day <= last:
            if self.is_working_day(day):
                lo = max(a, _day_start(day, zone))
                hi = min(b, _day_start(day + _ONE_DAY, zone))
                if hi > lo:
                    total += hi - lo
            day += _ONE_DAY
        return total

    def working_seconds_between(self, a: datetime, b: datetime, tz: ZoneLike) -> float:
        return self.working_time_between(a, b, tz).total_seconds()

    def add_working_time(self, start: datetime, amount: timedelta, tz: ZoneLike) -> datetime:
        """The earliest instant ``u`` with ``working_time_between(start, u) == amount``.

        Time on weekends and holidays is skipped, so an amount that exactly fills a day ends at
        that day's local midnight rather than at the start of the next working day.
        """
        if amount < _ZERO:
            raise ValueError(f"cannot add negative working time {amount}")
        start = as_utc(start)
        if amount == _ZERO:
            return start
        zone = resolve_zone(tz)
        day = start.astimezone(zone).date()
        while True:
            if self.is_working_day(day):
                lo = max(start, _day_start(day, zone))
                available = _day_start(day + _ONE_DAY, zone) - lo
                if amount <= available:
                    return lo + amount
                amount -= available
            day += _ONE_DAY

    # -- holidays -----------------------------------------------------------------------------

    def _holidays(self, year: int) -> frozenset[date]:
        cached = self._years.get(year)
        if cached is not None:
            return cached
        with self._lock:
            if year not in self._years:
                categories = ("public", "government") if self._joint_leave else ("public",)
                found = holidays.country_holidays("ID", years=year, categories=categories)
                self._years[year] = frozenset(found)
            return self._years[year]


@cache
def default_calendar() -> WorkingCalendar:
    """Public holidays only, no extra dates: what functions use when no calendar is passed."""
    return WorkingCalendar()


@lru_cache(maxsize=65536)
def _day_start(day: date, zone: ZoneInfo) -> datetime:
    # Cached: every deadline computation walks day boundaries, and there are few distinct days.
    return datetime.combine(day, time(0), zone).astimezone(UTC)


def _parse_date(raw: object) -> date:
    if isinstance(raw, datetime):
        raise ConfigurationError(f"extra non-working day {raw.isoformat()} must be a date, not a time")
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise ConfigurationError(f"extra non-working day {raw!r} is not a date: write it as YYYY-MM-DD")
