"""The polling watermark the runtime keeps: durable, atomic, one process per connector."""

from __future__ import annotations

import json

import pytest

from lapor_hub.connectors.sdk.watermarks import Watermark
from lapor_hub.errors import ConfigurationError, FatalError


def test_nothing_stored_reads_as_none_then_the_stored_value_survives_a_restart(tmp_path):
    first = Watermark(tmp_path / "state", "pringsewu-sipp", "id")
    assert first.open() is None
    first.store(41)
    first.store(42)
    first.close()
    again = Watermark(tmp_path / "state", "pringsewu-sipp", "id")
    assert again.open() == 42
    again.close()
    stored = json.loads((tmp_path / "state" / "pringsewu-sipp.watermark.json").read_text())
    assert (stored["connector_id"], stored["cursor"], stored["after"]) == ("pringsewu-sipp", "id", 42)
    assert [p.name for p in (tmp_path / "state").iterdir() if p.name.endswith(".tmp")] == []


def test_a_second_process_with_the_same_connector_is_refused(tmp_path):
    running = Watermark(tmp_path, "bps-csv", "seq")
    running.open()
    try:
        with pytest.raises(ConfigurationError, match="connector bps-csv already runs with state folder"):
            Watermark(tmp_path, "bps-csv", "seq").open()
    finally:
        running.close()
    Watermark(tmp_path, "bps-csv", "seq").open()  # free again once the first stopped


def test_a_watermark_of_another_cursor_is_not_used(tmp_path):
    first = Watermark(tmp_path, "bps-csv", "seq")
    first.open()
    first.store("17")
    first.close()
    with pytest.raises(ConfigurationError, match="holds a watermark of cursor 'seq', not 'id'; delete it"):
        Watermark(tmp_path, "bps-csv", "id").open()


def test_a_damaged_file_says_how_to_recover(tmp_path):
    (tmp_path / "bps-csv.watermark.json").write_text("{not json")
    with pytest.raises(ConfigurationError, match="restore it, or delete it to poll from the start"):
        Watermark(tmp_path, "bps-csv", "seq").open()


def test_an_unwritable_state_folder_is_a_configuration_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ConfigurationError, match="state_dir: cannot use"):
        Watermark(blocker / "state", "bps-csv", "seq").open()


def test_a_watermark_that_cannot_be_stored_stops_the_connector(tmp_path):
    mark = Watermark(tmp_path, "bps-csv", "seq")
    mark.open()
    (tmp_path / ".bps-csv.watermark.json.tmp").mkdir()  # the temporary file cannot be written
    try:
        with pytest.raises(FatalError, match="cannot store the polling watermark .* then start again"):
            mark.store(1)
    finally:
        mark.close()
