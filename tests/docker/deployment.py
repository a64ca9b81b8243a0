"""The compose file read as Docker Compose and the apache/kafka image read it, without a Docker
engine: interpolation, the image's environment-to-properties rule, and the secret files that
``lapor-hub certs deployment`` and the operator put in docker/secrets."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from lapor_hub.streams.ops.certs import deployment

__all__ = ["ROOT", "DOCKER", "load_compose", "broker_properties", "make_secrets", "with_secrets", "OPERATOR_SECRETS",
           "PUBLIC_HOST"]

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
PUBLIC_HOST = "lapor.test"
#: What the operator writes by hand (README, Production); everything else is a certificate.
OPERATOR_SECRETS = {"kafka_hub_password": "hub-password-for-tests", "kafka_pringsewu_password": "pringsewu-password-1",
                    "postgres_password": "postgres-password", "read_model_url": "postgresql+psycopg2://lapor@postgres/lapor",
                    "pringsewu_webhook_secret": "a-long-shared-secret-for-the-agency-app",
                    "prometheus_hub_key": "lapor_prometheus_key", "grafana_admin_password": "grafana-admin-password"}
#: The apache/kafka image does not turn these into server properties (KafkaDockerWrapper).
_NOT_PROPERTIES = {"KAFKA_VERSION", "KAFKA_HEAP_OPTS", "KAFKA_LOG4J_OPTS", "KAFKA_OPTS", "KAFKA_JMX_OPTS",
                   "KAFKA_JVM_PERFORMANCE_OPTS", "KAFKA_GC_LOG_OPTS", "KAFKA_LOG4J_ROOT_LOGLEVEL",
                   "KAFKA_LOG4J_LOGGERS", "KAFKA_TOOLS_LOG4J_LOGLEVEL", "KAFKA_JMX_HOSTNAME"}
_REQUIRED = re.compile(r"\$\{([A-Z_]+):\?[^}]*\}")


def load_compose(env: dict[str, str] | None = None) -> dict:
    """The file as Compose sees it: ``$$`` is a dollar, ``${NAME:?message}`` is ``env[NAME]``."""
    env = env or {"KAFKA_CLUSTER_ID": "MkU3OEVBNTcwNTJENDM2Qk", "LAPOR_PUBLIC_HOST": PUBLIC_HOST}
    text = (DOCKER / "docker-compose.yml").read_text()
    text = _REQUIRED.sub(lambda m: env[m.group(1)], text).replace("$$", "$")
    return yaml.safe_load(text)


def broker_properties(service: dict) -> dict[str, str]:
    """``server.properties`` as the apache/kafka image writes it from ``KAFKA_*`` variables:
    drop the prefix, lowercase, ``_`` -> ``.``, then ``...`` -> ``-`` and ``..`` -> ``_``."""
    properties = {}
    for key, value in service["environment"].items():
        if key.startswith("KAFKA_") and key not in _NOT_PROPERTIES:
            name = key.replace("KAFKA_", "").lower().replace("_", ".").replace("...", "-").replace("..", "_")
            properties[name] = str(value)
    return properties


def make_secrets(folder: Path, compose: dict) -> dict[str, Path]:
    """Every secret file the compose file names, made as README says: ``lapor-hub certs
    deployment`` and the operator's own files. Returns secret name -> its file."""
    deployment(folder, [PUBLIC_HOST])
    for name, value in OPERATOR_SECRETS.items():
        (folder / Path(compose["secrets"][name]["file"]).name).write_text(value + "\n")
    return {name: folder / Path(entry["file"]).name for name, entry in compose["secrets"].items()}


def with_secrets(text: str, secrets: dict[str, Path]) -> str:
    """``/run/secrets/<name>`` (where Compose mounts a secret) replaced by the secret's file."""
    return re.sub(r"/run/secrets/([a-z0-9_]+)", lambda m: str(secrets[m.group(1)]), text)
