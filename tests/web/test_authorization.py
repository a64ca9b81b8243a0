"""Who may do what on the HTTP API: every endpoint x every kind of caller, on a real hub.

The table below is the specification, written independently of the endpoint table in
streams/web: for each endpoint, the callers it allows. Every other caller must be refused
(401 without valid credentials for this, 403 with the wrong ones) and a refused write must
produce nothing. Allowed calls may still fail for other reasons (409, 422), but never 401/403.
"""

from __future__ import annotations

import time
import uuid

import pytest
from kafka import KafkaConsumer, TopicPartition

from lapor_hub.streams.core import topics
from tests.hub.complaints import complaint_body
from tests.hub.harness import Credentials, bearer, http, start_hub, wait_for

pytestmark = pytest.mark.kafka

HOLDER, OTHER_AGENCY = "18.10", "18.71"  # Kab. Pringsewu; Kota Bandar Lampung
CALLERS = ("anonymous", "reporter", "other_reporter", "officer", "other_officer", "agency_admin", "supervisor",
           "other_supervisor", "national_admin", "oversight", "operator", "channel")
EVERYONE = frozenset(CALLERS)
STAFF_READERS = frozenset({"officer", "agency_admin", "supervisor", "national_admin", "oversight"})

#: endpoint -> the callers it allows (the specification).
ALLOWED: dict[str, frozenset[str]] = {
    "submit": EVERYONE,
    "public_view": EVERYONE,
    "public_list": EVERYONE,
    "agency_stats": EVERYONE,
    "national_stats": EVERYONE,
    "categories": EVERYONE,
    "openapi": EVERYONE,
    "jwks": EVERYONE,
    "reply": frozenset({"reporter"}),
    "add_information": frozenset({"reporter"}),
    "rating": frozenset({"reporter"}),
    "case_file": STAFF_READERS,
    "agency_action": frozenset({"officer", "agency_admin"}),
    "triage_list": frozenset({"national_admin"}),
    "triage_hold": frozenset({"national_admin"}),
    "supervision": frozenset({"supervisor", "other_supervisor", "national_admin", "oversight"}),
    "health_overview": frozenset({"operator"}),
    "metrics": frozenset({"operator"}),
    "audit": frozenset({"operator", "oversight"}),
}
#: Endpoints that write: a refused call must leave no command behind.
WRITES = {"reply", "add_information", "rating", "agency_action", "triage_hold"}
#: Endpoints whose credential is the complaint's reporter token.
REPORTER_ENDPOINTS = {"reply", "add_information", "rating"}


def denial(endpoint: str, caller: str) -> int:
    """401 for no credential the endpoint accepts at all; 403 for credentials that may not do this."""
    if caller == "anonymous":
        return 401
    if caller in ("reporter", "other_reporter") and endpoint not in REPORTER_ENDPOINTS:
        return 401  # a reporter token is no staff credential
    return 403


@pytest.fixture(scope="module")
def hub(kafka_broker, hub_topics, tmp_path_factory):
    process = start_hub(kafka_broker.bootstrap, tmp_path_factory.mktemp("authz-hub"))
    yield process
    assert process.stop() == 0, process.log()[-3000:]


@pytest.fixture(scope="module")
def world(hub):
    """Two complaints (one at Pringsewu, one in triage) and a credential for every kind of caller."""
    def submit(**overrides):
        status, body = http("POST", f"{hub.base_url}/api/v1/complaints", complaint_body(**overrides))
        assert status == 202, body
        return body

    held = submit(title="Jalan kabupaten berlubang di Pringsewu")
    triaged = submit(category="other", title="Keluhan yang belum jelas instansinya", region_code="18.10")
    stranger = submit(title="Jalan lain yang juga rusak parah")
    for complaint, status in ((held, "dispositioned"), (triaged, "triage"), (stranger, "dispositioned")):
        wait_for(lambda c=complaint, s=status: http("GET", f"{hub.base_url}/api/v1/complaints/{c['tracking_id']}")[1]
                 .get("status") == s, timeout=60, what=f"{complaint['tracking_id']} {status}")
    creds = Credentials(hub.data_dir)
    headers = {
        "anonymous": {},
        "reporter": bearer(held["reporter_token"]),
        "other_reporter": bearer(stranger["reporter_token"]),
        "officer": bearer(creds.token("siti", "agency-officer", HOLDER)),
        "other_officer": bearer(creds.token("joko", "agency-officer", OTHER_AGENCY)),
        "agency_admin": bearer(creds.token("made", "agency-admin", HOLDER)),
        "supervisor": bearer(creds.token("inspektorat-lampung", "supervisor", "18")),
        "other_supervisor": bearer(creds.token("inspektorat-jabar", "supervisor", "32")),
        "national_admin": bearer(creds.token("admin-nasional", "national-admin")),
        "oversight": bearer(creds.token("ombudsman", "oversight")),
        "operator": bearer(creds.api_key("prometheus", role="operator")),
        "channel": bearer(creds.api_key("sms-1708")),
    }
    return {"held": held["tracking_id"], "triaged": triaged["tracking_id"], "headers": headers}


