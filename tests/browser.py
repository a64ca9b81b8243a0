"""A real browser for the tests of the hub's pages: Debian's Chromium (installed by
scripts/install-system-packages), driven by Playwright, headless."""

from __future__ import annotations

from contextlib import contextmanager

__all__ = ["chromium", "CHROMIUM"]

CHROMIUM = "/usr/bin/chromium"
_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@contextmanager
def chromium():
    """A Playwright browser on the machine's Chromium; closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=_ARGS)
        try:
            yield browser
        finally:
            browser.close()
