"""The production files under docker/ are checked without a Docker engine: they must agree
with the code they deploy (settings, console scripts, connector configs, secrets)."""

import re
import tomllib
from pathlib import Path

import pytest
import yaml

from lapor_hub.connectors.sdk import load_config
from lapor_hub.errors import ConfigurationError

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DOCKER / "docker-compose.yml").read_text())


def _known_settings() -> set[str]:
    source = "".join((ROOT / "streams" / "core" / path).read_text() for path in ("config.py", "identity_settings.py"))
    names = set(re.findall(r'"(LAPOR_[A-Z_]+)"', source))
    names |= {f"LAPOR_RATE_LIMIT_{bucket.upper()}" for bucket in re.findall(r'"(\w+)": "\d+/', source)}
    # Secrets may come from NAME_FILE (Docker secrets) wherever _optional_secret/_secret reads NAME.
    return names | {f"{n}_FILE" for n in names}


def test_every_image_is_pinned_to_a_version(compose):
    for name, service in compose["services"].items():
        image = service.get("image", "")
        assert ":" in image and not image.endswith(":latest"), f"{name} uses an unpinned image {image!r}"


def test_the_hub_services_only_set_settings_the_hub_reads(compose):
    known = _known_settings()
    for name in ("topics", "hub-1", "hub-2"):
        env = compose["services"][name]["environment"]
        unknown = set(env) - known
        assert not unknown, f"{name} sets {unknown}, which streams/config.py never reads"


def test_production_topics_are_replicated_three_times_on_three_brokers(compose):
    env = compose["services"]["hub-1"]["environment"]
    assert env["LAPOR_TOPIC_REPLICATION"] == "3"
    assert len(env["LAPOR_BROKER"].split(",")) == 3
    brokers = [s for s in compose["services"] if s.startswith("kafka-")]
    assert len(brokers) == 3
    assert compose["services"]["kafka-1"]["environment"]["KAFKA_MIN_INSYNC_REPLICAS"] == "2"


def test_every_secret_a_service_uses_is_declared_and_none_is_inline(compose):
    declared = set(compose["secrets"])
    for name, service in compose["services"].items():
        assert set(service.get("secrets", [])) <= declared, name
        for key in service.get("environment") or {}:
            assert not re.search(r"PASSWORD$|SECRET$", key), f"{name} puts a secret inline in {key}"


def test_the_image_entry_points_are_the_project_s_console_scripts():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    dockerfile = (DOCKER / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["lapor-hub"]' in dockerfile and "lapor-hub" in scripts
    compose = yaml.safe_load((DOCKER / "docker-compose.yml").read_text())
    assert compose["services"]["connector-pringsewu"]["entrypoint"] == ["lapor-connect"]
    assert "lapor-connect" in scripts


def test_the_production_connector_config_is_valid_once_its_secret_file_exists(tmp_path, monkeypatch):
    text = (DOCKER / "connectors" / "pringsewu-webhook.yaml").read_text()
    secret = tmp_path / "pringsewu_webhook_secret"
    secret.write_text("a-long-shared-secret-for-the-agency-app\n")
    config_path = tmp_path / "pringsewu-webhook.yaml"
    config_path.write_text(text.replace("/run/secrets/pringsewu_webhook_secret", str(secret)))
    config = load_config(config_path)
    assert config.agency == "18.10"
    assert "a-long-shared-secret" not in repr(config)
    config_path.write_text(text)  # as shipped, without the mounted secret: a clear error
    with pytest.raises(ConfigurationError, match="secret_file"):
        load_config(config_path)


def test_every_file_the_compose_file_mounts_exists(compose):
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DOCKER / source).exists(), f"{name} mounts {source}, which is not in docker/"


def test_prometheus_scrapes_with_an_operator_key_from_a_secret(compose):
    scrape = yaml.safe_load((DOCKER / "prometheus" / "prometheus.yml").read_text())["scrape_configs"][0]
    assert scrape["authorization"] == {"type": "Bearer", "credentials_file": "/run/secrets/prometheus_hub_key"}
    assert "prometheus_hub_key" in compose["services"]["prometheus"]["secrets"]


def _workers(compose) -> list[dict]:
    return [service for name, service in compose["services"].items() if service.get("command") == ["run", "--no-demo"]]


def test_the_hub_workers_share_one_identity_directory(compose):
    sources = set()
    for hub in _workers(compose):
        directory = hub["environment"]["LAPOR_IDENTITY_DIR"]
        [volume] = [v for v in hub["volumes"] if v.endswith(f":{directory}")]
        sources.add(volume.split(":")[0])
    assert len(_workers(compose)) == 2 and len(sources) == 1


def test_each_hub_worker_keeps_its_own_state_store_on_a_volume(compose):
    stores = set()
    for hub in _workers(compose):
        assert hub["environment"]["LAPOR_STATE_STORE"] == "rocksdb"
        faust_dir = f"{hub['environment'].get('LAPOR_DATA_DIR', '/var/lib/lapor')}/faust"
        [volume] = [v for v in hub["volumes"] if v.endswith(f":{faust_dir}")]
        stores.add(volume.split(":")[0])
    assert len(stores) == 2 and stores <= set(compose["volumes"])


def test_prometheus_scrapes_every_hub_worker(compose):
    scrape = yaml.safe_load((DOCKER / "prometheus" / "prometheus.yml").read_text())["scrape_configs"][0]
    targets = {target.split(":")[0] for target in scrape["static_configs"][0]["targets"]}
    assert targets == {name for name, service in compose["services"].items() if service in _workers(compose)}
