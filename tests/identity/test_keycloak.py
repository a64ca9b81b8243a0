"""The OIDC verifier against a real provider: Keycloak, started for the session (tests/services/keycloak.py).

Tokens come from Keycloak's token endpoint (direct access grant) for users whose role and agency
are user attributes mapped to ``lapor_role``/``lapor_agency``, or realm roles read from
``realm_access.roles``.
"""

from __future__ import annotations

import asyncio
import json

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import RSAAlgorithm

from lapor_hub.streams.directory import default_directory
from lapor_hub.streams.identity import (
    AuthenticationError,
    AuthFailure,
    ClaimMapping,
    OidcSettings,
    OidcVerifier,
    Role,
    supervises,
)
from tests.identity.forge import hs256_token
from tests.identity.keycloak_admin import AUDIENCE, KeycloakAdmin, RealmUser

pytestmark = pytest.mark.oidc

USERS = [
    RealmUser("officer-pringsewu", {"lapor_role": "agency-officer", "lapor_agency": "18.10"}),
    RealmUser("supervisor-lampung", {"lapor_role": "supervisor", "lapor_agency": "18"}),
    RealmUser("national-admin", {"lapor_role": "national-admin"}),
    RealmUser("ombudsman", {"lapor_role": "oversight", "lapor_agency": "ORI"}),
    RealmUser("operator", {"lapor_role": "operator"}),
    RealmUser("officer-without-agency", {"lapor_role": "agency-officer"}),
    RealmUser("officer-unknown-agency", {"lapor_role": "agency-officer", "lapor_agency": "18.99"}),
    RealmUser("citizen", {"lapor_role": "citizen"}),
    RealmUser("admin-by-realm-role", {"lapor_agency": "KEMENKES"}, realm_roles=("agency-admin",)),
    RealmUser("two-realm-roles", {"lapor_agency": "18"}, realm_roles=("supervisor", "operator")),
]


@pytest.fixture(scope="module")
def admin(keycloak):
    client = KeycloakAdmin(keycloak)
    yield client
    client.close()


@pytest.fixture(scope="module")
def issuer(admin) -> str:
    return admin.create_realm("lapor", USERS)


@pytest.fixture(scope="module")
def other_issuer(admin) -> str:
    return admin.create_realm("elsewhere", [RealmUser("officer-pringsewu", USERS[0].attributes)])


def oidc_verifier(issuer: str, **options) -> OidcVerifier:
    settings = OidcSettings(issuer, options.pop("audience", AUDIENCE), **{"jwks_cooldown_s": 0.0, **options})
    return OidcVerifier(settings, default_directory())


def refused(verifier, token) -> AuthFailure:
    with pytest.raises(AuthenticationError) as err:
        verifier.verify(token)
    return err.value.failure


def test_a_keycloak_officer_token_verifies_to_role_and_agency(admin, issuer):
    token = admin.token("lapor", "officer-pringsewu")
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    principal = oidc_verifier(issuer).verify(token)
    assert (principal.role, principal.agency, principal.issuer) == (Role.AGENCY_OFFICER, "18.10", issuer)
    assert principal.subject == jwt.decode(token, options={"verify_signature": False})["sub"]
    assert principal.token_id and principal.expires_at is not None


def test_averify_verifies_a_keycloak_token_from_the_event_loop(admin, issuer):
    principal = asyncio.run(oidc_verifier(issuer).averify(admin.token("lapor", "officer-pringsewu")))
    assert principal.agency == "18.10"


def test_roles_and_agencies_from_keycloak_attributes(admin, issuer):
    verifier = oidc_verifier(issuer)
    supervisor = verifier.verify(admin.token("lapor", "supervisor-lampung"))
    assert supervisor.role is Role.SUPERVISOR and supervises(supervisor, "18.10", default_directory())
    assert not supervises(supervisor, "32.01", default_directory())
    national = verifier.verify(admin.token("lapor", "national-admin"))
    assert (national.role, national.agency) == (Role.NATIONAL_ADMIN, "KEMENPANRB")
    assert verifier.verify(admin.token("lapor", "ombudsman")).agency == "ORI"
    assert verifier.verify(admin.token("lapor", "operator")).agency is None


