"""End to end on the real broker: HTTP intake, routing, agency inboxes and outboxes, the read model."""

import uuid

import pytest

from lapor_hub.streams.core import topics
from tests.hub.complaints import agency_update, complaint_body
from tests.hub.harness import InboxReader, http, produce_record, wait_for

pytestmark = pytest.mark.kafka


def submit(hub, **overrides) -> str:
    status, body = http("POST", f"{hub.base_url}/api/v1/complaints", complaint_body(**overrides))
    assert status == 202, body
    return body["tracking_id"]


def public_view(hub, tracking_id, *, status=None, timeout=60):
    def check():
        code, view = http("GET", f"{hub.base_url}/api/v1/complaints/{tracking_id}")
        if code == 200 and (status is None or view["status"] == status):
            return view
        return None

    return wait_for(check, timeout=timeout, what=f"{tracking_id} to be {status or 'visible'}")


def dead_letters_for(bootstrap, tracking_id):
    reader = InboxReader(bootstrap, topics.DEADLETTER)
    try:
        return reader.find(lambda t, v, h: v["tracking_id"] == tracking_id, what=f"a dead letter for {tracking_id}")
    finally:
        reader.close()


def test_a_submission_reaches_the_agency_inbox_with_the_reporter_hidden_when_anonymous(hub):
    tracking_id = submit(hub, privacy="anonymous", reporter={},
                         attachments=[{"name": "jalan.jpg", "content_type": "image/jpeg",
                                       "url": "https://files.example.go.id/jalan.jpg"}])
    inbox = InboxReader(hub.bootstrap, topics.inbox("18.10"))
    [(record_type, value, headers)] = inbox.find(lambda t, v, h: v["tracking_id"] == tracking_id)
    inbox.close()
    assert record_type == "ComplaintDispositioned"
    assert value["agency"]["code"] == "18.10" and value["rule"]
    assert value["reporter"] is None and value["attachments"] == []
    assert headers["ce_subject"] == tracking_id.encode() and headers["ce_type"].endswith(b"dispositioned")
    view = public_view(hub, tracking_id, status="dispositioned")
    assert view["agency_code"] == "18.10" and "reporter_name" not in view


def test_the_reporter_s_wrong_pick_is_corrected_and_the_reason_recorded(hub):
    tracking_id = submit(hub, category="education.school.secondary", agency="KEMENDIKBUD")
    inbox = InboxReader(hub.bootstrap, topics.inbox("18"))
    [(_, value, _)] = inbox.find(lambda t, v, h: v["tracking_id"] == tracking_id)
    inbox.close()
    assert value["agency"]["code"] == "18"  # SMA/SMK belong to the province
    assert "corrected" in value["reason"]


def test_an_agency_update_on_its_outbox_moves_the_complaint_and_the_read_model(hub):
    tracking_id = submit(hub)
    public_view(hub, tracking_id, status="dispositioned")
    outbox = topics.outbox("18.10")
    source = "/agency/18.10/connector/test"
    produce_record(hub.bootstrap, outbox, "ComplaintAccepted", agency_update("ComplaintAccepted", tracking_id, "18.10",
                                                                             agency="18.10"), source=source)
    produce_record(hub.bootstrap, outbox, "FollowUpRecorded",
                   agency_update("FollowUpRecorded", tracking_id, "18.10", agency="18.10",
                                 note="Tim Dinas PU sudah meninjau lokasi", attachments=[]), source=source)
    view = public_view(hub, tracking_id, status="in_progress")
    assert [step["type"] for step in view["timeline"]][-2:] == ["ComplaintAccepted", "FollowUpRecorded"]
    status, stats = http("GET", f"{hub.base_url}/api/v1/agencies/18.10/stats")
    assert status == 200 and stats["followed_up"] >= 1


def test_a_forged_update_from_another_agency_is_dead_lettered_and_processing_goes_on(hub):
    tracking_id = submit(hub)
    public_view(hub, tracking_id, status="dispositioned")
    # Kota Bandar Lampung claims to follow up a complaint that Pringsewu holds.
    produce_record(hub.bootstrap, topics.outbox("18.71"), "FollowUpRecorded",
                   agency_update("FollowUpRecorded", tracking_id, "18.71", agency="18.71", note="x", attachments=[]),
                   source="/agency/18.71/connector/test")
    [(_, dead, headers)] = dead_letters_for(hub.bootstrap, tracking_id)
    assert dead["stage"] == "lifecycle" and dead["error_class"] == "IllegalTransition"
    assert "does not hold the complaint" in dead["reason"]
    assert headers["lapor-source-topic"] == topics.COMMANDS.encode()
    # The agent is alive: the real holder's update still goes through.
    produce_record(hub.bootstrap, topics.outbox("18.10"), "ComplaintAccepted",
                   agency_update("ComplaintAccepted", tracking_id, "18.10", agency="18.10"),
                   source="/agency/18.10/connector/test")
    public_view(hub, tracking_id, status="accepted")


def test_an_update_claiming_another_actor_on_an_outbox_is_rejected_as_forged(hub):
    tracking_id = submit(hub)
    public_view(hub, tracking_id, status="dispositioned")
    produce_record(hub.bootstrap, topics.outbox("18.71"), "ComplaintAccepted",
                   agency_update("ComplaintAccepted", tracking_id, "18.10", agency="18.10"),
                   source="/agency/18.71/connector/test")
    [(_, dead, _)] = dead_letters_for(hub.bootstrap, tracking_id)
    assert dead["stage"] == "outbox" and "claims another actor" in dead["reason"]


