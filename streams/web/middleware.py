"""JSON for every error the web server itself answers: unknown paths, wrong methods, oversized bodies.

The API's own handlers already answer JSON (:mod:`.endpoints`); this catches what never reaches
them, so that a client scripting against the hub never has to parse an HTML error page, and
nothing unexpected becomes a bare 500.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

__all__ = ["json_errors"]

log = logging.getLogger(__name__)

_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "payload_too_large",
          414: "uri_too_long", 431: "headers_too_large"}


@web.middleware
async def json_errors(request: web.Request, handler):
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        headers = {k: v for k, v in exc.headers.items() if k.lower() in ("allow", "retry-after")}
        message = {404: "no such path (see /api/v1/openapi.json)"}.get(exc.status, exc.reason)
        return web.json_response({"error": {"code": _CODES.get(exc.status, "http_error"), "message": message}},
                                 status=exc.status, headers=headers)
    except asyncio.CancelledError:
        raise
    except Exception:  # noqa: BLE001 - logged with its frames; the client gets JSON, not a page
        log.exception("unexpected error answering %s %s", request.method, request.path)
        return web.json_response({"error": {"code": "internal_error",
                                            "message": "the hub failed to answer; the operators have the details"}},
                                 status=500)