@pytest.mark.parametrize("username, failure", [
    ("officer-without-agency", AuthFailure.ROLE_NEEDS_AGENCY),
    ("officer-unknown-agency", AuthFailure.UNKNOWN_AGENCY),
    ("citizen", AuthFailure.UNKNOWN_ROLE),
    ("admin-by-realm-role", AuthFailure.MISSING_CLAIM),  # no lapor_role attribute
])
def test_keycloak_users_with_a_bad_role_or_agency_are_refused(admin, issuer, username, failure):
    assert refused(oidc_verifier(issuer), admin.token("lapor", username)) is failure


def test_keycloak_realm_roles_map_through_realm_access_roles(admin, issuer):
    verifier = oidc_verifier(issuer, claims=ClaimMapping(role_claim="realm_access.roles"))
    principal = verifier.verify(admin.token("lapor", "admin-by-realm-role"))
    assert (principal.role, principal.agency) == (Role.AGENCY_ADMIN, "KEMENKES")
    assert refused(verifier, admin.token("lapor", "two-realm-roles")) is AuthFailure.AMBIGUOUS_ROLE


def test_a_token_from_another_realm_is_refused(admin, issuer, other_issuer):
    stranger = admin.token("elsewhere", "officer-pringsewu")
    assert refused(oidc_verifier(issuer), stranger) is AuthFailure.WRONG_ISSUER
    assert oidc_verifier(other_issuer).verify(stranger).agency == "18.10"


def test_a_keycloak_token_for_another_audience_is_refused(admin, issuer):
    token = admin.token("lapor", "officer-pringsewu")
    assert refused(oidc_verifier(issuer, audience="another-app"), token) is AuthFailure.WRONG_AUDIENCE


def test_hs256_signed_with_keycloaks_public_key_is_refused(admin, issuer):
    token = admin.token("lapor", "officer-pringsewu")
    kid = jwt.get_unverified_header(token)["kid"]
    (jwk,) = [k for k in admin.jwks("lapor")["keys"] if k["kid"] == kid]
    public_key = RSAAlgorithm.from_jwk(json.dumps(jwk))
    assert isinstance(public_key, RSAPublicKey)  # a JWKS holds public keys only
    pem = public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["lapor_role"] = "national-admin"
    claims.pop("lapor_agency", None)
    forged = hs256_token({"alg": "HS256", "typ": "JWT", "kid": kid}, claims, pem)
    assert refused(oidc_verifier(issuer), forged) is AuthFailure.ALGORITHM_NOT_ALLOWED


def test_keycloak_key_rotation_is_followed_through_a_jwks_refetch(admin):
    issuer = admin.create_realm("rotation", [RealmUser("officer-pringsewu", USERS[0].attributes)])
    verifier = oidc_verifier(issuer)
    old_token = admin.token("rotation", "officer-pringsewu")
    old_kid = jwt.get_unverified_header(old_token)["kid"]
    assert verifier.verify(old_token).agency == "18.10"
    fetches = verifier.key_set_fetches

    admin.add_rsa_key("rotation", "rotated-rsa", priority=200)
    new_token = admin.token("rotation", "officer-pringsewu")
    assert jwt.get_unverified_header(new_token)["kid"] != old_kid
    assert verifier.verify(new_token).agency == "18.10"
    assert verifier.key_set_fetches == fetches + 1  # the unknown kid made it fetch the key set again
    assert verifier.verify(old_token).agency == "18.10"  # the old key is still published

    default_rsa = [p["name"] for p in admin.key_providers("rotation") if p["providerId"] == "rsa-generated"
                   and p["name"] != "rotated-rsa"]
    admin.remove_key_provider("rotation", default_rsa[0])
    assert old_kid not in {k["kid"] for k in admin.jwks("rotation")["keys"]}
    verifier.refresh()  # what the cache lifespan (LAPOR_OIDC_JWKS_LIFESPAN) does on its own
    assert refused(verifier, old_token) is AuthFailure.UNKNOWN_KEY
    assert verifier.verify(new_token).agency == "18.10"
