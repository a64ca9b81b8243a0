"""The hub's own pages, ``GET /dashboard`` (operators) and ``GET /console`` (staff), and their files.

A page holds no data: it signs its user in and draws what the API answers that user. Each is
plain HTML, CSS and JavaScript shipped in the package and served by the hub itself, so it works
on a network without internet access; a Content-Security-Policy makes sure nothing is ever
loaded from elsewhere and no inline script or style runs. The console's policy is the strict
one: scripts, styles and fetches from the hub only (and the token endpoint of the OpenID Connect
provider, when staff sign in there), no inline code, Trusted Types (no HTML from strings).

Only the files listed for a page are served: nothing else in the package is reachable through a
crafted name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from faust.web import Request, Response, View

if TYPE_CHECKING:
    from lapor_hub.streams.hub import Hub

__all__ = ["install", "STATIC_DIR", "DASHBOARD", "CONSOLE", "Page"]

STATIC_DIR = Path(__file__).parent / "static"
_CONTENT_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
_COMMON_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache", "Referrer-Policy": "no-referrer"}
_DASHBOARD_POLICY = "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'"
_CONSOLE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
                   "connect-src 'self'{extra}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; "
                   "object-src 'none'; require-trusted-types-for 'script'; trusted-types 'none'")


@dataclass(frozen=True)
class Page:
    #: Where the page is served; its files are under ``<path>/static/<name>``.
    path: str
    #: The folder of ``STATIC_DIR`` with the page's files, its HTML named ``index.html`` or ``<page>.html``.
    folder: str
    html: str
    #: Files of ``STATIC_DIR`` itself that the page shares (signing in).
    shared: tuple[str, ...] = ()

    def assets(self) -> dict[str, bytes]:
        folder = STATIC_DIR / self.folder
        files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix in _CONTENT_TYPES}
        files.update({name: (STATIC_DIR / name).read_bytes() for name in self.shared})
        return files


DASHBOARD = Page("/dashboard", ".", "dashboard.html")
CONSOLE = Page("/console", "console", "index.html", shared=("signin.js",))


def install(hub: Hub) -> None:
    _serve(hub, DASHBOARD, _DASHBOARD_POLICY)
    _serve(hub, CONSOLE, _CONSOLE_POLICY.format(extra=_provider_origin(hub)))


def _provider_origin(hub: Hub) -> str:
    """The OpenID Connect provider's origin, which the console's sign-in fetches its token from."""
    oidc = hub.identity.settings.oidc
    if oidc is None or oidc.console_client_id is None:
        return ""
    parts = urlsplit(oidc.issuer)
    return f" {parts.scheme}://{parts.netloc}"


def _serve(hub: Hub, page: Page, policy: str) -> None:
    assets = page.assets()
    html = assets.pop(page.html)
    headers = {"Content-Security-Policy": policy, **_COMMON_HEADERS}

    class PageView(View):
        async def get(self, request: Request) -> Response:
            return self.bytes(html, headers={"Content-Type": "text/html; charset=utf-8", **headers})

    class AssetView(View):
        async def get(self, request: Request, name: str) -> Response:
            if name not in assets:
                return self.json({"error": {"code": "not_found", "message": f"no such file of {page.path}"}},
                                 status=404)
            content_type = _CONTENT_TYPES[Path(name).suffix]
            return self.bytes(assets[name], headers={"Content-Type": f"{content_type}; charset=utf-8", **headers})

    hub.app.page(page.path)(PageView)
    hub.app.page(f"{page.path}/static/{{name}}")(AssetView)
