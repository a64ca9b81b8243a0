from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.directory import TimeZone
from lapor_hub.streams.sla.calendar import WorkingCalendar

WIB = ZoneInfo("Asia/Jakarta")
WIT = ZoneInfo("Asia/Jayapura")


def local(zone, *parts):
    return datetime(*parts).replace(tzinfo=zone).astimezone(UTC)


def idul_fitri(year, *, joint_leave=False):
    """Idul Fitri (and, when asked, its cuti bersama) as the holidays library knows them."""
    categories = ("public", "government") if joint_leave else ("public",)
    found = holidays.country_holidays("ID", years=year, categories=categories, language="en_US")
    return sorted(found.get_named("Eid al-Fitr"))


@pytest.fixture
def calendar():
    return WorkingCalendar()


def test_weekend_is_not_a_working_day(calendar):
    assert calendar.is_working_day(date(2026, 6, 5))  # Friday
    assert not calendar.is_working_day(date(2026, 6, 6))  # Saturday
    assert not calendar.is_working_day(date(2026, 6, 7))  # Sunday


def test_an_instant_is_judged_by_its_local_date(calendar):
    # Friday 23:30 UTC is already Saturday in Jakarta.
    friday_night_utc = datetime(2026, 6, 5, 23, 30, tzinfo=UTC)
    assert not calendar.is_working_day(friday_night_utc, TimeZone.WIB)
    assert calendar.is_working_day(friday_night_utc, "UTC")
    with pytest.raises(ValueError):
        calendar.is_working_day(friday_night_utc)


def test_three_working_days_skip_the_weekend(calendar):
    thursday_morning = local(WIB, 2026, 6, 4, 9)
    # Fri 5, Mon 8, Tue 9: the deadline is the end of Tuesday, local midnight.
    assert calendar.add_working_days(thursday_morning, 3, TimeZone.WIB) == local(WIB, 2026, 6, 10)


def test_the_rest_of_the_starting_day_is_free(calendar):
    early = local(WIB, 2026, 6, 8, 0, 1)
    late = local(WIB, 2026, 6, 8, 23, 59)
    assert calendar.add_working_days(early, 1, TimeZone.WIB) == calendar.add_working_days(late, 1, TimeZone.WIB)


@pytest.mark.parametrize("year", [2025, 2026])
def test_idul_fitri_is_not_a_working_day(calendar, year):
    days = idul_fitri(year)
    assert days, f"the holidays library knows no Idul Fitri in {year}"
    assert not any(calendar.is_working_day(day) for day in days)


def test_a_deadline_skips_idul_fitri_on_weekdays(calendar):
    # In 2025 Idul Fitri fell on Monday and Tuesday (in 2026 it is on a weekend, see below).
    days = [d for d in idul_fitri(2025) if d.weekday() < 5]
    assert len(days) == 2
    friday_before = days[0] - timedelta(days=(days[0].weekday() - 4) % 7)
    start = local(WIB, friday_before.year, friday_before.month, friday_before.day, 10)
    due = calendar.add_working_days(start, 3, TimeZone.WIB)
    # Three weekdays after the Friday are Mon, Tue, Wed; with both holidays skipped: Wed, Thu, Fri.
    last_day = days[0] + timedelta(days=4)
    assert due == local(WIB, last_day.year, last_day.month, last_day.day) + timedelta(days=1)
    assert calendar.working_time_between(start, due, TimeZone.WIB) == timedelta(days=3, hours=14)


def test_idul_fitri_2026_with_cuti_bersama_from_the_library():
    public = idul_fitri(2026)
    with_leave = idul_fitri(2026, joint_leave=True)
    leave_weekdays = [d for d in set(with_leave) - set(public) if d.weekday() < 5]
    assert leave_weekdays, "expected cuti bersama around Idul Fitri 2026 in the holidays library"
    plain, lebaran = WorkingCalendar(), WorkingCalendar(joint_leave=True)
    assert all(plain.is_working_day(d) for d in leave_weekdays)
    assert not any(lebaran.is_working_day(d) for d in leave_weekdays)
    start = local(WIB, 2026, 3, 16, 10)
    assert lebaran.add_working_days(start, 5, TimeZone.WIB) - plain.add_working_days(
        start, 5, TimeZone.WIB
    ) >= timedelta(days=len(leave_weekdays))


