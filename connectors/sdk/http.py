"""A small synchronous HTTP client with a timeout on every request (stdlib only).

Connectors get one injected (narrow port); transport failures become :class:`RetriableError`,
HTTP error statuses are returned, not raised, so the outcome table decides what they mean.
"""

from __future__ import annotations

import json as _json
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lapor_hub.errors import RetriableError

__all__ = ["HttpClient", "HttpResponse"]


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)

    def json(self) -> Any:
        """The body as JSON; RetriableError when it is not (a proxy's error page, a half answer)."""
        try:
            return _json.loads(self.body or b"null")
        except ValueError:
            raise RetriableError(f"the agency system answered HTTP {self.status} with a body that is not JSON"
                                 ) from None


    def reference(self) -> str | None:
        """The agency system's own id for what it accepted, from a JSON answer ``{"reference": ...}``;
        None for any other answer (an empty 204, plain text): it was accepted all the same."""
        try:
            reference = _json.loads(self.body).get("reference")
        except (ValueError, AttributeError):
            return None
        return str(reference) if reference is not None else None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect on a POST usually means a login page or a moved endpoint: let the outcome
    # table see the 3xx instead of silently re-sending a complaint somewhere else.
    def redirect_request(self, *args, **kwargs):
        return None


class HttpClient:
    def __init__(self, *, timeout: float = 10.0, user_agent: str = "lapor-connect/0.1") -> None:
        self.timeout = timeout
        self.user_agent = user_agent
        self._opener = urllib.request.build_opener(_NoRedirect)

    def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> HttpResponse:
        """One request; ``json`` is sent as a UTF-8 JSON body (instead of ``body``)."""
        if json is not None:
            body = _json.dumps(json, ensure_ascii=False).encode("utf-8")
            headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        if params:
            url = f"{url}{'&' if '?' in url else '?'}{urllib.parse.urlencode(params)}"
        request = urllib.request.Request(url, data=body, method=method,
                                         headers={"User-Agent": self.user_agent, **(headers or {})})
        host = urllib.parse.urlsplit(url).netloc
        try:
            with self._opener.open(request, timeout=self.timeout) as answer:
                return HttpResponse(answer.status, answer.read(), dict(answer.headers.items()))
        except urllib.error.HTTPError as answer:
            with answer:
                return HttpResponse(answer.code, answer.read(), dict(answer.headers.items()))
        except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise RetriableError(f"{method} {host} failed: {type(reason).__name__} "
                                 f"(unreachable or no answer within {self.timeout:g} s)") from exc

    def get(self, url: str, **kwargs) -> HttpResponse:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs) -> HttpResponse:
        return self.request("POST", url, **kwargs)
