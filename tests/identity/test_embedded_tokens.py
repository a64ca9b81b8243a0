"""Issuing and verifying the embedded issuer's tokens, and the attacks they must withstand."""

import asyncio
import time
from dataclasses import replace

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lapor_hub.streams.identity import (
    AccountError,
    AuthenticationError,
    AuthFailure,
    EmbeddedIssuer,
    Role,
)
from tests.identity.forge import hs256_token, signed, unsigned_token

PASSWORD = "correct horse battery"


@pytest.fixture
def siti(issuer):
    issuer.accounts.add("siti", Role.AGENCY_OFFICER, "18.10", password=PASSWORD)
    return "siti"


def claims(**changes) -> dict:
    now = int(time.time())
    base = {"iss": "lapor-hub", "aud": "lapor-hub", "sub": "siti", "iat": now, "nbf": now, "exp": now + 600,
            "jti": "t-1", "lapor_role": "agency-officer", "lapor_agency": "18.10"}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def refused(issuer, token) -> AuthFailure:
    with pytest.raises(AuthenticationError) as err:
        issuer.verifier().verify(token)
    assert not token or token[-20:] not in str(err.value)  # never echoes the token
    return err.value.failure


def test_an_issued_token_verifies_to_its_account(issuer, siti):
    issued = issuer.issue_token(siti)
    principal = issuer.verifier().verify(issued.token)
    assert (principal.subject, principal.role, principal.agency) == ("siti", Role.AGENCY_OFFICER, "18.10")
    assert principal.issuer == "lapor-hub" and principal.token_id == issued.token_id
    assert principal.expires_at == issued.expires_at
    assert 890 <= (issued.expires_at.timestamp() - time.time()) <= 900
    assert issued.token not in repr(issued)


def test_the_token_is_an_eddsa_access_token_with_the_agreed_claims(issuer, siti):
    token = issuer.issue_token(siti, ttl_s=60).token
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "EdDSA" and header["typ"] == "at+jwt" and header["kid"] == issuer.keys.active_key()[0]
    body = jwt.decode(token, options={"verify_signature": False})
    assert body["exp"] - body["iat"] == 60
    assert {"iss", "aud", "sub", "iat", "nbf", "exp", "jti", "lapor_role", "lapor_agency"} <= body.keys()


def test_averify_gives_the_same_principal_from_the_event_loop(issuer, siti):
    token = issuer.issue_token(siti).token
    assert asyncio.run(issuer.verifier().averify(token)) == issuer.verifier().verify(token)


def test_sign_in_with_the_password_issues_a_token(issuer, siti):
    issued = issuer.sign_in(siti, PASSWORD)
    assert issuer.verifier().verify(issued.token).subject == "siti"
    assert asyncio.run(issuer.asign_in(siti, PASSWORD, ttl_s=60)).account.username == "siti"
    with pytest.raises(AuthenticationError) as err:
        issuer.sign_in(siti, "wrong password!")
    assert err.value.failure is AuthFailure.INVALID_CREDENTIALS


def test_a_token_lives_the_configured_time(settings, directory, fast_hasher):
    issuer = EmbeddedIssuer(replace(settings, token_ttl_s=120), directory, hasher=fast_hasher)
    issuer.accounts.add("siti", "operator")
    issued = issuer.issue_token("siti")
    assert 110 <= issued.expires_at.timestamp() - time.time() <= 120
    with pytest.raises(AccountError):
        issuer.issue_token("siti", ttl_s=10**6)


def test_a_token_signed_by_another_key_is_refused(issuer, siti):
    kid, _ = issuer.keys.active_key()
    forged = signed(claims(), Ed25519PrivateKey.generate(), alg="EdDSA", kid=kid)
    assert refused(issuer, forged) is AuthFailure.BAD_SIGNATURE
    unknown_kid = signed(claims(), Ed25519PrivateKey.generate(), alg="EdDSA", kid="someone-elses-key")
    assert refused(issuer, unknown_kid) is AuthFailure.UNKNOWN_KEY


def test_an_expired_token_is_refused(issuer, siti, directory):
    past = time.time() - 3600
    old = EmbeddedIssuer(issuer.settings, directory, clock=lambda: past).issue_token(siti, ttl_s=60)
    assert refused(issuer, old.token) is AuthFailure.EXPIRED


def test_a_token_not_valid_yet_is_refused(issuer, siti):
    kid, key = issuer.keys.active_key()
    later = int(time.time()) + 3600
    assert refused(issuer, signed(claims(nbf=later), key, alg="EdDSA", kid=kid)) is AuthFailure.NOT_YET_VALID
    future_iat = signed(claims(iat=later, nbf=None, exp=later + 60), key, alg="EdDSA", kid=kid)
    assert refused(issuer, future_iat) is AuthFailure.NOT_YET_VALID


