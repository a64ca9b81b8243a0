import pytest

from tests.hub.harness import start_hub


@pytest.fixture(scope="module")
def hub(kafka_broker, hub_topics, tmp_path_factory):
    """One hub worker for the tests of a module, with its own consumer group and SQLite read model."""
    process = start_hub(kafka_broker.bootstrap, tmp_path_factory.mktemp("hub"))
    yield process
    assert process.stop() == 0, process.log()[-3000:]
