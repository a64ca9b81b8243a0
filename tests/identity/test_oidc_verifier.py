"""The OIDC verifier against a small provider on loopback: mapping, attacks, caching, rotation, outages.

The same verifier is run against a real Keycloak in ``test_keycloak.py``.
"""

import asyncio
import socket
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from lapor_hub.errors import RetriableError
from lapor_hub.streams.identity import (
    AuthenticationError,
    AuthFailure,
    ClaimMapping,
    CombinedVerifier,
    IdentityProviderUnavailableError,
    OidcSettings,
    OidcVerifier,
    Role,
)
from tests.identity.forge import hs256_token, unsigned_token
from tests.identity.stub_provider import SigningKey, StubProvider


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def rsa_key() -> SigningKey:
    return SigningKey.rsa("rsa-1")


@pytest.fixture
def provider(rsa_key):
    stub = StubProvider([rsa_key, SigningKey.ec("ec-1")])
    yield stub
    stub.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def verifier_for(provider, directory, clock=None, **options) -> OidcVerifier:
    settings = OidcSettings(provider.issuer, "lapor-hub", **{"jwks_cooldown_s": 0.0, "http_timeout_s": 2.0, **options})
    return OidcVerifier(settings, directory, **({"clock": clock} if clock else {}))


def refused(verifier, token) -> AuthFailure:
    with pytest.raises(AuthenticationError) as err:
        verifier.verify(token)
    assert token[-20:] not in str(err.value)
    return err.value.failure


def test_an_rs256_token_maps_to_role_and_agency(provider, rsa_key, directory):
    principal = verifier_for(provider, directory).verify(rsa_key.sign(provider.claims()))
    assert (principal.subject, principal.role, principal.agency) == ("f3b1c2d4", Role.AGENCY_OFFICER, "18.10")
    assert principal.issuer == provider.issuer and principal.token_id == "onrtac:abc"
    assert provider.hits == {"discovery": 1, "jwks": 1}


def test_es256_and_ps256_keys_verify_too(provider, directory):
    ps = SigningKey.rsa("ps-1", "PS256")
    provider.keys.append(ps)
    verifier = verifier_for(provider, directory)
    ec_key = provider.keys[1]
    assert verifier.verify(ec_key.sign(provider.claims(lapor_role="operator", lapor_agency=None))).role is Role.OPERATOR
    assert verifier.verify(ps.sign(provider.claims())).agency == "18.10"


def test_a_role_list_such_as_keycloaks_realm_roles_yields_its_one_hub_role(provider, rsa_key, directory):
    verifier = verifier_for(provider, directory, claims=ClaimMapping(role_claim="realm_access.roles"))
    roles = ["offline_access", "uma_authorization", "default-roles-lapor"]
    token = rsa_key.sign(provider.claims(lapor_role=None, lapor_agency="18",
                                         realm_access={"roles": roles + ["supervisor"]}))
    assert verifier.verify(token).role is Role.SUPERVISOR
    two = rsa_key.sign(provider.claims(lapor_role=None, realm_access={"roles": roles + ["supervisor", "operator"]}))
    assert refused(verifier, two) is AuthFailure.AMBIGUOUS_ROLE
    none = rsa_key.sign(provider.claims(lapor_role=None, realm_access={"roles": roles}))
    assert refused(verifier, none) is AuthFailure.UNKNOWN_ROLE


def test_a_namespaced_claim_is_read_whole_before_as_a_path(provider, rsa_key, directory):
    mapping = ClaimMapping(role_claim="https://lapor.go.id/role", agency_claim="https://lapor.go.id/agency")
    token = rsa_key.sign(provider.claims(lapor_role=None, lapor_agency=None,
                                         **{"https://lapor.go.id/role": "agency-admin",
                                            "https://lapor.go.id/agency": "KEMENKES"}))
    assert verifier_for(provider, directory, claims=mapping).verify(token).agency == "KEMENKES"


class _SECONDS_FROM_NOW(int):  # noqa: N801 - reads as what it means in the table below
    def at(self, now: int) -> int:
        return now + int(self)


