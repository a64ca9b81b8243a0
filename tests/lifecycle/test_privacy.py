"""What an agency receives: the ComplaintDispositioned with the reporter's privacy applied.

Submissions reach the lifecycle sealed (the HTTP API seals them; the agent seals what a channel
wrote in clear): the identity travels on as the same sealed identity, to entitled agencies only.
"""

from __future__ import annotations

import os

import pytest

from lapor_hub import schemas
from lapor_hub.streams.lifecycle import REPORTER, Status
from lapor_hub.streams.privacy import IdentityVault, LocalKek
from lapor_hub.streams.privacy.keybook import key_record
from tests.lifecycle.builders import PRINGSEWU, TRACKING_ID, Complaint, submit
from tests.lifecycle.builders import submission as clear_submission

_VAULT = IdentityVault(LocalKek(os.urandom(32)))


def submission(**overrides):
    value = clear_submission(**overrides)
    sealing = _VAULT.prepare(value, value["tracking_id"])
    assert sealing.key is not None
    _VAULT.book.read(*key_record(sealing.key))  # stored, as the key store does before the record
    return sealing.record


def _submit(**overrides):
    return submit(submission(**overrides))


def _dispositioned(outcome):
    (event,) = [e for e in outcome.emissions if e.record_type == "ComplaintDispositioned"]
    schemas.encode(event.record_type, event.value)
    return event.value


def test_anonymous_reports_reach_the_agency_without_identity_or_attachments(ctx):
    complaint = Complaint(ctx)
    value = _dispositioned(complaint.apply(_submit(privacy="ANONYMOUS")))
    assert value["reporter"] is None and value["identity"] is None
    assert value["attachments"] == []
    assert value["privacy"] == "ANONYMOUS"
    assert value["content_hidden"] is False
    assert "Siti" not in repr(value) and "1810015507900003" not in repr(value)
    # The hub itself keeps the identity, sealed (to answer the reporter), and re-applies the rule later.
    assert complaint.submission["identity"]["key_id"].startswith(TRACKING_ID + ":")
    assert "reporter" not in str(complaint.state.to_dict()) and "Siti" not in str(complaint.state.to_dict())


def test_confidential_reports_are_flagged_hidden_and_keep_the_reporter(ctx):
    value = _dispositioned(Complaint(ctx).apply(_submit(privacy="CONFIDENTIAL")))
    assert value["content_hidden"] is True
    assert value["reporter"] is None
    assert _VAULT.open(value["identity"], TRACKING_ID).name == "Siti Rahmawati"
    assert len(value["attachments"]) == 1


def test_public_reports_keep_the_sealed_identity_and_attachments(ctx):
    sealed = submission(privacy="PUBLIC")
    value = _dispositioned(Complaint(ctx).apply(submit(sealed)))
    assert value["content_hidden"] is False
    assert value["reporter"] is None and value["identity"] == sealed["identity"]
    assert _VAULT.open(value["identity"], TRACKING_ID).reporter == clear_submission()["reporter"]
    assert value["attachments"] == sealed["attachments"]
    assert value["title"] == sealed["title"]


def test_a_private_location_reaches_the_agency_as_the_region_only(ctx):
    sealed = submission(privacy="PUBLIC", location_private=True)
    value = _dispositioned(Complaint(ctx).apply(submit(sealed)))
    assert value["location"] == {"region_code": PRINGSEWU, "lat": None, "lon": None, "address": None}
    assert value["location_private"] is True
    assert _VAULT.open(value["identity"], TRACKING_ID).location == {"lat": -5.3581, "lon": 104.9744,
                                                                    "address": "Jl. Kenanga 7"}


def test_a_submission_stored_before_sealing_reaches_the_agency_without_its_identity_in_clear(ctx):
    value = _dispositioned(Complaint(ctx).apply(submit(clear_submission(privacy="PUBLIC"))))
    assert value["reporter"] is None and value["identity"] is None
    assert "Siti" not in repr(value)


def test_privacy_is_applied_again_when_the_complaint_is_forwarded(ctx):
    complaint = Complaint.submitted(ctx, submission(privacy="ANONYMOUS", category="social_aid.blt"))
    outcome = complaint.send("ComplaintForwarded", PRINGSEWU, at=complaint.later(), to_agency="KEMENSOS")
    value = _dispositioned(outcome)
    assert value["agency"]["code"] == "KEMENSOS"
    assert value["reporter"] is None and value["identity"] is None and value["attachments"] == []


@pytest.mark.parametrize("privacy", ["ANONYMOUS", "CONFIDENTIAL", "PUBLIC"])
def test_the_full_submission_goes_to_no_agency_inbox(ctx, privacy):
    outcome = Complaint(ctx).apply(_submit(privacy=privacy))
    (submitted,) = [e for e in outcome.emissions if e.record_type == "ComplaintSubmitted"]
    assert submitted.inboxes == ()


def test_attachments_added_later_to_an_anonymous_report_are_withheld_from_the_agency(ctx):
    complaint = Complaint.submitted(ctx, submission(privacy="ANONYMOUS"))
    complaint.to(Status.WAITING_FOR_REPORTER)
    photo = {"name": "foto-saya.jpg", "content_type": "image/jpeg", "url": "https://files.lapor.go.id/f.jpg",
             "size_bytes": 1000}
    outcome = complaint.send("InformationAdded", REPORTER, at=complaint.later(), attachments=[photo])
    (added,) = outcome.emissions
    assert added.inboxes == (PRINGSEWU,)
    assert added.value["attachments"] == []
