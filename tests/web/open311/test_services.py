"""service_codes stay stable: every code ever published is still a service."""

from __future__ import annotations

from pathlib import Path

from lapor_hub.streams.routing import default_categories
from lapor_hub.streams.web.open311 import services

PUBLISHED = Path(__file__).with_name("service_codes.txt")


def _published() -> list[str]:
    return [line.strip() for line in PUBLISHED.read_text().splitlines() if line.strip() and not line.startswith("#")]


def test_every_service_code_ever_published_is_still_a_service():
    current = {s["service_code"] for s in services.service_list(default_categories(), "id")}
    missing = sorted(set(_published()) - current)
    assert not missing, f"service codes disappeared (311 clients keep them): {missing}"


def test_every_service_is_in_the_published_list():
    # A new leaf is fine, but it is published from now on: add it to service_codes.txt.
    current = [s["service_code"] for s in services.service_list(default_categories(), "en")]
    assert sorted(set(current) - set(_published())) == []
    assert len(current) == len(set(current))


def test_names_differ_by_locale_and_unknown_codes_have_none():
    categories = default_categories()
    assert services.service_name(categories, "infrastructure.road.regency", "id") != \
        services.service_name(categories, "infrastructure.road.regency", "en")
    assert services.service_name(categories, "infrastructure", "id") is None  # a group, not a service
    assert services.service_name(categories, "no.such.code", "en") is None
