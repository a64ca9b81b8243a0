"""A minimal OpenID provider on loopback: a discovery document and a JWKS, served for real over HTTP.

The unit tier uses it to drive the OIDC verifier's fetching, caching, rotation and failure paths
with exact control (a delay, an error status, a key set swapped mid-test); the real-provider
tier (``test_keycloak.py``) runs the same verifier against Keycloak.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

__all__ = ["StubProvider", "SigningKey"]


@dataclass
class SigningKey:
    kid: str
    alg: str
    private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

    @classmethod
    def rsa(cls, kid: str, alg: str = "RS256") -> SigningKey:
        return cls(kid, alg, rsa.generate_private_key(public_exponent=65537, key_size=2048))

    @classmethod
    def ec(cls, kid: str) -> SigningKey:
        return cls(kid, "ES256", ec.generate_private_key(ec.SECP256R1()))

    def jwk(self) -> dict:
        public = self.private.public_key()
        text = RSAAlgorithm.to_jwk(public) if isinstance(public, rsa.RSAPublicKey) else ECAlgorithm.to_jwk(public)
        return {**json.loads(text), "kid": self.kid, "alg": self.alg, "use": "sig"}

    def sign(self, claims: dict, **header) -> str:
        return jwt.encode(claims, self.private, algorithm=self.alg, headers={"kid": self.kid, **header})


@dataclass
class StubProvider:
    keys: list[SigningKey]
    #: The issuer the discovery document names; None: the real one.
    claimed_issuer: str | None = None
    status: int = 200
    delay_s: float = 0.0
    hits: dict[str, int] = field(default_factory=lambda: {"discovery": 0, "jwks": 0})

    def __post_init__(self) -> None:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                if provider.delay_s:
                    time.sleep(provider.delay_s)
                if self.path.endswith("/.well-known/openid-configuration"):
                    provider.hits["discovery"] += 1
                    body: dict[str, object] = {"issuer": provider.claimed_issuer or provider.issuer,
                            "jwks_uri": f"{provider.issuer}/protocol/openid-connect/certs"}
                elif self.path.endswith("/certs"):
                    provider.hits["jwks"] += 1
                    body = {"keys": [k.jwk() for k in provider.keys]}
                else:
                    body = {}
                data = json.dumps(body).encode()
                self.send_response(provider.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/realms/test"

    def claims(self, **changes) -> dict:
        now = int(time.time())
        base = {"iss": self.issuer, "aud": ["lapor-hub", "account"], "sub": "f3b1c2d4", "iat": now, "exp": now + 300,
                "jti": "onrtac:abc", "azp": "lapor-console", "lapor_role": "agency-officer", "lapor_agency": "18.10"}
        base.update(changes)
        return {k: v for k, v in base.items() if v is not None}

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
