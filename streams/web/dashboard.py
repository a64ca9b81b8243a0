"""``GET /dashboard`` (the operators' stream-health page) and its static assets.

The page itself holds no data: it signs the operator in and draws ``/api/v1/health/overview``
(which needs the operator role, see :mod:`lapor_hub.streams.web.operators`).

The page is plain HTML, CSS and a small hand-written SVG chart script shipped in the package:
it works on an operations network without internet access, and a Content-Security-Policy of
``'self'`` makes sure nothing is ever loaded from elsewhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from faust.web import Request, Response, View

if TYPE_CHECKING:
    from lapor_hub.streams.hub import Hub

__all__ = ["install", "STATIC_DIR", "ASSETS"]

STATIC_DIR = Path(__file__).parent / "static"
_CONTENT_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}
#: The only files served: nothing else in the package is reachable through a crafted name.
ASSETS = tuple(sorted(p.name for p in STATIC_DIR.iterdir() if p.suffix in _CONTENT_TYPES))
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}


def _asset(name: str) -> bytes:
    return (STATIC_DIR / name).read_bytes()


def install(hub: Hub) -> None:
    app = hub.app
    assets = {name: _asset(name) for name in ASSETS}

    @app.page("/dashboard")
    class Dashboard(View):
        async def get(self, request: Request) -> Response:
            return self.bytes(assets["dashboard.html"],
                              headers={"Content-Type": "text/html; charset=utf-8", **_SECURITY_HEADERS})

    @app.page("/dashboard/static/{name}")
    class DashboardAsset(View):
        async def get(self, request: Request, name: str) -> Response:
            if name not in assets:
                return self.json({"error": {"code": "not_found", "message": "no such dashboard file"}}, status=404)
            content_type = _CONTENT_TYPES[Path(name).suffix]
            return self.bytes(assets[name], headers={"Content-Type": f"{content_type}; charset=utf-8",
                                                     **_SECURITY_HEADERS})
