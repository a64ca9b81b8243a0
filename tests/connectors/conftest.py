"""Fixtures for connector tests: a fresh agency (own inbox/outbox) per test, the hub played by the test."""

from __future__ import annotations

import itertools
import logging

import pytest

from streams.directory import default_directory
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
    """A regency code with freshly created inbox and outbox topics (2 partitions each)."""
    code = next(_CODES)
    hub.create_topics(code)
    return code


@pytest.fixture(autouse=True)
def _connector_logs(caplog):
    caplog.set_level(logging.INFO, logger="connectors")
