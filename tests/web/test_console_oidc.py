"""Signing in to the console through a real OpenID Connect provider (Keycloak), in a real browser.

The hub is configured with a Keycloak realm as its OIDC issuer and the realm's public client
``lapor-console`` for the console (LAPOR_OIDC_CONSOLE_CLIENT_ID). The officer clicks the
provider's button, signs in on Keycloak's own page, and comes back to the console signed in:
the authorization code flow with PKCE, the code gone from the address bar, the token in the
tab's session storage and in no URL.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import chromium
from tests.hub.complaints import complaint_body
from tests.hub.harness import http, start_hub, wait_for
from tests.identity.keycloak_admin import AUDIENCE, CLIENT_ID, PASSWORD, KeycloakAdmin, RealmUser

pytestmark = [pytest.mark.kafka, pytest.mark.oidc]


@pytest.fixture(scope="module")
def realm(keycloak):
    admin = KeycloakAdmin(keycloak)
    issuer = admin.create_realm("console", [
        RealmUser("officer-pringsewu", {"lapor_role": "agency-officer", "lapor_agency": "18.10"})])
    yield admin, issuer
    admin.close()


@pytest.fixture(scope="module")
def oidc_hub(kafka_broker, hub_topics, realm, tmp_path_factory):
    admin, issuer = realm
    process = start_hub(kafka_broker.bootstrap, tmp_path_factory.mktemp("console-oidc-hub"),
                        extra_env={"LAPOR_OIDC_ISSUER": issuer, "LAPOR_OIDC_AUDIENCE": AUDIENCE,
                                   "LAPOR_OIDC_CONSOLE_CLIENT_ID": CLIENT_ID})
    admin.allow_browser_sign_in("console", f"{process.base_url}/console")
    yield process
    assert process.stop() == 0, process.log()[-3000:]


def test_an_officer_signs_in_on_the_provider_s_page_and_works_the_inbox(oidc_hub, realm):
    _, issuer = realm
    status, body = http("POST", f"{oidc_hub.base_url}/api/v1/complaints", complaint_body())
    assert status == 202
    tracking_id = body["tracking_id"]
    wait_for(lambda: http("GET", f"{oidc_hub.base_url}/api/v1/complaints/{tracking_id}")[0] == 200, timeout=60,
             what="the complaint in the read model")
    status, config = http("GET", f"{oidc_hub.base_url}/api/v1/auth/config")
    assert status == 200 and config["oidc"]["client_id"] == CLIENT_ID
    assert config["oidc"]["authorization_endpoint"].startswith(issuer)
    assert config["oidc"]["token_endpoint"].startswith(issuer)

    with chromium() as browser:
        context = browser.new_context(locale="id-ID")
        page = context.new_page()
        urls: list[str] = []
        problems: list[str] = []
        page.on("request", lambda request: urls.append(request.url))
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(f"{oidc_hub.base_url}/console")
        page.get_by_role("button", name="Masuk melalui 127.0.0.1").click()
        page.wait_for_url(f"{issuer}/**")  # Keycloak's own sign-in page
        page.fill("#username", "officer-pringsewu")
        page.fill("#password", PASSWORD)
        page.click("#kc-login")
        expect(page.get_by_role("heading", name="Kotak masuk KAB. PRINGSEWU")).to_be_visible(timeout=30_000)
        expect(page.locator(f"tr[data-tracking-id='{tracking_id}']")).to_be_visible(timeout=30_000)
        expect(page.locator(".who")).to_contain_text("officer-pringsewu · Petugas instansi")
        assert "code=" not in page.url and "state=" not in page.url and page.url.endswith("/console#/inbox")
        token = page.evaluate("() => sessionStorage.getItem('lapor-hub-token')")
        context.close()

    assert token and token.count(".") == 2 and all(token not in url for url in urls)
    assert any(url.startswith(f"{issuer}/protocol/openid-connect/token") for url in urls)  # traded in the browser
    assert not problems, problems
