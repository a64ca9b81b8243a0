"""The hub accepts staff tokens of a real OpenID Connect provider (Keycloak), beside its own.

A Keycloak realm with two agency officers; the hub configured with the realm as its OIDC
issuer. The Keycloak officer of the holding agency reads the case file and acts; the other
agency's officer is refused; a token of the embedded issuer still works at the same time.
"""

from __future__ import annotations

import pytest

from tests.hub.complaints import complaint_body
from tests.hub.harness import Credentials, bearer, http, start_hub, wait_for
from tests.identity.keycloak_admin import AUDIENCE, KeycloakAdmin, RealmUser

pytestmark = [pytest.mark.kafka, pytest.mark.oidc]


@pytest.fixture(scope="module")
def realm(keycloak):
    admin = KeycloakAdmin(keycloak)
    issuer = admin.create_realm("hub", [
        RealmUser("officer-pringsewu", {"lapor_role": "agency-officer", "lapor_agency": "18.10"}),
        RealmUser("officer-bandar-lampung", {"lapor_role": "agency-officer", "lapor_agency": "18.71"}),
    ])
    yield admin, issuer
    admin.close()


@pytest.fixture(scope="module")
def oidc_hub(kafka_broker, hub_topics, realm, tmp_path_factory):
    _, issuer = realm
    process = start_hub(kafka_broker.bootstrap, tmp_path_factory.mktemp("oidc-hub"),
                        extra_env={"LAPOR_OIDC_ISSUER": issuer, "LAPOR_OIDC_AUDIENCE": AUDIENCE})
    yield process
    assert process.stop() == 0, process.log()[-3000:]


def test_keycloak_officers_act_on_their_own_agency_s_complaints_only(oidc_hub, realm):
    admin, _ = realm
    status, body = http("POST", f"{oidc_hub.base_url}/api/v1/complaints", complaint_body())
    assert status == 202, body
    tracking_id = body["tracking_id"]
    wait_for(lambda: http("GET", f"{oidc_hub.base_url}/api/v1/complaints/{tracking_id}")[0] == 200, timeout=60,
             what="the complaint in the read model")
    case_file = f"{oidc_hub.base_url}/api/v1/agencies/18.10/complaints/{tracking_id}"

    pringsewu = bearer(admin.token("hub", "officer-pringsewu"))
    status, case = http("GET", case_file, headers=pringsewu)
    assert status == 200 and case["reporter"]["name"] == "Siti Rahmawati"
    status, accepted = http("POST", f"{case_file}/actions", {"type": "accept"}, pringsewu)
    assert status == 202 and accepted["accepted"] == "ComplaintAccepted"

    bandar_lampung = bearer(admin.token("hub", "officer-bandar-lampung"))
    assert http("GET", case_file, headers=bandar_lampung)[0] == 403
    assert http("POST", f"{case_file}/actions", {"type": "follow_up", "note": "x" * 12}, bandar_lampung)[0] == 403

    embedded = bearer(Credentials(oidc_hub.data_dir).token("siti-embedded", "agency-officer", "18.10"))
    assert http("GET", case_file, headers=embedded)[0] == 200
    assert http("GET", case_file, headers=bearer(admin.token("hub", "officer-pringsewu") + "x"))[0] == 401
