"""GET requests: the specification's filters, and what they may not take."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lapor_hub.streams.web.open311.reading import LIMIT, WINDOW, FilterError, request_filter

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


def _filter(**query):
    return request_filter("18.10", query, is_service=lambda code: code.startswith("infrastructure."), now=NOW)


def test_without_dates_the_window_is_the_latest_90_days():
    wanted = _filter()
    assert (wanted.start, wanted.end) == (NOW - WINDOW, NOW)
    assert wanted.finished is None and wanted.categories is None and wanted.limit == LIMIT


def test_service_request_id_overrides_every_other_filter():
    wanted = _filter(service_request_id="LPR-1, LPR-2", status="closed", service_code="nope")
    assert list(wanted.tracking_ids or []) == ["LPR-1", "LPR-2"]
    assert wanted.finished is None and wanted.start is None


def test_status_service_code_and_dates():
    wanted = _filter(status="closed", service_code="infrastructure.road.regency,infrastructure.road.national",
                     start_date="2026-10-01T00:00:00+07:00", end_date="2026-11-01")
    assert wanted.finished is True
    assert list(wanted.categories or []) == ["infrastructure.road.regency", "infrastructure.road.national"]
    assert wanted.start == datetime(2026, 9, 30, 17, 0, tzinfo=UTC) and wanted.end == datetime(2026, 11, 1, tzinfo=UTC)
    assert _filter(status="open,closed").finished is None and _filter(status="open").finished is False
    only_start = _filter(start_date="2026-01-01T00:00:00Z")
    assert only_start.end == datetime(2026, 1, 1, tzinfo=UTC) + WINDOW


@pytest.mark.parametrize(("query", "reason"), [
    ({"status": "pending"}, "status is open, closed"),
    ({"service_code": "health.hospital"}, "service_code lists a code that is no service"),
    ({"start_date": "yesterday"}, "start_date must be a W3C date-time"),
    ({"end_date": "2026-01-01T00:00:00"}, "end_date must say its time zone"),
    ({"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "end_date is before start_date"),
    ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "more than 90 days"),
    ({"service_request_id": ",".join(f"LPR-{i}" for i in range(LIMIT + 1))}, f"at most {LIMIT}"),
])
def test_a_filter_it_cannot_take_says_why(query, reason):
    with pytest.raises(FilterError, match=reason):
        _filter(**query)


def test_end_date_alone_looks_back_90_days():
    wanted = _filter(end_date="2026-06-01T00:00:00Z")
    assert wanted.end - wanted.start == timedelta(days=90)
