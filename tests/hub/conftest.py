import pytest

from streams.admin import init_topics
from streams.config import HubSettings
from streams.directory import default_directory
from tests.hub.harness import start_hub


@pytest.fixture(scope="session")
def hub_topics(kafka_broker, tmp_path_factory):
    """The hub's topics on the test broker, created once (the hub itself would, more slowly)."""
    settings = HubSettings(broker=kafka_broker.bootstrap, data_dir=tmp_path_factory.mktemp("topics"), partitions=2)
    init_topics(settings, [a.code for a in default_directory()])
    return settings


@pytest.fixture(scope="module")
def hub(kafka_broker, hub_topics, tmp_path_factory):
    """One hub worker for the tests of a module, with its own consumer group and SQLite read model."""
    process = start_hub(kafka_broker.bootstrap, tmp_path_factory.mktemp("hub"))
    yield process
    assert process.stop() == 0, process.log()[-3000:]
