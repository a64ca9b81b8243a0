from pathlib import Path

import pytest

from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.core.config import HubSettings


def test_embedded_defaults_need_no_environment():
    settings = HubSettings.from_env({})
    assert settings.broker == "127.0.0.1:9092"
    assert settings.web_port == 6066
    assert settings.read_model_url.startswith("sqlite:///")
    assert settings.time_scale == 1.0


def test_settings_are_read_from_lapor_variables():
    settings = HubSettings.from_env({
        "LAPOR_BROKER": "127.0.0.1:19092", "LAPOR_TOPIC_PARTITIONS": "8", "LAPOR_TIME_SCALE": "1440",
        "LAPOR_DEMO": "no", "LAPOR_DATA_DIR": "/tmp/x", "LAPOR_DATABASE_URL": "postgresql://h/db",
    })
    assert settings.broker == "127.0.0.1:19092"
    assert settings.partitions == 8
    assert settings.time_scale == 1440.0
    assert settings.demo is False
    assert settings.data_dir == Path("/tmp/x")
    assert settings.read_model_url == "postgresql://h/db"


@pytest.mark.parametrize(
    ("env", "message"),
    [({"LAPOR_WEB_PORT": "http"}, "LAPOR_WEB_PORT='http' is not a int"),
     ({"LAPOR_TOPIC_PARTITIONS": "0"}, "must be at least 1"),
     ({"LAPOR_DEMO": "perhaps"}, "use 1/0"),
     ({"LAPOR_BROKER_USERNAME": "hub"}, "LAPOR_BROKER_PASSWORD")],
)
def test_bad_values_are_configuration_errors_that_say_what_to_set(env, message):
    with pytest.raises(ConfigurationError, match=message):
        HubSettings.from_env(env)


def test_secrets_come_from_files_and_never_show_in_repr(tmp_path):
    secret = tmp_path / "password"
    secret.write_text("s3cret-value\n")
    settings = HubSettings.from_env({"LAPOR_BROKER_USERNAME": "hub", "LAPOR_BROKER_PASSWORD_FILE": str(secret)})
    assert settings.credentials is not None
    assert settings.credentials.password == "s3cret-value"
    assert "s3cret-value" not in repr(settings)


def test_client_options_carry_the_credentials_only_when_there_are_some():
    plain = HubSettings.from_env({"LAPOR_BROKER": "a:9092,b:9092"}).client_options()
    assert plain == {"bootstrap_servers": ["a:9092", "b:9092"]}
    secure = HubSettings.from_env({"LAPOR_BROKER_USERNAME": "hub", "LAPOR_BROKER_PASSWORD": "pw-123456789012"})
    assert secure.client_options()["security_protocol"] == "SASL_PLAINTEXT"
    assert secure.client_options()["sasl_plain_username"] == "hub"
