"""Who is calling: the client's network address (behind trusted proxies) and its credential.

A bearer credential is either an API key of a program (``lapor_<id>_<secret>``: a channel, or an
operator tool such as Prometheus) or a staff token (JWT) of the embedded issuer or the OIDC
provider; :meth:`Clients.authenticate` tells them apart and returns the :class:`Principal`.

The address is the TCP peer's, unless that peer is one of ``LAPOR_TRUSTED_PROXIES`` (the
reverse proxy in front of the workers): then it is the last address in ``X-Forwarded-For``
that is not a trusted proxy. A client cannot make itself look like another by sending the
header, because only a trusted peer's header is read.
"""

from __future__ import annotations

import asyncio
import ipaddress

from faust.web import Request

from lapor_hub.streams.identity import Identity, Principal
from lapor_hub.streams.identity.api_keys import API_KEY_PREFIX

__all__ = ["Clients"]


class Clients:
    def __init__(self, identity: Identity, trusted_proxies: tuple[str, ...] = ()) -> None:
        self._identity = identity
        self._trusted = [ipaddress.ip_network(p, strict=False) for p in trusted_proxies]

    async def authenticate(self, credential: str) -> Principal:
        """The principal of a bearer credential; AuthenticationError (401) or a retriable error (503)."""
        if credential.startswith(API_KEY_PREFIX):
            return await asyncio.to_thread(self._identity.embedded.api_keys.authenticate, credential)
        return await self._identity.verifier.averify(credential)

    def address(self, request: Request) -> str:
        peer = getattr(request, "remote", None) or "unknown"
        if not self._is_trusted(peer):
            return peer
        forwarded = [hop.strip() for hop in (request.headers.get("X-Forwarded-For") or "").split(",") if hop.strip()]
        for hop in reversed(forwarded):
            if not self._is_trusted(hop):
                return hop
        return peer

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self._trusted)
