"""Tracking ids: format, determinism from the CloudEvents pair, uniqueness of random draws."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lapor_hub.streams.intake.tracking import is_tracking_id, new_tracking_id, normalize_tracking_id, tracking_id_for

NOW = datetime(2026, 11, 28, 3, 15, tzinfo=UTC)
_CANONICAL = re.compile(r"^LPR-\d{8}-[0-9A-HJKMNP-TV-Z]{8}$")


def test_format_date_and_unambiguous_alphabet():
    tracking_id = new_tracking_id(NOW)
    assert _CANONICAL.match(tracking_id)
    assert tracking_id.startswith("LPR-20261128-")
    assert not set(tracking_id[13:]) & set("ILOU")
    assert is_tracking_id(tracking_id)


def test_the_date_is_the_utc_date():
    # 06:30 on 29 November in Jakarta is still 28 November in UTC.
    wib = timezone(timedelta(hours=7))
    assert new_tracking_id(datetime(2026, 11, 29, 6, 30, tzinfo=wib)).startswith("LPR-20261128-")


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        new_tracking_id(datetime(2026, 11, 28))
    with pytest.raises(ValueError):
        tracking_id_for("/connector/18.10", "e-1", datetime(2026, 11, 28))


def test_random_ids_are_unique_over_many_draws():
    drawn = [new_tracking_id(NOW) for _ in range(20_000)]
    assert len(set(drawn)) == len(drawn)
    # Every character of the alphabet shows up in every position: the draw is not biased.
    for position in range(13, 21):
        assert len({t[position] for t in drawn}) == 32


def test_a_redelivered_submission_gets_the_same_id():
    first = tracking_id_for("/connectors/18.10/simpeg", "evt-0001", NOW)
    assert tracking_id_for("/connectors/18.10/simpeg", "evt-0001", NOW) == first
    assert is_tracking_id(first)
    assert tracking_id_for("/connectors/18.10/simpeg", "evt-0002", NOW) != first
    assert tracking_id_for("/connectors/18.71/simpeg", "evt-0001", NOW) != first


def test_the_pair_is_not_ambiguous_when_joined():
    assert tracking_id_for("ab", "c", NOW) != tracking_id_for("a", "bc", NOW)


@given(st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=40),
       st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)))
def test_derived_ids_are_well_formed_and_stable(source, event_id, at):
    tracking_id = tracking_id_for(source, event_id, at)
    assert is_tracking_id(tracking_id)
    assert tracking_id == tracking_id_for(source, event_id, at)
    assert tracking_id[4:12] == at.strftime("%Y%m%d")


def test_derived_ids_spread_like_random_ones():
    derived = {tracking_id_for("/connectors/file-drop", f"row-{n}", NOW) for n in range(20_000)}
    assert len(derived) == 20_000


def test_an_empty_source_or_id_cannot_derive_an_id():
    with pytest.raises(ValueError):
        tracking_id_for("", "evt-1", NOW)
    with pytest.raises(ValueError):
        tracking_id_for("/connectors/x", "", NOW)


@pytest.mark.parametrize("text", [
    "LPR-20261128-7K3M9Q2X", "LPR-20240229-00000000", "LPR-20261128-ZZZZZZZZ",
])
def test_canonical_ids_are_recognised(text):
    assert is_tracking_id(text)


@pytest.mark.parametrize("text", [
    "lpr-20261128-7k3m9q2x",     # not canonical (see normalize_tracking_id)
    "LPR-20261128-7K3M9Q2",      # 7 characters
    "LPR-20261128-7K3M9Q2XY",
    "LPR-20261128-7K3M9Q2U",     # U is not in Crockford's alphabet
    "LPR-20261128-7K3M9Q2O",     # O neither
    "LPR-20261301-7K3M9Q2X",     # month 13
    "LPR-20250229-7K3M9Q2X",     # not a leap year
    "LPR20261128-7K3M9Q2X",
    " LPR-20261128-7K3M9Q2X",
    "",
    None,
    12345,
])
def test_non_ids_are_rejected(text):
    assert not is_tracking_id(text)


@pytest.mark.parametrize(("typed", "canonical"), [
    ("lpr-20261128-7k3m9q2x", "LPR-20261128-7K3M9Q2X"),
    ("  LPR-20261128-7K3M9Q2X ", "LPR-20261128-7K3M9Q2X"),
    ("LPR-20261128-OOlI0000", "LPR-20261128-00110000"),
    ("LPR-20261128-UUUUUUUU", None),
    ("LPR 20261128 7K3M9Q2X", None),
])
def test_what_people_type_is_normalised(typed, canonical):
    assert normalize_tracking_id(typed) == canonical