def _request(endpoint: str, world: dict) -> tuple[str, str, dict | None, str]:
    """(method, path, body, tracking id written to) of one call of ``endpoint``."""
    held, triaged = world["held"], world["triaged"]
    return {
        "submit": ("POST", "/api/v1/complaints", complaint_body(title="Saluran air tersumbat sampah"), ""),
        "public_view": ("GET", f"/api/v1/complaints/{held}", None, ""),
        "public_list": ("GET", f"/api/v1/agencies/{HOLDER}/complaints", None, ""),
        "agency_stats": ("GET", f"/api/v1/agencies/{HOLDER}/stats", None, ""),
        "national_stats": ("GET", "/api/v1/stats", None, ""),
        "categories": ("GET", "/api/v1/categories", None, ""),
        "openapi": ("GET", "/api/v1/openapi.json", None, ""),
        "jwks": ("GET", "/.well-known/jwks.json", None, ""),
        "reply": ("POST", f"/api/v1/complaints/{held}/replies", {"message": "Mohon kabar tindak lanjutnya"}, held),
        "add_information": ("POST", f"/api/v1/complaints/{held}/information", {"message": "Lokasi dekat masjid"},
                            held),
        "rating": ("POST", f"/api/v1/complaints/{held}/rating", {"rating": 4, "comment": "Cepat ditanggapi"}, held),
        "case_file": ("GET", f"/api/v1/agencies/{HOLDER}/complaints/{held}", None, ""),
        "agency_action": ("POST", f"/api/v1/agencies/{HOLDER}/complaints/{held}/actions",
                          {"type": "follow_up", "note": "Tim teknis dijadwalkan meninjau lokasi"}, held),
        "triage_list": ("GET", "/api/v1/triage", None, ""),
        "triage_hold": ("POST", f"/api/v1/triage/{triaged}/hold", {"reason": "menunggu konfirmasi kewenangan"},
                        triaged),
        "supervision": ("GET", "/api/v1/supervision/overdue", None, ""),
        "health_overview": ("GET", "/api/v1/health/overview", None, ""),
        "metrics": ("GET", "/metrics", None, ""),
        "audit": ("GET", "/api/v1/audit", None, ""),
    }[endpoint]


def _commands_for(bootstrap: str, tracking_id: str) -> int:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topics.COMMANDS, p) for p in consumer.partitions_for_topic(topics.COMMANDS)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        count = 0
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            for records in consumer.poll(timeout_ms=500).values():
                count += sum(1 for r in records if r.key == tracking_id.encode())
        return count
    finally:
        consumer.close()


def _cells():
    for endpoint in ALLOWED:
        for caller in CALLERS:
            yield pytest.param(endpoint, caller, id=f"{endpoint}-{caller}")


@pytest.mark.parametrize(("endpoint", "caller"), list(_cells()))
def test_every_endpoint_allows_exactly_its_callers(hub, world, endpoint, caller):
    method, path, body, written = _request(endpoint, world)
    before = _commands_for(hub.bootstrap, written) if written and endpoint in WRITES else None
    url = f"{hub.base_url}{path}"
    if method == "GET" and endpoint == "metrics":
        status = _status_of_metrics(url, world["headers"][caller])
    else:
        status, answer = http(method, url, body, world["headers"][caller])
    if caller in ALLOWED[endpoint]:
        assert status not in (401, 403), f"{caller} refused on {endpoint}"
        assert status < 500
        return
    assert status == denial(endpoint, caller), f"{caller} on {endpoint}: {status}"
    if before is not None:
        time.sleep(0.5)
        assert _commands_for(hub.bootstrap, written) == before, "a refused write produced a command"


