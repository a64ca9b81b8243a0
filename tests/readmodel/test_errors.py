"""Database and input failures surface as the hub's errors, without personal data."""

from __future__ import annotations

import pytest
from sqlalchemy import exc

from lapor_hub.errors import ConfigurationError, RetriableError, SkippableError
from lapor_hub.streams.broker import free_port
from lapor_hub.streams.readmodel import ProjectedEvent, open_read_model
from tests.readmodel.factory import REPORTER, Hub, dump


@pytest.mark.parametrize(
    "url",
    ["not a url", "mysql://lapor@127.0.0.1/lapor", "postgresql+nosuchdriver://lapor@127.0.0.1/lapor"],
)
def test_a_bad_url_is_a_configuration_error(url):
    with pytest.raises(ConfigurationError):
        open_read_model(url)


def test_an_unreachable_database_is_retriable_and_the_password_stays_out():
    model = open_read_model(f"postgresql+psycopg2://lapor:s3cret-pw@127.0.0.1:{free_port()}/lapor")
    with pytest.raises(RetriableError) as caught:
        model.create_schema()
    assert isinstance(caught.value.__cause__, exc.OperationalError)
    assert "s3cret-pw" not in str(caught.value)
    assert caught.value.retry_after is not None


def test_a_missing_schema_is_a_configuration_error(tmp_path):
    model = open_read_model(f"sqlite:///{tmp_path / 'nested' / 'read-model.db'}")  # directory created
    hub = Hub()
    with pytest.raises(ConfigurationError, match="create_schema"):
        model.apply([hub.submitted("LAP-1")])


def test_a_record_without_tracking_id_is_skippable_and_nothing_is_written(read_model):
    hub = Hub()
    good = hub.submitted("LAP-1")
    bad = ProjectedEvent("ComplaintClosed", {**hub.closed("LAP-1").value, "tracking_id": ""}, "closed", "")
    with pytest.raises(SkippableError, match="position 1") as caught:
        read_model.apply([good, bad])
    assert REPORTER["name"] not in str(caught.value)
    assert dump(read_model)["timeline"] == []


def test_records_outside_the_lifecycle_are_ignored(read_model):
    heartbeat = ProjectedEvent("ConnectorHeartbeat", {"connector_id": "x"}, None, None)
    assert read_model.apply([heartbeat]) == 0
    assert dump(read_model)["timeline"] == []


def test_missing_headers_fall_back_to_the_record(read_model):
    hub = Hub()
    events = [hub.submitted("LAP-1"), hub.dispositioned("LAP-1", "18.10"), hub.followed_up("LAP-1")]
    bare = [ProjectedEvent(e.record_type, e.value) for e in events]
    read_model.apply(bare)
    view = read_model.public_view("LAP-1")
    assert (view["status"], view["agency_code"]) == ("in_progress", "18.10")
    assert read_model.agency_stats("18.10")["followed_up"] == 1
