"""Fixtures for connector tests: a fresh agency (own inbox/outbox) per test, the hub played by the test."""

from __future__ import annotations

import itertools
import logging

import pytest

from lapor_hub.streams.directory import default_directory
from tests.connectors.hub import HubPlayer

# Regencies are plentiful: each broker test gets agency topics no other test has touched.
_CODES = itertools.cycle(a.code for a in default_directory() if a.code.count(".") == 1)


@pytest.fixture(scope="session")
def hub(kafka_broker):
    player = HubPlayer(kafka_broker.bootstrap)
    yield player
    player.close()


@pytest.fixture
def agency(hub) -> str:
    """A regency whose inbox and outbox hold nothing yet (2 partitions each when created here).

    Earlier tests in the session (the hub's, the benchmark's) may have routed complaints to some
    regencies; those are passed over, so a test sees only the records it produced itself.
    """
    for _ in range(len(default_directory())):
        code = next(_CODES)
        hub.create_topics(code)
        if hub.is_empty(code):
            return code
    raise AssertionError("every regency's inbox already holds records: the session used them all")


@pytest.fixture(autouse=True)
def _connector_logs(caplog):
    caplog.set_level(logging.INFO, logger="connectors")
