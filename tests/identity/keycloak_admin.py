"""Keycloak's admin REST API, as much as the identity tests need: realms, users, keys, tokens.

A realm made by :meth:`KeycloakAdmin.create_realm` has the client ``lapor-console`` (public,
direct access grants for the tests), an audience mapper adding ``lapor-hub`` to access tokens,
user-attribute mappers for ``lapor_role`` and ``lapor_agency``, and a realm role per hub role;
unmanaged user attributes are enabled so that users can carry ``lapor_role``/``lapor_agency``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from lapor_hub.streams.identity import Role
from tests.services.keycloak import ADMIN_USER, KeycloakServer

__all__ = ["KeycloakAdmin", "RealmUser", "CLIENT_ID", "AUDIENCE", "PASSWORD"]

CLIENT_ID = "lapor-console"
AUDIENCE = "lapor-hub"
PASSWORD = "correct horse battery staple"
_KEY_PROVIDER = "org.keycloak.keys.KeyProvider"


@dataclass
class RealmUser:
    username: str
    attributes: dict[str, str] = field(default_factory=dict)
    realm_roles: tuple[str, ...] = ()


def _attribute_mapper(name: str) -> dict:
    return {
        "name": name, "protocol": "openid-connect", "protocolMapper": "oidc-usermodel-attribute-mapper",
        "config": {"user.attribute": name, "claim.name": name, "jsonType.label": "String",
                   "access.token.claim": "true", "id.token.claim": "false", "userinfo.token.claim": "false"},
    }


class KeycloakAdmin:
    def __init__(self, server: KeycloakServer) -> None:
        self.server = server
        self._http = httpx.Client(base_url=server.base_url, timeout=30)

    def close(self) -> None:
        self._http.close()

    def _headers(self) -> dict:
        # The master realm's tokens live 60 s: ask for one per call rather than track expiry.
        response = self._http.post("/realms/master/protocol/openid-connect/token", data={
            "grant_type": "password", "client_id": "admin-cli",
            "username": ADMIN_USER, "password": self.server.admin_password})
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def _call(self, method: str, path: str, **kwargs) -> httpx.Response:
        response = self._http.request(method, f"/admin/realms{path}", headers=self._headers(), **kwargs)
        response.raise_for_status()
        return response

    def create_realm(self, realm: str, users: list[RealmUser]) -> str:
        """Create ``realm`` with the hub's client, mappers, roles and ``users``; its issuer."""
        self._call("POST", "", json={
            "realm": realm, "enabled": True, "accessTokenLifespan": 300,
            "roles": {"realm": [{"name": role.value} for role in Role]},
            "clients": [{
                "clientId": CLIENT_ID, "protocol": "openid-connect", "publicClient": True,
                "directAccessGrantsEnabled": True, "standardFlowEnabled": False,
                "protocolMappers": [
                    {"name": "lapor-hub audience", "protocol": "openid-connect",
                     "protocolMapper": "oidc-audience-mapper",
                     "config": {"included.custom.audience": AUDIENCE, "access.token.claim": "true",
                                "id.token.claim": "false"}},
                    _attribute_mapper("lapor_role"),
                    _attribute_mapper("lapor_agency"),
                ],
            }],
        })
        profile = self._call("GET", f"/{realm}/users/profile").json()
        profile["unmanagedAttributePolicy"] = "ENABLED"
        self._call("PUT", f"/{realm}/users/profile", json=profile)
        for user in users:
            self.add_user(realm, user)
        return self.server.issuer(realm)

    def add_user(self, realm: str, user: RealmUser) -> None:
        self._call("POST", f"/{realm}/users", json={
            "username": user.username, "enabled": True, "emailVerified": True,
            "email": f"{user.username}@example.go.id", "firstName": user.username, "lastName": "Test",
            "attributes": {k: [v] for k, v in user.attributes.items()},
            "credentials": [{"type": "password", "value": PASSWORD, "temporary": False}],
        })
        if user.realm_roles:
            (found,) = self._call("GET", f"/{realm}/users", params={"username": user.username, "exact": "true"}).json()
            roles = [self._call("GET", f"/{realm}/roles/{name}").json() for name in user.realm_roles]
            self._call("POST", f"/{realm}/users/{found['id']}/role-mappings/realm", json=roles)

    def allow_browser_sign_in(self, realm: str, console_url: str) -> None:
        """Let browsers sign in through ``lapor-console`` to the console at ``console_url``: the
        authorization code flow with PKCE (S256), that redirect URI only, CORS for its origin."""
        (client,) = self._call("GET", f"/{realm}/clients", params={"clientId": CLIENT_ID}).json()
        origin = "/".join(console_url.split("/")[:3])
        client.update(standardFlowEnabled=True, redirectUris=[console_url], webOrigins=[origin],
                      attributes={**client.get("attributes", {}), "pkce.code.challenge.method": "S256"})
        self._call("PUT", f"/{realm}/clients/{client['id']}", json=client)

    def token(self, realm: str, username: str) -> str:
        """An access token from the realm's token endpoint (direct access grant)."""
        response = self._http.post(f"/realms/{realm}/protocol/openid-connect/token", data={
            "grant_type": "password", "client_id": CLIENT_ID, "username": username, "password": PASSWORD,
            "scope": "openid"})
        response.raise_for_status()
        return response.json()["access_token"]

    def jwks(self, realm: str) -> dict:
        return self._http.get(f"/realms/{realm}/protocol/openid-connect/certs").raise_for_status().json()

    def key_providers(self, realm: str) -> list[dict]:
        return self._call("GET", f"/{realm}/components", params={"type": _KEY_PROVIDER}).json()

    def add_rsa_key(self, realm: str, name: str, priority: int) -> None:
        """A new active RS256 key; with the highest priority it signs the realm's tokens from now on."""
        realm_id = self._call("GET", f"/{realm}").json()["id"]
        self._call("POST", f"/{realm}/components", json={
            "name": name, "providerId": "rsa-generated", "providerType": _KEY_PROVIDER, "parentId": realm_id,
            "config": {"priority": [str(priority)], "enabled": ["true"], "active": ["true"],
                       "keySize": ["2048"], "algorithm": ["RS256"]},
        })

    def remove_key_provider(self, realm: str, name: str) -> None:
        (provider,) = [p for p in self.key_providers(realm) if p["name"] == name]
        self._call("DELETE", f"/{realm}/components/{provider['id']}")
