"""Connector configuration: typed, validated before anything starts, secrets never printed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from lapor_hub.connectors.sdk import load_config
from lapor_hub.connectors.sdk.config_file import _resolve, config_schema
from lapor_hub.errors import ConfigurationError

EXAMPLES = Path(__file__).resolve().parents[2] / "connectors" / "examples"


def _write(tmp_path, text: str) -> Path:
    path = tmp_path / "connector.yaml"
    path.write_text(text)
    return path


WEBHOOK = """
type: webhook
id: pringsewu-sipp
agency: "18.10"
broker: {bootstrap: "127.0.0.1:9092", username: lapor, password: "${BROKER_PW}"}
inbound: {port: 8088}
settings: {url: "https://sipp.example.go.id/lapor", secret: "${HOOK_SECRET}"}
"""
ENV = {"BROKER_PW": "broker-pw-123", "HOOK_SECRET": "hook-secret-0123456789"}


def test_a_valid_config_is_typed_and_its_secrets_are_hidden(tmp_path):
    config = load_config(_write(tmp_path, WEBHOOK), env=ENV)
    assert config.settings.secret.get_secret_value() == "hook-secret-0123456789"
    assert config.broker.password is not None and config.broker.password.get_secret_value() == "broker-pw-123"
    assert config.source == "/agency/18.10/connector/pringsewu-sipp"
    assert config.consumer_group == "lapor-connect.pringsewu-sipp"
    shown = repr(config) + str(config) + config.model_dump_json()
    assert "hook-secret-0123456789" not in shown and "broker-pw-123" not in shown


def test_secrets_from_files(tmp_path):
    (tmp_path / "hook.secret").write_text("from-a-file-0123456789\n")
    text = WEBHOOK.replace('secret: "${HOOK_SECRET}"', "secret_file: hook.secret")
    config = load_config(_write(tmp_path, text), env=ENV)
    assert config.settings.secret.get_secret_value() == "from-a-file-0123456789"


@pytest.mark.parametrize("change, env, expected", [
    (("inbound: {port: 8088}", "inbound: {port: 8088, tls: true}"), ENV,
     "inbound.tls: unknown key; allowed here: host, port"),
    (("secret:", "secrett:"), ENV, "settings.secrett: unknown key; allowed here: url, secret, timeout, replay_window"),
    (("", ""), {"BROKER_PW": "x"}, "environment variable HOOK_SECRET is not set"),
    (('secret: "${HOOK_SECRET}"', "timeout: 5"), ENV,
     "settings.secret: required key is missing; write secret: ${ENV_NAME} or secret_file: /path"),
    (('agency: "18.10"', 'agency: "18.99"'), ENV, "agency: unknown agency code '18.99'"),
    (("https://sipp.example.go.id/lapor", "sipp.example.go.id/lapor"), ENV,
     "settings.url: Input should be a valid URL"),
    ((", password: \"${BROKER_PW}\"", ""), ENV, "broker.password is required with broker.username"),
    (("type: webhook", "type: carrier-pigeon"), ENV, "unknown connector type 'carrier-pigeon'; available: filedrop"),
    (("id: pringsewu-sipp", "id: Pringsewu SIPP"), ENV, "id: use 1-63 lowercase letters"),
    (('agency: "18.10"', "agency: 18.10"), ENV, 'agency: expected text; put the value in quotes, e.g. agency: "18.10"'),
    (("", ""), {**ENV, "HOOK_SECRET": "hook-secret"}, "settings.secret: too short: a shared secret needs at least 16 "
     "characters; generate one with `openssl rand -hex 32`"),
])
def test_mistakes_are_clear_errors_naming_the_key(tmp_path, change, env, expected):
    text = WEBHOOK.replace(*change)
    with pytest.raises(ConfigurationError) as failure:
        load_config(_write(tmp_path, text), env=env)
    assert expected in str(failure.value)
    assert "hook-secret" not in str(failure.value) and "broker-pw" not in str(failure.value)


def test_an_unreadable_secret_file_is_named(tmp_path):
    text = WEBHOOK.replace('secret: "${HOOK_SECRET}"', "secret_file: /nonexistent/hook.secret")
    with pytest.raises(ConfigurationError, match=r"settings.secret_file: cannot read /nonexistent/hook.secret"):
        load_config(_write(tmp_path, text), env=ENV)


def test_yaml_syntax_errors_name_the_line(tmp_path):
    with pytest.raises(ConfigurationError, match="not valid YAML at line 2"):
        load_config(_write(tmp_path, "type: webhook\nid: a: b\n"), env={})


def test_the_example_configs_are_valid(tmp_path):
    secret = tmp_path / "kemenkes-db-url"
    secret.write_text("postgresql+psycopg2://lapor:pw@db.example/pengaduan")
    env = {"PRINGSEWU_WEBHOOK_SECRET": "x" * 32, "BPS_API_KEY": "k"}
    loaded = {path.name: path for path in EXAMPLES.glob("*.yaml")}
    assert set(loaded) == {"pringsewu-webhook.yaml", "kemenkes-sql.yaml", "small-institution-filedrop.yaml",
                           "custom-csv-http.yaml"}
    kemenkes_yaml = loaded.pop("kemenkes-sql.yaml").read_text().replace("/run/secrets/kemenkes-db-url", str(secret))
    kemenkes = _write(tmp_path, kemenkes_yaml)
    configs = [load_config(path, env=env) for path in loaded.values()] + [load_config(kemenkes, env=env)]
    assert sorted(c.agency for c in configs) == ["18.10", "ANRI", "BPS", "KEMENKES"]


def test_the_example_configs_use_only_what_their_type_s_spec_describes(tmp_path):
    env = {"PRINGSEWU_WEBHOOK_SECRET": "x" * 32, "BPS_API_KEY": "k"}
    (tmp_path / "db-url").write_text("postgresql+psycopg2://lapor:pw@db.example/pengaduan")
    for path in EXAMPLES.glob("*.yaml"):
        raw = yaml.safe_load(path.read_text().replace("/run/secrets/kemenkes-db-url", str(tmp_path / "db-url")))
        resolved = _resolve(raw, env, path.parent, "")  # the spec describes the file after ${...} and *_file
        schema = config_schema(raw["type"])
        assert _mismatches(schema, schema, resolved, path.name) == []


def _mismatches(schema: dict, node: dict, value, where: str) -> list[str]:
    """The little of JSON Schema the configs need: references, objects' keys, required keys."""
    ref = node.get("$ref") or next((n["$ref"] for n in node.get("anyOf", ()) if "$ref" in n), None)
    node = schema["$defs"][ref.rpartition("/")[2]] if ref else node
    if not isinstance(value, dict) or "properties" not in node:
        return []
    found = [f"{where}: missing {key}" for key in node.get("required", ()) if key not in value]
    for key, item in value.items():
        if key not in node["properties"]:
            found += [f"{where}.{key}: not in the spec"] if node.get("additionalProperties") is False else []
        else:
            found += _mismatches(schema, node["properties"][key], item, f"{where}.{key}")
    return found


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    from lapor_hub.streams.ops.certs import Kind, create_ca, issue

    folder = tmp_path_factory.mktemp("pki")
    create_ca(folder)
    issue(folder, "connect-pringsewu", Kind.CLIENT)
    issue(folder, "lapor-hub", Kind.CLIENT)
    return folder


