"""The retention policy without a broker: what is erased, when, and what it reports."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta

from lapor_hub.streams.privacy import Erasure, IdentityVault, LocalKek
from lapor_hub.streams.privacy.keybook import erasure_record, key_record
from lapor_hub.streams.privacy.retention import RetentionPolicy, to_erase

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


def _vault_holding(*tracking_ids: str) -> IdentityVault:
    vault = IdentityVault(LocalKek(os.urandom(32)))
    for tracking_id in tracking_ids:
        sealing = vault.prepare({"reporter": {"nik": "3201046503910007"}}, tracking_id)
        assert sealing.key is not None
        vault.book.read(*key_record(sealing.key))
    return vault


def test_only_ended_complaints_that_still_hold_an_identity_are_erased():
    vault = _vault_holding("LPR-A", "LPR-B")
    vault.book.read(*erasure_record(Erasure("LPR-B", NOW.timestamp(), "request")))
    # LPR-C ended without any identity (an anonymous report given none): nothing to erase.
    assert to_erase(["LPR-A", "LPR-B", "LPR-C"], vault.book) == ["LPR-A"]


def test_a_run_asks_for_complaints_ended_before_the_cutoff_and_reports_what_it_erased():
    vault = _vault_holding("LPR-OLD", "LPR-RECENT")
    ended = {"LPR-OLD": NOW - timedelta(days=400), "LPR-RECENT": NOW - timedelta(days=10)}
    asked: list[datetime] = []
    erased: list[str] = []

    def ended_before(cutoff: datetime) -> list[str]:
        asked.append(cutoff)
        return [tid for tid, at in ended.items() if at <= cutoff]

    async def erase(tracking_id: str) -> None:
        erased.append(tracking_id)
        vault.book.read(*erasure_record(Erasure(tracking_id, NOW.timestamp(), "retention")))

    policy = RetentionPolicy(days=365, interval_s=60, ended_before=ended_before, erase=erase, book=vault.book,
                             caught_up=lambda: True, now=lambda: NOW)
    assert asyncio.run(policy.run_once()) == 1
    assert asked == [NOW - timedelta(days=365)] and erased == ["LPR-OLD"]
    assert (policy.figures.runs, policy.figures.last_erased, policy.figures.erased) == (1, 1, 1)
    assert asyncio.run(policy.run_once()) == 0  # erased once is erased: the next run finds nothing
    assert (policy.figures.runs, policy.figures.erased) == (2, 1)