@pytest.mark.parametrize("changes, failure", [
    ({"lapor_agency": None}, AuthFailure.ROLE_NEEDS_AGENCY),
    ({"lapor_agency": "18.99"}, AuthFailure.UNKNOWN_AGENCY),
    ({"lapor_role": "citizen"}, AuthFailure.UNKNOWN_ROLE),
    ({"lapor_role": None}, AuthFailure.MISSING_CLAIM),
    ({"lapor_role": "national-admin", "lapor_agency": "18.10"}, AuthFailure.WRONG_AGENCY),
    ({"aud": "another-app"}, AuthFailure.WRONG_AUDIENCE),
    ({"aud": None}, AuthFailure.MISSING_CLAIM),
    ({"iss": "https://elsewhere.example/realms/test"}, AuthFailure.WRONG_ISSUER),
    ({"exp": _SECONDS_FROM_NOW(-120)}, AuthFailure.EXPIRED),
    ({"nbf": _SECONDS_FROM_NOW(120)}, AuthFailure.NOT_YET_VALID),
    ({"iat": _SECONDS_FROM_NOW(120)}, AuthFailure.NOT_YET_VALID),
    ({"sub": None}, AuthFailure.MISSING_CLAIM),
])
def test_a_provider_signed_token_is_refused_for_what_it_claims(provider, rsa_key, directory, changes, failure):
    # Times are taken when the test runs, not when it was collected (a long session passes them).
    changes = {k: v.at(int(time.time())) if isinstance(v, _SECONDS_FROM_NOW) else v for k, v in changes.items()}
    assert refused(verifier_for(provider, directory), rsa_key.sign(provider.claims(**changes))) is failure


def test_small_clock_skew_is_tolerated(provider, rsa_key, directory):
    skewed = provider.claims(iat=int(time.time()) + 10, nbf=int(time.time()) + 10, exp=int(time.time()) - 10 + 300)
    assert verifier_for(provider, directory).verify(rsa_key.sign(skewed)).role is Role.AGENCY_OFFICER
    just_expired = provider.claims(exp=int(time.time()) - 10)
    assert verifier_for(provider, directory).verify(rsa_key.sign(just_expired)).role is Role.AGENCY_OFFICER


def test_a_channel_token_names_its_channel_or_its_client(provider, rsa_key, directory):
    verifier = verifier_for(provider, directory)
    named = verifier.verify(rsa_key.sign(provider.claims(lapor_role="channel", lapor_agency=None,
                                                         lapor_channel="open311-pringsewu")))
    assert named.channel == "open311-pringsewu"
    by_client = verifier.verify(rsa_key.sign(provider.claims(lapor_role="channel", lapor_agency=None)))
    assert by_client.channel == "lapor-console"


def test_alg_none_and_hs256_with_the_public_key_are_refused_without_a_fetch(provider, rsa_key, directory):
    verifier = verifier_for(provider, directory)
    claims = provider.claims()
    none = unsigned_token({"alg": "none", "kid": "rsa-1"}, claims)
    assert refused(verifier, none) is AuthFailure.ALGORITHM_NOT_ALLOWED
    pem = rsa_key.private.public_key().public_bytes(serialization.Encoding.PEM,
                                                    serialization.PublicFormat.SubjectPublicKeyInfo)
    confused = hs256_token({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}, claims, pem)
    assert refused(verifier, confused) is AuthFailure.ALGORITHM_NOT_ALLOWED
    assert provider.hits["jwks"] == 0


def test_a_token_must_use_the_algorithm_bound_to_its_key(provider, rsa_key, directory):
    verifier = verifier_for(provider, directory)
    ps_with_rs_key = SigningKey("rsa-1", "PS256", rsa_key.private).sign(provider.claims())
    assert refused(verifier, ps_with_rs_key) is AuthFailure.ALGORITHM_NOT_ALLOWED


def test_a_token_signed_by_another_key_under_a_known_kid_or_with_a_tampered_payload_is_refused(provider, rsa_key,
                                                                                             directory):
    verifier = verifier_for(provider, directory)
    impostor = SigningKey("rsa-1", "RS256", SigningKey.rsa("x").private)
    assert refused(verifier, impostor.sign(provider.claims())) is AuthFailure.BAD_SIGNATURE
    head, _, sig = rsa_key.sign(provider.claims()).split(".")
    body = unsigned_token({}, provider.claims(lapor_role="national-admin", lapor_agency=None)).split(".")[1]
    assert refused(verifier, f"{head}.{body}.{sig}") is AuthFailure.BAD_SIGNATURE


def test_a_token_without_kid_or_with_an_unknown_kid_is_refused(provider, rsa_key, directory):
    verifier = verifier_for(provider, directory)
    no_kid = jwt.encode(provider.claims(), rsa_key.private, algorithm="RS256")
    assert refused(verifier, no_kid) is AuthFailure.UNKNOWN_KEY
    assert refused(verifier, SigningKey.rsa("never-published").sign(provider.claims())) is AuthFailure.UNKNOWN_KEY


def test_a_new_kid_is_fetched_and_old_tokens_still_verify_while_their_key_is_published(provider, rsa_key, directory):
    verifier = verifier_for(provider, directory)
    old_token = rsa_key.sign(provider.claims())
    verifier.verify(old_token)
    rotated = SigningKey.rsa("rsa-2")
    provider.keys.insert(0, rotated)
    assert verifier.verify(rotated.sign(provider.claims())).agency == "18.10"
    assert verifier.verify(old_token).agency == "18.10"
    assert provider.hits == {"discovery": 1, "jwks": 2}


