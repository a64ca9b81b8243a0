"""Broker errors a user can meet before any broker runs: clear messages, no tracebacks."""

import socket

import pytest

from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.broker import LocalBroker, free_port


def test_a_port_taken_by_another_program_is_a_clear_error(tmp_path):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        broker = LocalBroker(tmp_path / "kafka", port=port, controller_port=free_port())
        with pytest.raises(ConfigurationError, match=rf"port {port} on 127.0.0.1 \(the broker's client port\) is "
                                                     "taken.*LAPOR_BROKER_PORT and LAPOR_CONTROLLER_PORT"):
            broker.start()


def test_a_taken_controller_port_is_named_as_such(tmp_path):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        broker = LocalBroker(tmp_path / "kafka", port=free_port(), controller_port=port)
        with pytest.raises(ConfigurationError, match=rf"port {port} .*controller port"):
            broker.start()


def test_stop_of_a_broker_that_does_not_run_says_so(tmp_path):
    broker = LocalBroker(tmp_path / "kafka", port=free_port())
    assert broker.stop() is False
    assert broker.status().running is False


def test_no_java_is_a_clear_error_that_says_what_to_install(tmp_path, monkeypatch):
    import lapor_hub.streams.broker.local as local

    monkeypatch.setattr(local.shutil, "which", lambda name: None)
    broker = LocalBroker(tmp_path / "kafka", port=free_port(), controller_port=free_port())
    with pytest.raises(ConfigurationError, match="Java 17 or later is needed.*apt-get install"):
        broker.start()


def test_the_cli_reports_broker_errors_without_a_traceback(tmp_path, monkeypatch, capsys):
    from lapor_hub.streams.cli import main

    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        monkeypatch.delenv("LAPOR_BROKER", raising=False)
        monkeypatch.setenv("LAPOR_BROKER_PORT", str(port))
        monkeypatch.setenv("LAPOR_DATA_DIR", str(tmp_path))
        assert main(["broker", "start"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lapor-hub: configuration error: port") and "Traceback" not in err
