from pathlib import Path

import pytest

from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.identity import ClaimMapping, IdentitySettings

OIDC = {"LAPOR_OIDC_ISSUER": "https://sso.example.go.id/realms/lapor", "LAPOR_OIDC_AUDIENCE": "lapor-hub"}


def test_defaults_need_nothing_set_and_follow_the_data_dir():
    settings = IdentitySettings.from_env({})
    assert settings.identity_dir == Path("var/identity")
    assert (settings.issuer, settings.audience, settings.token_ttl_s) == ("lapor-hub", "lapor-hub", 900)
    assert settings.embedded and settings.oidc is None
    assert IdentitySettings.from_env({"LAPOR_DATA_DIR": "/srv/lapor"}).identity_dir == Path("/srv/lapor/identity")
    assert IdentitySettings.from_env({}, data_dir=Path("/d")).identity_dir == Path("/d/identity")
    assert IdentitySettings.from_env({"LAPOR_IDENTITY_DIR": "/x"}, data_dir=Path("/d")).identity_dir == Path("/x")


def test_oidc_settings_with_their_claim_mapping():
    settings = IdentitySettings.from_env({
        **OIDC, "LAPOR_OIDC_ROLE_CLAIM": "realm_access.roles", "LAPOR_OIDC_ALGORITHMS": "RS256, ES256",
        "LAPOR_OIDC_JWKS_COOLDOWN": "0", "LAPOR_IDENTITY_EMBEDDED": "0", "LAPOR_IDENTITY_TOKEN_TTL": "300",
    })
    oidc = settings.oidc
    assert oidc is not None
    assert oidc.issuer == OIDC["LAPOR_OIDC_ISSUER"] and oidc.audience == "lapor-hub"
    assert oidc.claims == ClaimMapping(role_claim="realm_access.roles")
    assert oidc.algorithms == ("RS256", "ES256") and oidc.jwks_cooldown_s == 0
    assert oidc.discovery_url == "https://sso.example.go.id/realms/lapor/.well-known/openid-configuration"
    assert not settings.embedded and settings.token_ttl_s == 300


@pytest.mark.parametrize("env, says", [
    ({"LAPOR_OIDC_ISSUER": "https://sso.example/realms/lapor"}, "LAPOR_OIDC_AUDIENCE"),
    ({"LAPOR_OIDC_AUDIENCE": "lapor-hub"}, "without LAPOR_OIDC_ISSUER"),
    ({**OIDC, "LAPOR_OIDC_ISSUER": "http://sso.example/realms/lapor"}, "must use https"),
    ({**OIDC, "LAPOR_OIDC_ISSUER": "sso.example"}, "not an http(s) URL"),
    ({**OIDC, "LAPOR_OIDC_ALGORITHMS": "RS256,HS256"}, "HS256"),
    ({**OIDC, "LAPOR_OIDC_ALGORITHMS": "none"}, "never none"),
    ({**OIDC, "LAPOR_OIDC_LEEWAY": "soon"}, "LAPOR_OIDC_LEEWAY"),
    ({**OIDC, "LAPOR_OIDC_CA_FILE": "/no/such/ca.pem"}, "LAPOR_OIDC_CA_FILE"),
    ({"LAPOR_IDENTITY_TOKEN_TTL": "0"}, "between 30 and 86400"),
    ({"LAPOR_IDENTITY_TOKEN_TTL": "nan"}, "not a int"),
    ({"LAPOR_IDENTITY_EMBEDDED": "perhaps"}, "LAPOR_IDENTITY_EMBEDDED"),
    ({"LAPOR_IDENTITY_EMBEDDED": "0"}, "LAPOR_OIDC_ISSUER"),
])
def test_a_bad_setting_says_what_to_fix(env, says):
    with pytest.raises(ConfigurationError) as err:
        IdentitySettings.from_env(env)
    assert says in str(err.value)


def test_plain_http_is_accepted_on_loopback_only():
    for issuer in ("http://127.0.0.1:8080/realms/lapor", "http://localhost:8080/realms/lapor", "http://[::1]:80/r"):
        oidc = IdentitySettings.from_env({**OIDC, "LAPOR_OIDC_ISSUER": issuer}).oidc
        assert oidc is not None and oidc.issuer == issuer
