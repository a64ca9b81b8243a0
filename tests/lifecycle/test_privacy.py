"""What an agency receives: the ComplaintDispositioned with the reporter's privacy applied."""

from __future__ import annotations

import pytest

from lapor_hub import schemas
from lapor_hub.streams.lifecycle import REPORTER, Status
from tests.lifecycle.builders import PRINGSEWU, Complaint, submission, submit


def _submit(**overrides):
    return submit(submission(**overrides))


def _dispositioned(outcome):
    (event,) = [e for e in outcome.emissions if e.record_type == "ComplaintDispositioned"]
    schemas.encode(event.record_type, event.value)
    return event.value


def test_anonymous_reports_reach_the_agency_without_identity_or_attachments(ctx):
    complaint = Complaint(ctx)
    value = _dispositioned(complaint.apply(_submit(privacy="ANONYMOUS")))
    assert value["reporter"] is None
    assert value["attachments"] == []
    assert value["privacy"] == "ANONYMOUS"
    assert value["content_hidden"] is False
    assert "Siti" not in repr(value) and "1810015507900003" not in repr(value)
    # The hub itself keeps the identity (to answer the reporter), and re-applies the rule later.
    assert complaint.submission["reporter"]["name"] == "Siti Rahmawati"  # kept apart, for deliveries
    assert "reporter" not in str(complaint.state.to_dict()) and "Siti" not in str(complaint.state.to_dict())


def test_confidential_reports_are_flagged_hidden_and_keep_the_reporter(ctx):
    value = _dispositioned(Complaint(ctx).apply(_submit(privacy="CONFIDENTIAL")))
    assert value["content_hidden"] is True
    assert value["reporter"]["name"] == "Siti Rahmawati"
    assert len(value["attachments"]) == 1


def test_public_reports_keep_the_reporter_and_attachments(ctx):
    value = _dispositioned(Complaint(ctx).apply(_submit(privacy="PUBLIC")))
    assert value["content_hidden"] is False
    assert value["reporter"] == submission()["reporter"]
    assert value["attachments"] == submission()["attachments"]
    assert value["title"] == submission()["title"]


def test_privacy_is_applied_again_when_the_complaint_is_forwarded(ctx):
    complaint = Complaint.submitted(ctx, submission(privacy="ANONYMOUS", category="social_aid.blt"))
    outcome = complaint.send("ComplaintForwarded", PRINGSEWU, at=complaint.later(), to_agency="KEMENSOS")
    value = _dispositioned(outcome)
    assert value["agency"]["code"] == "KEMENSOS"
    assert value["reporter"] is None and value["attachments"] == []


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
