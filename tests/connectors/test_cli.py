"""``lapor-connect``: list, spec, check and run (a real process, stopped by SIGTERM or killed)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid

import pytest
import yaml

from lapor_hub.connectors.builtin.webhook import WebhookConnector
from lapor_hub.connectors.cli import main
from lapor_hub.connectors.sdk import ConnectorRuntime
from lapor_hub.connectors.sdk.peers import active_peers
from lapor_hub.connectors.sdk.registry import connector_class
from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.core import topics
from tests.connectors.agencies import WebhookAgency
from tests.connectors.support import FAST_RUNTIME, config_for, running, wait_until


def test_list_shows_the_built_in_types(capsys):
    assert main(["list"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert names == ["filedrop", "open311", "sql", "webhook"]


def test_spec_prints_the_json_schema_of_a_built_in_type(capsys):
    assert main(["spec", "webhook"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["type"]["const"] == "webhook"
    assert set(schema["properties"]) == {
        "type", "id", "agency", "broker", "runtime", "inbound", "hub_url", "state_dir", "hub", "signing_key_file",
        "settings"}
    assert set(schema["required"]) == {"type", "id", "agency", "broker", "settings"}
    assert schema["additionalProperties"] is False
    settings = _resolve(schema, schema["properties"]["settings"])
    assert set(settings["properties"]) == {"url", "secret", "timeout", "replay_window"}
    assert set(settings["required"]) == {"url", "secret"} and settings["additionalProperties"] is False
    assert settings["properties"]["secret"]["writeOnly"] is True  # a secret: never shown back
    runtime = _resolve(schema, schema["properties"]["runtime"])
    assert runtime["properties"]["batch_size"]["maximum"] == 1000


@pytest.mark.parametrize("kind", ["sql", "filedrop", "open311"])
def test_spec_describes_every_built_in_type_s_settings(kind, capsys):
    assert main(["spec", kind]) == 0
    schema = json.loads(capsys.readouterr().out)
    cls = connector_class(kind)
    assert set(_resolve(schema, schema["properties"]["settings"])["properties"]) == set(cls.Settings.model_fields)


def test_spec_of_a_class_path_and_of_an_entry_point(tmp_path, monkeypatch, capsys):
    target = "lapor_hub.connectors.examples.csv_over_http:CsvOverHttpConnector"
    assert main(["spec", target]) == 0
    by_path = json.loads(capsys.readouterr().out)
    assert by_path["properties"]["type"]["const"] == target
    assert set(_resolve(by_path, by_path["properties"]["settings"])["properties"]) == {
        "url", "api_key"}
    # an agency's package, installed: its distribution registers the class as an entry point
    dist = tmp_path / "lapor_csv_connector-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: lapor-csv-connector\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[lapor_hub.connectors]\ncsv-http = {target}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert main(["spec", "csv-http"]) == 0
    by_entry_point = json.loads(capsys.readouterr().out)
    assert by_entry_point["properties"]["type"]["const"] == "csv-http"
    assert by_entry_point["$defs"] == by_path["$defs"]


def test_spec_of_an_unknown_type_exits_2_naming_the_types(capsys):
    assert main(["spec", "carrier-pigeon"]) == 2
    message = capsys.readouterr().err
    assert "unknown connector type 'carrier-pigeon'; available: filedrop, open311, sql, webhook" in message


def test_help_documents_spec(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "spec" in out and "JSON Schema" in out and "lapor-connect spec webhook" in out


def _resolve(schema: dict, node: dict) -> dict:
    ref = node.get("$ref") or next((n["$ref"] for n in node.get("anyOf", ()) if "$ref" in n), None)
    return schema["$defs"][ref.rpartition("/")[2]] if ref else node


def test_check_of_a_bad_config_exits_2_with_the_reason(tmp_path, capsys):
    path = tmp_path / "c.yaml"
    path.write_text("type: sql\nid: kemenkes\nagency: KEMENKES\nbroker: {bootstrap: '127.0.0.1:9'}\n"
                    "settings: {url: 'sqlite:///x.db', assignments: {table: t, key_column: k, columns: {a: title}},"
                    " colour: blue}\n")
    assert main(["check", str(path)]) == 2
    assert "settings.colour: unknown key" in capsys.readouterr().err


@pytest.mark.kafka
def test_check_reaches_the_agency_system_and_the_broker(kafka_broker, hub, agency, tmp_path, capsys):
    endpoint = WebhookAgency("s" * 24)
    try:
        config = {"type": "webhook", "id": "cli-check", "agency": agency,
                  "broker": {"bootstrap": kafka_broker.bootstrap},
                  "inbound": {"port": 0}, "settings": {"url": endpoint.url, "secret": "s" * 24}}
        path = tmp_path / "ok.yaml"
        path.write_text(yaml.safe_dump(config))
        assert main(["check", str(path)]) == 0
        assert "broker" in capsys.readouterr().out
        path.write_text(yaml.safe_dump({**config, "settings": {"url": endpoint.url, "secret": "w" * 24}}))
        assert main(["check", str(path)]) == 2
        assert "make settings.secret equal to the agency's" in capsys.readouterr().err
    finally:
        endpoint.stop()


@pytest.mark.kafka
def test_check_prints_only_its_answer(kafka_broker, hub, agency, tmp_path):
    endpoint = WebhookAgency("s" * 24)
    try:
        path = tmp_path / "ok.yaml"
        path.write_text(yaml.safe_dump({
            "type": "webhook", "id": "cli-check-quiet", "agency": agency,
            "broker": {"bootstrap": kafka_broker.bootstrap}, "inbound": {"port": 0},
            "settings": {"url": endpoint.url, "secret": "s" * 24}}))
        done = subprocess.run([sys.executable, "-m", "lapor_hub.connectors.cli", "check", str(path)],
                              capture_output=True, text=True, timeout=120)
        chatty = subprocess.run([sys.executable, "-m", "lapor_hub.connectors.cli", "--log-level", "INFO", "check",
                                 str(path)], capture_output=True, text=True, timeout=120)
    finally:
        endpoint.stop()
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"ok: webhook connector 'cli-check-quiet' for agency {agency}: agency system "
                                        f"reachable, broker {kafka_broker.bootstrap} and topics ready"]
    assert done.stderr == ""
    assert chatty.returncode == 0 and "INFO kafka" in chatty.stderr, "asked for more, it says more"


@pytest.mark.kafka
def test_a_second_connector_for_an_agency_is_refused_unless_it_is_meant(kafka_broker, hub, agency):
    endpoint = WebhookAgency("s" * 24)
    settings = {"url": endpoint.url, "secret": "s" * 24}
    suffix = uuid.uuid4().hex[:6]

    def connector(name: str, **extra) -> WebhookConnector:
        return WebhookConnector(config_for("webhook", agency, settings, bootstrap=kafka_broker.bootstrap, inbound=True,
                                           connector_id=f"{name}-{suffix}", **extra))

    try:
        with running(connector("first")):
            second = connector("second")
            wait_until(lambda: active_peers(second.config), timeout=90, what="the first connector's group on the inbox")
            with pytest.raises(ConfigurationError) as refused:
                ConnectorRuntime(second).run()
            meant = connector("meant", runtime={**FAST_RUNTIME, "allow_other_connectors": True})
            with running(meant) as runtime:
                event_id = hub.assign(agency, f"LPR-TWO-{suffix}")
                wait_until(lambda: [k for k, _ in endpoint.posts].count(event_id) == 2, timeout=90,
                           what="both deliveries")
                assert runtime.counters.total["delivered"] == 1
    finally:
        endpoint.stop()
    message = str(refused.value)
    assert f"agency {agency} already has a connector running: 'first-{suffix}' (on " in message
    assert "Two connectors would each deliver every assignment" in message
    assert "'runtime: {allow_other_connectors: true}'" in message and f"'id: first-{suffix}'" in message


@pytest.mark.kafka
def test_run_survives_a_kill_and_stops_cleanly_on_sigterm(kafka_broker, hub, agency, tmp_path):
    outgoing, incoming = tmp_path / "out", tmp_path / "in"
    outgoing.mkdir()
    incoming.mkdir()
    path = tmp_path / "filedrop.yaml"
    path.write_text(yaml.safe_dump({"type": "filedrop", "id": f"cli-run-{agency}", "agency": agency,
                                    "broker": {"bootstrap": kafka_broker.bootstrap}, "runtime": FAST_RUNTIME,
                                    "settings": {"outgoing": str(outgoing), "incoming": str(incoming)}}))

    def start():
        return subprocess.Popen([sys.executable, "-m", "lapor_hub.connectors.cli", "run", str(path)],
                                env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def delivered():
        return {json.loads(p.read_text())["id"] for p in outgoing.glob("*.json")}

    first = start()
    try:
        sent = {hub.assign(agency, f"LPR-{n % 3}") for n in range(6)}
        wait_until(lambda: delivered() == sent, what="the first assignments as files")
    finally:
        first.kill()  # no goodbye: offsets of anything in flight stay uncommitted
        first.wait(30)
    sent |= {hub.assign(agency, f"LPR-{n % 3}") for n in range(6, 12)}
    second = start()
    try:
        # the killed member holds its partitions until its session times out (6 s here)
        caught_up = _bounded(lambda: wait_until(lambda: delivered() == sent, timeout=45,
                                                what="every assignment after the restart"))
    finally:
        second.send_signal(signal.SIGTERM)
        output, _ = second.communicate(timeout=30)
    assert caught_up is None, f"{caught_up}\n{output[-3000:]}"
    assert second.returncode == 0, output[-2000:]
    assert "received SIGTERM" in output and f"connector cli-run-{agency} stopped" in output
    assert len(list(outgoing.glob("*.json"))) == 12, "a redelivery overwrote its file instead of adding one"
    beats = hub.read(topics.CONNECTOR_HEALTH, lambda es: any(e.value["status"] == "DOWN" for e in es),
                     where=lambda e: e.record_type == "ConnectorHeartbeat" and e.key == f"cli-run-{agency}".encode())
    assert beats[-1].value["status"] == "DOWN" and beats[-1].value["connector_type"] == "filedrop"


def _bounded(wait) -> AssertionError | None:
    try:
        wait()
    except AssertionError as failure:
        return failure
    return None


@pytest.mark.kafka
def test_run_starts_while_the_agency_is_down_and_delivers_when_it_is_back(kafka_broker, hub, agency, tmp_path,
                                                                           capsys):
    endpoint = WebhookAgency("s" * 24)
    endpoint.down_with = 503
    path = tmp_path / "webhook.yaml"
    path.write_text(yaml.safe_dump({"type": "webhook", "id": f"cli-down-{agency}", "agency": agency,
                                    "broker": {"bootstrap": kafka_broker.bootstrap}, "runtime": FAST_RUNTIME,
                                    "inbound": {"port": 0}, "settings": {"url": endpoint.url, "secret": "s" * 24}}))
    try:
        # `check` tells the operator; it is not a configuration error (exit 2) but a failed check (1).
        assert main(["check", str(path), "--skip-broker"]) == 1
        assert "HTTP 503" in capsys.readouterr().err
        process = subprocess.Popen([sys.executable, "-m", "lapor_hub.connectors.cli", "run", str(path)],
                                   env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            sent = {hub.assign(agency, "LPR-DOWN-1"), hub.assign(agency, "LPR-DOWN-2")}
            # Its start-up ping and the first deliveries were refused, and it is still running.
            wait_until(lambda: endpoint.refused >= 2, timeout=60, what="the connector to try the agency")
            assert process.poll() is None
            endpoint.down_with = None
            wait_until(lambda: set(endpoint.cases) >= sent, timeout=60, what="deliveries once the agency is back")
        finally:
            process.send_signal(signal.SIGTERM)
            output, _ = process.communicate(timeout=30)
        assert process.returncode == 0, output[-2000:]
        assert "starting although the agency system is not reachable" in output
    finally:
        endpoint.stop()
