"""Session fixtures: a real Kafka broker, PostgreSQL, MariaDB and Keycloak, started by the tests.

Nothing is skipped when a service is missing: the fixture starts it, or the test fails.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from lapor_hub.streams.broker import LocalBroker, free_port
from lapor_hub.streams.core.config import HubSettings
from tests.services.keycloak import KeycloakServer, start_keycloak
from tests.services.mariadb import start_mariadb
from tests.services.postgres import start_postgres

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("LAPOR_CACHE_DIR", ROOT / ".cache"))


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory) -> Iterator[LocalBroker]:
    """A single-node KRaft broker on a free loopback port with its own data directory."""
    broker = LocalBroker(
        tmp_path_factory.mktemp("kafka"),
        port=free_port(),
        controller_port=free_port(),
        cache_dir=CACHE,
    )
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture(scope="session")
def hub_settings(kafka_broker, tmp_path_factory) -> HubSettings:
    return HubSettings(broker=kafka_broker.bootstrap, data_dir=tmp_path_factory.mktemp("hub"), partitions=2)


@pytest.fixture(scope="session")
def hub_topics(kafka_broker, tmp_path_factory) -> HubSettings:
    """The hub's topics on the test broker, created once (the hub itself would, more slowly)."""
    from lapor_hub.errors import RetriableError
    from lapor_hub.streams.core.admin import init_topics
    from lapor_hub.streams.directory import default_directory

    settings = HubSettings(broker=kafka_broker.bootstrap, data_dir=tmp_path_factory.mktemp("topics"), partitions=2)
    for attempt in range(3):
        try:
            init_topics(settings, [a.code for a in default_directory()])
            return settings
        except RetriableError:
            # 1,366 topics on a machine shared with other brokers may take longer than one wait:
            # creating them is idempotent, so wait again as the error says.
            if attempt == 2:
                raise
    return settings


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    server = start_postgres(free_port())
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def mariadb_url() -> Iterator[str]:
    """A MariaDB server (the SQL connector's MySQL/MariaDB agencies), started for the session."""
    server = start_mariadb(free_port())
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def keycloak(tmp_path_factory) -> Iterator[KeycloakServer]:
    """Keycloak (the identity tests' OpenID Connect provider), fetched once and started for the session."""
    server = start_keycloak(CACHE, free_port(), free_port(), tmp_path_factory.mktemp("keycloak"))
    yield server
    server.stop()