def _status_of_metrics(url: str, headers: dict) -> int:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def test_the_table_is_not_trivial():
    assert sum(len(v) for v in ALLOWED.values()) < len(ALLOWED) * len(CALLERS) * 0.75
    assert all(ALLOWED[e] != EVERYONE for e in WRITES)


def test_a_tracking_id_from_the_public_list_cannot_act(hub, world):
    _, listing = http("GET", f"{hub.base_url}/api/v1/agencies/{HOLDER}/complaints")
    tracking_id = listing["complaints"][0]["tracking_id"]
    for action, body in (("close", {}), ("reopen", {"reason": "belum selesai"}), ("replies", {"message": "halo"})):
        status, answer = http("POST", f"{hub.base_url}/api/v1/complaints/{tracking_id}/{action}", body)
        assert status == 401 and answer["error"]["code"] == "unauthenticated"


def test_an_action_the_status_does_not_allow_is_a_409_with_the_reason(hub, world):
    status, answer = http("POST", f"{hub.base_url}/api/v1/complaints/{world['held']}/close", {},
                          world["headers"]["reporter"])
    assert status == 409 and answer["error"]["code"] == "not_allowed_now"
    assert "cannot close while" in answer["error"]["message"]


def test_forged_and_stale_tokens_are_refused(hub, world):
    import jwt
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    claims = {"iss": "lapor-hub", "aud": "lapor-hub", "sub": "siti", "lapor_role": "agency-officer",
              "lapor_agency": HOLDER, "iat": int(time.time()), "exp": int(time.time()) + 600, "jti": str(uuid.uuid4())}
    other_key = jwt.encode(claims, Ed25519PrivateKey.generate(), algorithm="EdDSA",
                           headers={"typ": "at+jwt", "kid": "not-a-key-of-this-hub"})
    # PyJWT's annotation of the key leaves out the None that algorithm "none" takes (and requires).
    unsigned = jwt.encode(claims, None, algorithm="none")  # type: ignore[arg-type]
    # signed with this hub's own key, but stale, early, or for another audience or issuer
    kid, hub_key = Credentials(hub.data_dir).issuer.keys.active_key()
    now = int(time.time())

    def hub_signed(**changes) -> str:
        return jwt.encode({**claims, **changes}, hub_key, algorithm="EdDSA", headers={"typ": "at+jwt", "kid": kid})

    assert http("GET", f"{hub.base_url}/api/v1/agencies/{HOLDER}/complaints/{world['held']}",
                headers=bearer(hub_signed()))[0] == 200  # the forgeries below differ only where they say
    stale = [hub_signed(exp=now - 600, iat=now - 1200), hub_signed(nbf=now + 600), hub_signed(aud="another-app"),
             hub_signed(iss="https://elsewhere.example"), hub_signed(lapor_agency="18.71")]
    url = f"{hub.base_url}/api/v1/agencies/{HOLDER}/complaints/{world['held']}"
    for token in (other_key, unsigned, "garbage", world["headers"]["officer"]["Authorization"][7:] + "x", *stale):
        status, answer = http("GET", url, headers=bearer(token))
        assert status == 401 and answer["error"]["code"] in ("invalid_token", "unauthenticated"), token[:20]


def test_every_authenticated_call_is_in_the_audit_trail_without_secrets(hub, world):
    officer = world["headers"]["officer"]
    status, _ = http("GET", f"{hub.base_url}/api/v1/agencies/{HOLDER}/complaints/{world['held']}", headers=officer)
    assert status == 200

    def entries():
        _, body = http("GET", f"{hub.base_url}/api/v1/audit?actor=siti&tracking_id={world['held']}",
                       headers=world["headers"]["oversight"])
        return [e for e in body["entries"] if e["action"] == "case_file.read"]

    [entry, *_] = wait_for(entries, timeout=30, what="the case-file read in the audit trail")
    assert entry["role"] == "agency-officer" and entry["agency"] == HOLDER and entry["status_code"] == 200
    assert entry["client_address"] == "127.0.0.1" and entry["route"].endswith("{tracking_id}")
    assert officer["Authorization"][7:] not in str(entry)