def test_cuti_bersama_configured_as_extra_days():
    extra = [date(2026, 6, 8), date(2026, 6, 9)]  # Monday, Tuesday
    calendar = WorkingCalendar.from_mapping({"extra_non_working_days": [d.isoformat() for d in extra]})
    assert calendar.extra_non_working == frozenset(extra)
    assert not calendar.is_working_day(date(2026, 6, 8))
    friday = local(WIB, 2026, 6, 5, 14)
    # Mon and Tue are off: Wed 10, Thu 11, Fri 12.
    assert calendar.add_working_days(friday, 3, TimeZone.WIB) == local(WIB, 2026, 6, 13)
    assert WorkingCalendar().add_working_days(friday, 3, TimeZone.WIB) == local(WIB, 2026, 6, 11)


def test_wit_day_ends_two_hours_before_wib(calendar):
    start = datetime(2026, 6, 8, 3, 0, tzinfo=UTC)  # Monday morning in both zones
    wib = calendar.add_working_days(start, 3, TimeZone.WIB)
    wit = calendar.add_working_days(start, 3, TimeZone.WIT)
    assert wib - wit == timedelta(hours=2)
    assert wit == local(WIT, 2026, 6, 12)  # end of Thursday in Jayapura
    assert wit.hour == 15 and wib.hour == 17  # 00:00 UTC+9 and 00:00 UTC+7


def test_calendar_days_end_at_local_midnight(calendar):
    start = local(WIB, 2026, 1, 5, 15)
    assert calendar.add_calendar_days(start, 60, TimeZone.WIB) == local(WIB, 2026, 3, 7)


def test_working_time_over_a_weekend(calendar):
    friday_noon = local(WIB, 2026, 6, 5, 12)
    monday_noon = local(WIB, 2026, 6, 8, 12)
    assert calendar.working_time_between(friday_noon, monday_noon, TimeZone.WIB) == timedelta(hours=24)
    assert calendar.working_seconds_between(monday_noon, friday_noon, TimeZone.WIB) == -24 * 3600


def test_adding_working_time_jumps_over_the_weekend(calendar):
    friday_noon = local(WIB, 2026, 6, 5, 12)
    assert calendar.add_working_time(friday_noon, timedelta(hours=12), TimeZone.WIB) == local(WIB, 2026, 6, 6)
    assert calendar.add_working_time(friday_noon, timedelta(hours=13), TimeZone.WIB) == local(WIB, 2026, 6, 8, 1)


def test_holidays_are_looked_up_once_per_year(calendar, monkeypatch):
    calls = []
    real = holidays.country_holidays

    def counting(*args, **kwargs):
        calls.append(kwargs.get("years"))
        return real(*args, **kwargs)

    monkeypatch.setattr(holidays, "country_holidays", counting)
    for day in range(1, 29):
        calendar.is_working_day(date(2031, 2, day))
    assert calls == [2031]


@pytest.mark.parametrize(
    "config, fragment",
    [
        ({"extra_non_working_days": ["23-03-2026"]}, "YYYY-MM-DD"),
        ({"extra_non_working_days": "2026-03-23"}, "list of dates"),
        ({"joint_leave": "yes"}, "true or false"),
        ({"cuti": []}, "unknown working calendar setting"),
    ],
)
def test_bad_calendar_configuration(config, fragment):
    with pytest.raises(ConfigurationError, match=fragment):
        WorkingCalendar.from_mapping(config)


def test_naive_instants_are_refused(calendar):
    with pytest.raises(ValueError, match="naive"):
        calendar.add_working_days(datetime(2026, 6, 5, 12), 1, TimeZone.WIB)
