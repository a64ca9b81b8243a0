import sqlite3

import pytest

from lapor_hub.streams.identity import AccountError, AuthenticationError, AuthFailure, Role
from lapor_hub.streams.identity._store import DATABASE_NAME


def test_an_api_key_resolves_to_its_channel(issuer):
    issued = issuer.api_keys.issue("open311-pringsewu", "18.10")
    principal = issuer.api_keys.authenticate(issued.api_key)
    assert principal.role is Role.CHANNEL
    assert (principal.subject, principal.channel, principal.agency) == ("open311-pringsewu",) * 2 + ("18.10",)
    assert principal.token_id == issued.info.key_id and principal.expires_at is None
    assert principal.issuer == "lapor-hub"


def test_the_key_carries_at_least_128_random_bits_and_only_its_hash_is_stored(settings, issuer):
    issued = issuer.api_keys.issue("mobile-app")
    secret = issued.api_key.removeprefix(f"lapor_{issued.info.key_id}_")
    assert len(secret) * 6 >= 256
    raw = (settings.identity_dir / DATABASE_NAME).read_bytes()
    assert secret.encode() not in raw
    with sqlite3.connect(settings.identity_dir / DATABASE_NAME) as db:
        rows = db.execute("SELECT * FROM api_keys").fetchall()
    assert not any(secret in str(value) for row in rows for value in row)
    assert issued.api_key not in repr(issued.info)


def test_keys_are_revoked_one_by_one(issuer):
    first, second = issuer.api_keys.issue("mobile-app"), issuer.api_keys.issue("mobile-app")
    issuer.api_keys.revoke(first.info.key_id)
    with pytest.raises(AuthenticationError) as err:
        issuer.api_keys.authenticate(first.api_key)
    assert err.value.failure is AuthFailure.REVOKED_KEY
    assert issuer.api_keys.authenticate(second.api_key).channel == "mobile-app"
    assert [k.revoked for k in issuer.api_keys.list_keys()] == [True, False]
    with pytest.raises(AccountError, match="no API key"):
        issuer.api_keys.revoke("000000000000")


@pytest.mark.parametrize("mangle", [
    lambda k: k[:-1] + ("A" if k[-1] != "A" else "B"),  # wrong secret
    lambda k: k.replace("lapor_", "lapor-"),
    lambda k: "",
    lambda k: k + "x",
    lambda k: "lapor_000000000000_" + k[len("lapor_000000000000_"):],  # another key id
])
def test_a_wrong_or_malformed_key_is_refused_without_echoing_it(issuer, mangle):
    issued = issuer.api_keys.issue("mobile-app")
    bad = mangle(issued.api_key)
    with pytest.raises(AuthenticationError) as err:
        issuer.api_keys.authenticate(bad)
    assert err.value.failure in (AuthFailure.MALFORMED, AuthFailure.INVALID_CREDENTIALS)
    assert not bad or bad not in str(err.value)


def test_a_channel_key_names_a_known_agency_or_none(issuer):
    with pytest.raises(AccountError, match="unknown agency"):
        issuer.api_keys.issue("mobile-app", "99.99")
    with pytest.raises(AccountError, match="not valid"):
        issuer.api_keys.issue("Mobile App")


def test_a_connector_key_acts_for_its_one_agency_and_people_cannot_be_connectors(issuer):
    issued = issuer.api_keys.issue("pringsewu-sipp", "18.10", role=Role.CONNECTOR)
    principal = issuer.api_keys.authenticate(issued.api_key)
    assert (principal.role, principal.agency, principal.channel) == (Role.CONNECTOR, "18.10", None)
    with pytest.raises(AccountError):
        issuer.api_keys.issue("no-agency-sipp", role=Role.CONNECTOR)
    with pytest.raises(AccountError, match="API keys"):
        issuer.accounts.add("budi", Role.CONNECTOR, "18.10")