def _with_tls(pki, **broker) -> str:
    keys = {"ca_file": pki / "ca.pem", "cert_file": pki / "connect-pringsewu.pem",
            "key_file": pki / "connect-pringsewu.key", **broker}
    entries = ", ".join(f"{key}: {value}" for key, value in keys.items() if value is not None)
    return WEBHOOK.replace('password: "${BROKER_PW}"}', f'password: "${{BROKER_PW}}", {entries}}}')


def test_a_connector_reaches_the_brokers_over_tls_with_its_own_certificate(tmp_path, pki):
    from lapor_hub.connectors.sdk.runtime import kafka_options

    config = load_config(_write(tmp_path, _with_tls(pki)), env=ENV)
    options = kafka_options(config.broker)
    assert options["security_protocol"] == "SASL_SSL" and options["sasl_plain_username"] == "lapor"
    assert options["ssl_context"].check_hostname
    tls = config.broker.tls()
    assert tls is not None and tls.cert == (pki / "connect-pringsewu.pem").read_text().strip()
    shown = repr(config) + str(config) + config.model_dump_json()
    assert "PRIVATE KEY" not in shown


@pytest.mark.parametrize(("broker", "expected"), [
    ({"key_file": None}, "broker.cert is set but broker.key is not"),
    ({"key_file": "lapor-hub.key"}, "broker.cert and broker.key cannot be used together"),
    ({"ca_file": "connect-pringsewu.key"}, "broker.ca: not a PEM certificate"),
    ({"security_protocol": "SASL_PLAINTEXT"}, "SASL_PLAINTEXT is not TLS, but broker.ca, cert or key is set"),
])
def test_tls_mistakes_are_clear_errors_naming_the_key(tmp_path, pki, broker, expected):
    broker = {key: (pki / value if key.endswith("_file") and value else value) for key, value in broker.items()}
    with pytest.raises(ConfigurationError, match=re.escape(expected)):
        load_config(_write(tmp_path, _with_tls(pki, **broker)), env=ENV)


def test_a_sasl_protocol_needs_a_principal(tmp_path):
    text = WEBHOOK.replace('username: lapor, password: "${BROKER_PW}"', "security_protocol: SASL_SSL")
    with pytest.raises(ConfigurationError, match="SASL_SSL needs broker.username"):
        load_config(_write(tmp_path, text), env=ENV)


def test_the_spec_describes_the_broker_s_tls_keys():
    broker = config_schema("webhook")["$defs"]["BrokerConfig"]["properties"]
    assert {"ca", "cert", "key", "key_password", "security_protocol"} <= set(broker)