def test_unknown_kids_refetch_at_most_once_per_cooldown(provider, rsa_key, directory, clock):
    verifier = verifier_for(provider, directory, clock, jwks_cooldown_s=10.0)
    verifier.verify(rsa_key.sign(provider.claims()))
    stranger = SigningKey.rsa("unused").private
    for i in range(20):
        made_up = SigningKey(f"made-up-{i}", "RS256", stranger)
        assert refused(verifier, made_up.sign(provider.claims())) is AuthFailure.UNKNOWN_KEY
    assert provider.hits["jwks"] == 1
    rotated = SigningKey.rsa("rsa-2")
    provider.keys.append(rotated)
    assert refused(verifier, rotated.sign(provider.claims())) is AuthFailure.UNKNOWN_KEY
    clock.now += 10.5
    assert verifier.verify(rotated.sign(provider.claims())).role is Role.AGENCY_OFFICER
    assert provider.hits["jwks"] == 2


def test_keys_removed_by_the_provider_stop_verifying_after_the_cache_lifespan(provider, rsa_key, directory, clock):
    verifier = verifier_for(provider, directory, clock, jwks_lifespan_s=300.0)
    token = rsa_key.sign(provider.claims())
    verifier.verify(token)
    provider.keys.remove(rsa_key)
    clock.now += 100
    assert verifier.verify(token).role is Role.AGENCY_OFFICER  # cached
    clock.now += 201
    assert refused(verifier, token) is AuthFailure.UNKNOWN_KEY
    assert provider.hits["jwks"] == 2


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_provider_is_retriable_not_an_authentication_failure(rsa_key, directory):
    issuer = f"http://127.0.0.1:{_closed_port()}/realms/test"
    verifier = OidcVerifier(OidcSettings(issuer, "lapor-hub", http_timeout_s=1.0), directory)
    token = rsa_key.sign({"iss": issuer, "sub": "x"})
    with pytest.raises(IdentityProviderUnavailableError) as err:
        verifier.verify(token)
    assert isinstance(err.value, RetriableError) and not isinstance(err.value, AuthenticationError)
    assert err.value.retry_after and "could not be fetched" in str(err.value)
    with pytest.raises(IdentityProviderUnavailableError):
        asyncio.run(verifier.averify(token))


@pytest.mark.parametrize("trouble", [{"status": 502}, {"delay_s": 1.5}, {"claimed_issuer": "https://other.example"}])
def test_a_provider_in_trouble_is_retriable(rsa_key, directory, trouble):
    provider = StubProvider([rsa_key], **trouble)
    try:
        verifier = verifier_for(provider, directory, http_timeout_s=0.5)
        with pytest.raises(IdentityProviderUnavailableError):
            verifier.verify(rsa_key.sign(provider.claims()))
    finally:
        provider.stop()


def test_the_last_keys_serve_while_the_provider_is_down(provider, rsa_key, directory, clock):
    verifier = verifier_for(provider, directory, clock, jwks_lifespan_s=60.0)
    token = rsa_key.sign(provider.claims())
    verifier.verify(token)
    provider.status = 503
    clock.now += 120
    assert verifier.verify(token).role is Role.AGENCY_OFFICER
    with pytest.raises(IdentityProviderUnavailableError):
        verifier.verify(SigningKey.rsa("rsa-new").sign(provider.claims()))


def test_averify_fetches_in_a_thread_and_leaves_the_event_loop_free(provider, rsa_key, directory):
    provider.delay_s = 0.6
    verifier = verifier_for(provider, directory)
    token = rsa_key.sign(provider.claims())

    async def scenario():
        ticks = 0

        async def ticker():
            nonlocal ticks
            while True:
                await asyncio.sleep(0.02)
                ticks += 1

        task = asyncio.create_task(ticker())
        principal = await verifier.averify(token)  # discovery and JWKS: ~1.2 s of waiting
        task.cancel()
        return principal, ticks

    principal, ticks = asyncio.run(scenario())
    assert principal.role is Role.AGENCY_OFFICER
    assert ticks >= 30
    provider.delay_s = 5.0  # cached now: no fetch, so no wait
    started = time.monotonic()
    assert asyncio.run(verifier.averify(token)).role is Role.AGENCY_OFFICER
    assert time.monotonic() - started < 0.5


def test_a_combined_verifier_routes_by_issuer(provider, rsa_key, directory, issuer):
    issuer.accounts.add("siti", "operator")
    combined = CombinedVerifier([issuer.verifier(), verifier_for(provider, directory)])
    assert combined.verify(issuer.issue_token("siti").token).issuer == "lapor-hub"
    assert combined.verify(rsa_key.sign(provider.claims())).issuer == provider.issuer
    stranger = rsa_key.sign(provider.claims(iss="https://stranger.example"))
    assert refused(combined, stranger) is AuthFailure.WRONG_ISSUER
    assert asyncio.run(combined.averify(rsa_key.sign(provider.claims()))).agency == "18.10"
