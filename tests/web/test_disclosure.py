"""Who may see a reporter's identity, and what the case file shows (the console too): the rules without a server."""

from __future__ import annotations

import os

import pytest

from lapor_hub.streams.identity import Principal, Role
from lapor_hub.streams.privacy import Erasure, IdentityVault, LocalKek
from lapor_hub.streams.privacy.keybook import erasure_record, key_record
from lapor_hub.streams.web.disclosure import disclosed_case_file, may_see_identity
from lapor_hub.streams.web.responses import ApiError

TID = "LPR-20261130-9QAWP8RN"
REPORTER = {"name": "Siti Rahayu", "nik": "3201046503910007", "phone": "+6281298765432",
            "email": "siti.rahayu@gmail.com"}


def _who(role: Role, agency: str | None = None) -> Principal:
    return Principal(subject="someone", role=role, agency=agency, issuer="lapor-hub", token_id=None, expires_at=None,
                     channel="sms-1708" if role is Role.CHANNEL else None)


def _case(vault: IdentityVault, *, privacy: str = "PUBLIC", status: str = "dispositioned", store_key: bool = True):
    sealing = vault.prepare({"reporter": REPORTER}, TID)
    assert sealing.key is not None
    if store_key:
        vault.book.read(*key_record(sealing.key))
    return {"tracking_id": TID, "privacy": privacy, "status": status, "agency": "18.10",
            "identity": sealing.record["identity"], "location_private": False,
            "location": {"region_code": "18.10", "address": "Jl. Melati 1", "lat": None, "lon": None},
            "attachments": [{"name": "foto.jpg"}]}


@pytest.mark.parametrize(("principal", "privacy", "status", "shown"), [
    (_who(Role.AGENCY_OFFICER, "18.10"), "PUBLIC", "dispositioned", True),
    (_who(Role.CONNECTOR, "18.10"), "CONFIDENTIAL", "dispositioned", True),
    (_who(Role.AGENCY_OFFICER, "18.71"), "PUBLIC", "dispositioned", False),  # not the holder
    (_who(Role.CONNECTOR, "18.71"), "PUBLIC", "dispositioned", False),
    (_who(Role.AGENCY_ADMIN, "18.10"), "ANONYMOUS", "dispositioned", False),
    (_who(Role.SUPERVISOR, "18"), "PUBLIC", "dispositioned", False),
    (_who(Role.OVERSIGHT), "PUBLIC", "dispositioned", False),
    (_who(Role.OPERATOR), "PUBLIC", "dispositioned", False),
    (_who(Role.CHANNEL), "PUBLIC", "dispositioned", False),
    (_who(Role.NATIONAL_ADMIN), "PUBLIC", "dispositioned", True),
    (_who(Role.NATIONAL_ADMIN), "ANONYMOUS", "triage", True),  # only while verifying
    (_who(Role.NATIONAL_ADMIN), "ANONYMOUS", "on_hold", True),
    (_who(Role.NATIONAL_ADMIN), "ANONYMOUS", "dispositioned", False),
])
def test_the_identity_opens_only_for_the_entitled(principal, privacy, status, shown):
    vault = IdentityVault(LocalKek(os.urandom(32)))
    case = _case(vault, privacy=privacy, status=status)
    assert may_see_identity(principal, case) is shown
    seen, disclosed = disclosed_case_file(principal, case, vault)
    assert disclosed is shown and seen["identity_shown"] is shown and "identity" not in seen
    assert seen["reporter"] == (REPORTER if shown else None)
    assert vault.figures.identities_opened == int(shown)  # nothing opened for whoever is not entitled
    if privacy == "ANONYMOUS" and not shown:
        assert seen["attachments"] == [] and seen["location"]["address"] is None


def test_a_case_forwarded_away_is_no_longer_the_former_holder_s_to_see():
    vault = IdentityVault(LocalKek(os.urandom(32)))
    case = {**_case(vault), "agency": "18.71"}
    seen, disclosed = disclosed_case_file(_who(Role.AGENCY_OFFICER, "18.10"), case, vault)
    assert not disclosed and seen["reporter"] is None


def test_a_named_report_hidden_from_a_supervisor_keeps_its_attachments_and_place():
    vault = IdentityVault(LocalKek(os.urandom(32)))
    case = _case(vault)
    seen, _ = disclosed_case_file(_who(Role.SUPERVISOR, "18"), case, vault)
    assert seen["reporter"] is None and seen["attachments"] == case["attachments"]
    assert seen["location"] == case["location"]


def test_an_erased_identity_is_shown_as_erased():
    vault = IdentityVault(LocalKek(os.urandom(32)))
    case = _case(vault)
    vault.book.read(*erasure_record(Erasure(TID, 1_764_468_000.0, "request")))
    seen, disclosed = disclosed_case_file(_who(Role.AGENCY_OFFICER, "18.10"), case, vault)
    assert not disclosed and seen["reporter"] is None and seen["identity_erased_at"].startswith("2025-11-30")


def test_a_lost_key_store_is_a_503_that_says_so_not_a_crash():
    vault = IdentityVault(LocalKek(os.urandom(32)), caught_up=lambda: True)
    case = _case(vault, store_key=False)
    with pytest.raises(ApiError) as raised:
        disclosed_case_file(_who(Role.AGENCY_OFFICER, "18.10"), case, vault)
    assert raised.value.status == 503 and raised.value.code == "key_missing"
    assert "restore" in raised.value.message and "Retry-After" in raised.value.headers
    assert REPORTER["nik"] not in raised.value.message and vault.figures.keys_missing == 1


def test_a_key_store_still_being_read_asks_to_retry_shortly():
    vault = IdentityVault(LocalKek(os.urandom(32)), caught_up=lambda: False)
    with pytest.raises(ApiError) as raised:
        disclosed_case_file(_who(Role.NATIONAL_ADMIN), _case(vault, store_key=False), vault)
    assert (raised.value.status, raised.value.code) == (503, "keys_loading")