def test_a_token_for_another_audience_or_from_another_issuer_is_refused(issuer, siti):
    kid, key = issuer.keys.active_key()
    assert refused(issuer, signed(claims(aud="other-app"), key, alg="EdDSA", kid=kid)) is AuthFailure.WRONG_AUDIENCE
    assert refused(issuer, signed(claims(iss="elsewhere"), key, alg="EdDSA", kid=kid)) is AuthFailure.WRONG_ISSUER
    assert refused(issuer, signed(claims(aud=None), key, alg="EdDSA", kid=kid)) is AuthFailure.MISSING_CLAIM
    assert refused(issuer, signed(claims(exp=None), key, alg="EdDSA", kid=kid)) is AuthFailure.MISSING_CLAIM


def test_alg_none_is_refused(issuer, siti):
    kid, _ = issuer.keys.active_key()
    for alg in ("none", "None", "NONE"):
        token = unsigned_token({"alg": alg, "typ": "at+jwt", "kid": kid}, claims())
        assert refused(issuer, token) is AuthFailure.ALGORITHM_NOT_ALLOWED
    no_alg = unsigned_token({"typ": "at+jwt", "kid": kid}, claims())
    assert refused(issuer, no_alg) is AuthFailure.ALGORITHM_NOT_ALLOWED


def test_hs256_signed_with_the_public_key_is_refused(issuer, siti):
    kid, private = issuer.keys.active_key()
    public = private.public_key()
    header = {"alg": "HS256", "typ": "at+jwt", "kid": kid}
    for secret in (
        public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
        public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw),
        issuer.jwks()["keys"][0]["x"].encode(),
    ):
        assert refused(issuer, hs256_token(header, claims(), secret)) is AuthFailure.ALGORITHM_NOT_ALLOWED


def test_a_tampered_payload_is_refused(issuer, siti):
    token = issuer.issue_token(siti).token
    head, _, signature = token.split(".")
    kid, _ = issuer.keys.active_key()
    promoted = unsigned_token({"alg": "EdDSA", "typ": "at+jwt", "kid": kid},
                              claims(lapor_role="national-admin", lapor_agency=None)).split(".")[1]
    assert refused(issuer, f"{head}.{promoted}.{signature}") is AuthFailure.BAD_SIGNATURE


def test_garbage_is_malformed(issuer):
    for token in ("", "abc", "a.b.c", "x" * 20_000, "eyJhbGciOiJFZERTQSJ9.e30"):
        assert refused(issuer, token) in (AuthFailure.MALFORMED, AuthFailure.ALGORITHM_NOT_ALLOWED)


def test_an_id_token_shaped_jwt_is_not_an_access_token(issuer, siti):
    kid, key = issuer.keys.active_key()
    assert refused(issuer, signed(claims(), key, alg="EdDSA", kid=kid, typ="JWT")) is AuthFailure.MALFORMED


def test_a_disabled_accounts_tokens_are_refused_at_once(issuer, siti):
    token = issuer.issue_token(siti).token
    issuer.accounts.disable(siti)
    assert refused(issuer, token) is AuthFailure.DISABLED_ACCOUNT


def test_a_token_for_an_account_this_hub_does_not_have_is_refused(issuer, siti):
    kid, key = issuer.keys.active_key()
    assert refused(issuer, signed(claims(sub="ghost"), key, alg="EdDSA", kid=kid)) is AuthFailure.UNKNOWN_ACCOUNT
    promoted = signed(claims(lapor_role="agency-admin"), key, alg="EdDSA", kid=kid)
    assert refused(issuer, promoted) is AuthFailure.UNKNOWN_ACCOUNT


@pytest.mark.parametrize("changes, failure", [
    ({"lapor_role": "citizen"}, AuthFailure.UNKNOWN_ROLE),
    ({"lapor_role": None}, AuthFailure.MISSING_CLAIM),
    ({"lapor_agency": None}, AuthFailure.ROLE_NEEDS_AGENCY),
    ({"lapor_agency": "18.99"}, AuthFailure.UNKNOWN_AGENCY),
    ({"lapor_agency": ["18.10", "18.71"]}, AuthFailure.UNKNOWN_AGENCY),
])
def test_a_signed_token_with_a_bad_role_or_agency_is_refused(issuer, siti, changes, failure):
    kid, key = issuer.keys.active_key()
    assert refused(issuer, signed(claims(**changes), key, alg="EdDSA", kid=kid)) is failure


def test_an_old_token_verifies_after_rotation_until_its_key_is_retired(issuer, siti):
    before = issuer.issue_token(siti).token
    old_kid, _ = issuer.keys.active_key()
    new_kid = issuer.keys.rotate()
    after = issuer.issue_token(siti).token
    assert jwt.get_unverified_header(after)["kid"] == new_kid
    verifier = issuer.verifier()
    assert verifier.verify(before).subject == verifier.verify(after).subject == "siti"
    issuer.keys.retire(old_kid)
    assert refused(issuer, before) is AuthFailure.UNKNOWN_KEY
    assert verifier.verify(after).subject == "siti"