def test_forwarding_back_and_forth_ends_at_the_national_admin_s_triage(hub):
    # Toll roads: KEMENPUPR has authority and shares it with KEMENBUMN (the toll operators' owner).
    tracking_id = submit(hub, category="infrastructure.road.toll")
    assert public_view(hub, tracking_id, status="dispositioned")["agency_code"] == "KEMENPUPR"
    decline(hub, tracking_id, "KEMENPUPR", to_agency="KEMENBUMN")
    wait_for(lambda: public_view(hub, tracking_id)["agency_code"] == "KEMENBUMN", what="forwarding to KEMENBUMN")
    decline(hub, tracking_id, "KEMENBUMN", to_agency="KEMENPUPR")
    view = public_view(hub, tracking_id, status="triage")
    assert view["agency_code"] == "KEMENPANRB"
    inbox = InboxReader(hub.bootstrap, topics.inbox("KEMENPANRB"))
    [(_, value, _)] = inbox.find(lambda t, v, h: v["tracking_id"] == tracking_id)
    inbox.close()
    assert value["rule"] == "triage.forwarding_loop"
    assert value["hop"] == 2


def decline(hub, tracking_id, agency, *, to_agency):
    produce_record(hub.bootstrap, topics.outbox(agency), "ComplaintForwarded",
                   agency_update("ComplaintForwarded", tracking_id, agency, from_agency=agency, to_agency=to_agency,
                                 reason="bukan wewenang", hop=0, suggested_by_agency=True),
                   source=f"/agency/{agency}/connector/test")


def test_garbage_on_intake_is_dead_lettered_and_the_next_submission_is_processed(hub):
    marker = f"garbage-{uuid.uuid4().hex[:6]}".encode()
    produce_record(hub.bootstrap, topics.INTAKE, "ComplaintSubmitted", {"tracking_id": ""}, source="/test/garbage",
                   raw=b"\x07not avro at all", key=marker)
    reader = InboxReader(hub.bootstrap, topics.DEADLETTER)
    [(_, dead, headers)] = reader.find(lambda t, v, h: v["key"] == marker)
    reader.close()
    assert dead["stage"] == "intake" and dead["error_class"] == "SerializationError"
    # Unreadable, so it may hold an identity in clear the hub cannot seal: the dead letter keeps none of it.
    assert dead["payload"] == b""
    assert headers["lapor-source-topic"] == topics.INTAKE.encode()
    public_view(hub, submit(hub), status="dispositioned")


def test_an_idempotency_key_returns_the_same_tracking_id_and_refuses_another_body(hub):
    key = {"Idempotency-Key": f"retry-{uuid.uuid4()}"}
    first = http("POST", f"{hub.base_url}/api/v1/complaints", complaint_body(), key)
    again = http("POST", f"{hub.base_url}/api/v1/complaints", complaint_body(), key)
    other = http("POST", f"{hub.base_url}/api/v1/complaints", complaint_body(title="Lampu jalan mati total"), key)
    assert first[0] == again[0] == 202
    assert first[1]["tracking_id"] == again[1]["tracking_id"]
    assert other[0] == 422 and other[1]["error"]["code"] == "idempotency_key_reused"


def test_invalid_complaints_get_field_errors_without_echoing_personal_data(hub):
    status, body = http("POST", f"{hub.base_url}/api/v1/complaints",
                        complaint_body(region_code="99.99", category="nope",
                                       reporter={"name": "Siti", "nik": "12345", "phone": "0812-GARBAGE"}))
    assert status == 422
    fields = {f["field"] for f in body["error"]["fields"]}
    assert {"region_code", "category", "reporter.nik", "reporter.phone"} <= fields
    assert "0812-GARBAGE" not in str(body) and "12345" not in str(body)


def test_categories_are_served(hub):
    status, body = http("GET", f"{hub.base_url}/api/v1/categories")
    assert status == 200
    codes = {c["code"] for c in body["categories"]}
    assert {"infrastructure", "health", "civil_registry"} <= codes


def test_a_dead_lettered_update_is_replayed_after_the_cause_is_fixed(hub, tmp_path):
    from lapor_hub.streams.core.config import HubSettings
    from lapor_hub.streams.ops.dlq import replay_dead_letters

    tracking_id = f"LPR-20261128-{uuid.uuid4().hex[:8].upper().replace('0', 'A').replace('1', 'B')}"
    # The agency's update overtakes the submission (a connector replaying old data): dead letter.
    produce_record(hub.bootstrap, topics.outbox("18.10"), "ComplaintAccepted",
                   agency_update("ComplaintAccepted", tracking_id, "18.10", agency="18.10"),
                   source="/agency/18.10/connector/test")
    dead_letters_for(hub.bootstrap, tracking_id)
    # The fix: the submission arrives (through intake, as a connector would submit it).
    from tests.hub.submissions import submission_record

    produce_record(hub.bootstrap, topics.INTAKE, "ComplaintSubmitted", submission_record(tracking_id),
                   source="/channel/sms-1708")
    public_view(hub, tracking_id, status="dispositioned")
    replayed = replay_dead_letters(HubSettings(broker=hub.bootstrap, data_dir=tmp_path), source_topic=topics.COMMANDS)
    assert any(entry.key == tracking_id.encode() for entry in replayed)
    public_view(hub, tracking_id, status="accepted")
