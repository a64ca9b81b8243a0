"""Identity settings: typed, frozen, read from the environment only at the entry point.

Every setting has a default that makes ``make run`` work with the embedded issuer alone; setting
``LAPOR_OIDC_ISSUER`` (and its audience) adds an OpenID Connect provider beside it. Nothing here
is a secret: the embedded signing key lives in a file under ``identity_dir``, never in a variable.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from lapor_hub.errors import ConfigurationError

__all__ = [
    "ASYMMETRIC_ALGORITHMS",
    "DEFAULT_TOKEN_TTL_S",
    "MAX_TOKEN_TTL_S",
    "ClaimMapping",
    "OidcSettings",
    "IdentitySettings",
    "check_provider_url",
]

#: Every signature algorithm a verifier may accept. Never ``none``, never HS*: an HMAC "signed"
#: with a provider's public key would otherwise verify (algorithm confusion).
ASYMMETRIC_ALGORITHMS: tuple[str, ...] = (
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
)
DEFAULT_TOKEN_TTL_S = 900
#: The longest lifetime of an embedded token; retiring a key is safe this long after a rotation.
MAX_TOKEN_TTL_S = 24 * 3600


@dataclass(frozen=True)
class ClaimMapping:
    """Which token claims carry the role, the agency and the channel id.

    A name is looked up as one claim first (so ``https://lapor.go.id/role`` works), then as a
    dotted path into nested objects (Keycloak's ``realm_access.roles``). The role claim may hold
    one string or a list of strings; from a list, the single entry naming a hub role is taken
    (other entries such as ``offline_access`` are ignored) and two hub roles are refused.
    """

    role_claim: str = "lapor_role"
    agency_claim: str = "lapor_agency"
    #: For ``channel`` principals; the token's ``azp`` (the client id) when the claim is absent.
    channel_claim: str = "lapor_channel"


@dataclass(frozen=True)
class OidcSettings:
    """An OpenID Connect provider whose access tokens the hub accepts."""

    #: Exactly the provider's ``iss`` (Keycloak: ``https://sso.example/realms/lapor``).
    issuer: str
    #: The ``aud`` the hub requires (Keycloak: add an audience mapper to the client).
    audience: str
    claims: ClaimMapping = field(default_factory=ClaimMapping)
    algorithms: tuple[str, ...] = ASYMMETRIC_ALGORITHMS
    #: Clock skew tolerated on ``exp``, ``nbf`` and ``iat``.
    leeway_s: float = 30.0
    #: Timeout of each fetch of the discovery document or the key set.
    http_timeout_s: float = 5.0
    #: The key set is fetched again after this long, so that removed keys stop verifying.
    jwks_lifespan_s: float = 300.0
    #: At most one extra fetch per this many seconds for tokens naming an unknown key (rotation),
    #: so that a flood of made-up ``kid`` values cannot make the hub hammer the provider.
    jwks_cooldown_s: float = 10.0
    #: A CA bundle for a provider whose TLS certificate a private CA signed.
    ca_file: Path | None = None
    #: The provider's public client (authorization code with PKCE) through which staff sign in
    #: to the console; None: the console offers only the embedded accounts.
    console_client_id: str | None = None

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


@dataclass(frozen=True)
class IdentitySettings:
    #: Accounts, API keys and signing keys, shared by every worker on the machine.
    identity_dir: Path = Path("var/identity")
    #: ``iss`` of the embedded issuer's tokens.
    issuer: str = "lapor-hub"
    #: ``aud`` of the embedded issuer's tokens.
    audience: str = "lapor-hub"
    token_ttl_s: int = DEFAULT_TOKEN_TTL_S
    #: Accept tokens of the embedded issuer (switch off when staff sign in through OIDC only;
    #: channel API keys keep working).
    embedded: bool = True
    oidc: OidcSettings | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, data_dir: Path | None = None) -> IdentitySettings:
        """Settings from ``LAPOR_IDENTITY_*`` and ``LAPOR_OIDC_*``; a bad value is a ConfigurationError.

        ``data_dir`` is the hub's (``HubSettings.data_dir``); read from ``LAPOR_DATA_DIR`` when None.
        """
        env = os.environ if env is None else env
        if data_dir is None:
            data_dir = Path(env.get("LAPOR_DATA_DIR") or "var")
        identity_dir = Path(env.get("LAPOR_IDENTITY_DIR") or data_dir / "identity")
        defaults = cls()
        ttl = _number(env, "LAPOR_IDENTITY_TOKEN_TTL", defaults.token_ttl_s, int, 30, MAX_TOKEN_TTL_S)
        embedded = _flag(env, "LAPOR_IDENTITY_EMBEDDED", defaults.embedded)
        oidc = _oidc(env)
        if not embedded and oidc is None:
            raise ConfigurationError(
                "LAPOR_IDENTITY_EMBEDDED=0 leaves staff no way to sign in: set LAPOR_OIDC_ISSUER too"
            )
        return cls(
            identity_dir=identity_dir,
            issuer=_text(env, "LAPOR_IDENTITY_ISSUER", defaults.issuer),
            audience=_text(env, "LAPOR_IDENTITY_AUDIENCE", defaults.audience),
            token_ttl_s=ttl,
            embedded=embedded,
            oidc=oidc,
        )


def _oidc(env: Mapping[str, str]) -> OidcSettings | None:
    issuer = (env.get("LAPOR_OIDC_ISSUER") or "").strip()
    if not issuer:
        stray = sorted(k for k in env if k.startswith("LAPOR_OIDC_") and env[k])
        if stray:
            raise ConfigurationError(f"{', '.join(stray)} set without LAPOR_OIDC_ISSUER: set the provider's issuer")
        return None
    check_provider_url("LAPOR_OIDC_ISSUER", issuer)
    audience = (env.get("LAPOR_OIDC_AUDIENCE") or "").strip()
    if not audience:
        raise ConfigurationError(
            "LAPOR_OIDC_AUDIENCE must be set with LAPOR_OIDC_ISSUER: the 'aud' the provider puts in "
            "tokens meant for the hub (Keycloak: an audience mapper on the client)"
        )
    d = OidcSettings(issuer, audience)
    claims = ClaimMapping(
        role_claim=_text(env, "LAPOR_OIDC_ROLE_CLAIM", d.claims.role_claim),
        agency_claim=_text(env, "LAPOR_OIDC_AGENCY_CLAIM", d.claims.agency_claim),
        channel_claim=_text(env, "LAPOR_OIDC_CHANNEL_CLAIM", d.claims.channel_claim),
    )
    ca_file = env.get("LAPOR_OIDC_CA_FILE") or None
    if ca_file and not Path(ca_file).is_file():
        raise ConfigurationError(f"LAPOR_OIDC_CA_FILE={ca_file!r} is not a file: name a PEM CA bundle")
    return OidcSettings(
        issuer=issuer,
        audience=audience,
        claims=claims,
        algorithms=_algorithms(env.get("LAPOR_OIDC_ALGORITHMS"), d.algorithms),
        leeway_s=_number(env, "LAPOR_OIDC_LEEWAY", d.leeway_s, float, 0, 300),
        http_timeout_s=_number(env, "LAPOR_OIDC_HTTP_TIMEOUT", d.http_timeout_s, float, 0.1, 120),
        jwks_lifespan_s=_number(env, "LAPOR_OIDC_JWKS_LIFESPAN", d.jwks_lifespan_s, float, 1, 86400),
        jwks_cooldown_s=_number(env, "LAPOR_OIDC_JWKS_COOLDOWN", d.jwks_cooldown_s, float, 0, 3600),
        ca_file=Path(ca_file) if ca_file else None,
        console_client_id=(env.get("LAPOR_OIDC_CONSOLE_CLIENT_ID") or "").strip() or None,
    )


def check_provider_url(name: str, url: str) -> None:
    """HTTPS, or plain HTTP on loopback only: keys fetched in clear could be swapped on the way."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"{name}={url!r} is not an http(s) URL such as https://sso.example/realms/lapor")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigurationError(f"{name}={url!r} must use https (plain http is accepted on loopback only)")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _algorithms(raw: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if not raw:
        return default
    chosen = tuple(a.strip() for a in raw.split(",") if a.strip())
    bad = [a for a in chosen if a not in ASYMMETRIC_ALGORITHMS]
    if bad or not chosen:
        raise ConfigurationError(
            f"LAPOR_OIDC_ALGORITHMS names {', '.join(bad) or 'nothing'}: only asymmetric algorithms are "
            f"accepted ({', '.join(ASYMMETRIC_ALGORITHMS)}); never none or HS*"
        )
    return chosen


def _text(env: Mapping[str, str], name: str, default: str) -> str:
    value = (env.get(name) or "").strip()
    return value or default


def _number(env: Mapping[str, str], name: str, default, kind, minimum, maximum):
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not a {kind.__name__}; set it to a number") from None
    if not minimum <= value <= maximum:
        raise ConfigurationError(f"{name}={raw!r} must be between {minimum} and {maximum}")
    return value


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name}={raw!r}: use 1/0, true/false, yes/no or on/off")
