"""PyJWT at the boundary: read a token's header, verify it, and translate PyJWT's errors.

Every verifier goes through :func:`verified_claims`, so the rules hold for all of them: the
header's algorithm must be in the verifier's allow-list (asymmetric only) *and* be the algorithm
bound to the key (PyJWT checks this for a ``PyJWK``), the signature is checked before any claim,
and ``exp``, ``iat``, ``iss``, ``aud`` and ``sub`` are required. Error messages name the failure
and never echo the token.
"""

from __future__ import annotations

from collections.abc import Sequence

import jwt
from jwt import PyJWK

from lapor_hub.streams.identity.errors import AuthenticationError, AuthFailure

__all__ = ["MAX_TOKEN_LENGTH", "read_header", "refuse_other_issuers", "unverified_issuer", "verified_claims"]

#: Longer tokens are refused before any parsing (Keycloak's are about 1.5 KB).
MAX_TOKEN_LENGTH = 16 * 1024
_REQUIRED = ["exp", "iat", "iss", "aud", "sub"]
_ERRORS: tuple[tuple[type[Exception], AuthFailure, str], ...] = (
    (jwt.ExpiredSignatureError, AuthFailure.EXPIRED, "the token has expired"),
    (jwt.ImmatureSignatureError, AuthFailure.NOT_YET_VALID, "the token is not valid yet (nbf or iat in the future)"),
    (jwt.InvalidAudienceError, AuthFailure.WRONG_AUDIENCE, "the token is meant for another audience"),
    (jwt.InvalidIssuerError, AuthFailure.WRONG_ISSUER, "the token comes from another issuer"),
    (jwt.InvalidSignatureError, AuthFailure.BAD_SIGNATURE, "the token's signature does not verify"),
    (jwt.InvalidAlgorithmError, AuthFailure.ALGORITHM_NOT_ALLOWED, "the token's algorithm is not the key's"),
    (jwt.InvalidKeyError, AuthFailure.BAD_SIGNATURE, "the token's signature does not verify"),
)


def read_header(token: object, algorithms: Sequence[str]) -> dict:
    """The header of a token whose algorithm is allowed and whose ``kid`` is a string or absent.

    Nothing is verified yet: the header only says which key to verify with.
    """
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise AuthenticationError(AuthFailure.MALFORMED, "not a bearer token of a usable size")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        raise AuthenticationError(AuthFailure.MALFORMED, "not a well-formed JWT") from None
    alg, kid = header.get("alg"), header.get("kid")
    if not isinstance(alg, str) or alg not in algorithms:
        raise AuthenticationError(
            AuthFailure.ALGORITHM_NOT_ALLOWED,
            f"the token's signature algorithm is not accepted (accepted: {', '.join(algorithms)})",
        )
    if kid is not None and not isinstance(kid, str):
        raise AuthenticationError(AuthFailure.MALFORMED, "the token's key id is not a string")
    return header


def unverified_issuer(token: object) -> str | None:
    """The ``iss`` a token claims, unverified: only to choose which verifier checks it."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise AuthenticationError(AuthFailure.MALFORMED, "not a bearer token of a usable size")
    try:
        iss = jwt.decode(token, options={"verify_signature": False}).get("iss")
    except jwt.InvalidTokenError:
        raise AuthenticationError(AuthFailure.MALFORMED, "not a well-formed JWT") from None
    return iss if isinstance(iss, str) else None


def refuse_other_issuers(token: str, issuer: str) -> None:
    """Refuse a token claiming another ``iss`` before looking for its key.

    The signature check would refuse it too, but as signed by an unknown key, after making the
    verifier fetch the provider's keys again: the reason would mislead and the fetch is wasted.
    """
    if unverified_issuer(token) != issuer:
        raise AuthenticationError(AuthFailure.WRONG_ISSUER, "the token comes from another issuer")


def verified_claims(token: str, key: PyJWK, *, issuer: str, audience: str, leeway_s: float) -> dict:
    """The claims of ``token`` once its signature, times, issuer and audience are checked."""
    try:
        return jwt.decode(
            token, key, algorithms=[key.algorithm_name], audience=audience, issuer=issuer, leeway=leeway_s,
            options={"require": _REQUIRED, "verify_signature": True, "verify_exp": True, "verify_nbf": True,
                     "verify_iat": True, "verify_aud": True, "verify_iss": True},
        )
    except jwt.MissingRequiredClaimError as exc:
        raise AuthenticationError(AuthFailure.MISSING_CLAIM, f"the token has no {exc.claim!r} claim") from None
    except jwt.InvalidTokenError as exc:
        for kind, failure, message in _ERRORS:
            if isinstance(exc, kind):
                raise AuthenticationError(failure, message) from None
        raise AuthenticationError(AuthFailure.MALFORMED, "the token's claims are not valid") from None
