"""The hub's settings: typed, frozen, read from the environment only at the entry point.

Every setting has an embedded default so that ``make run`` works on a fresh machine.
"""

from __future__ import annotations

import hashlib
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.core.broker_security import BrokerCredentials, BrokerTls, security_options
from lapor_hub.streams.core.identity_settings import IdentitySettings

__all__ = ["HubSettings", "BrokerCredentials", "BrokerTls", "DEFAULT_RATE_LIMITS", "STATE_STORES", "Rate",
           "parse_rate"]

#: Per caller, per worker (``LAPOR_RATE_LIMIT_<BUCKET>``, e.g. ``LAPOR_RATE_LIMIT_SUBMISSIONS=60/minute``).
#: The lifecycle tables' stores (``LAPOR_STATE_STORE``).
STATE_STORES = ("rocksdb", "memory")

DEFAULT_RATE_LIMITS = {"submissions": "30/minute", "reporter": "60/minute", "sign_in": "10/minute",
                       "staff": "600/minute"}


_UNITS = {"second": 1.0, "minute": 60.0, "hour": 3600.0}


@dataclass(frozen=True)
class Rate:
    """``count`` requests per ``per_s`` seconds, with bursts up to ``count``."""

    count: int
    per_s: float

    def __str__(self) -> str:
        unit = next((name for name, seconds in _UNITS.items() if seconds == self.per_s), f"{self.per_s:g}s")
        return f"{self.count}/{unit}"


def parse_rate(text: str) -> Rate:
    """``60/minute``, ``5/second``, ``1000/hour``; ValueError with what to write otherwise."""
    count, _, unit = text.strip().partition("/")
    if not count.isdigit() or int(count) < 1 or unit not in _UNITS:
        raise ValueError(f"{text!r} is not a rate: write it as N/second, N/minute or N/hour, e.g. 60/minute")
    return Rate(int(count), _UNITS[unit])


@dataclass(frozen=True)
class HubSettings:
    #: Kafka bootstrap servers, ``host:port[,host:port]`` (``LAPOR_BROKER``). When it is not set
    #: the hub runs the embedded local broker on 127.0.0.1:``broker_port``.
    broker: str = "127.0.0.1:9092"
    #: The embedded broker's client and controller ports (``LAPOR_BROKER_PORT``,
    #: ``LAPOR_CONTROLLER_PORT``, default the next port up).
    broker_port: int = 9092
    controller_port: int | None = None
    #: SASL/SCRAM (``LAPOR_BROKER_USERNAME``, ``LAPOR_BROKER_PASSWORD``).
    credentials: BrokerCredentials | None = None
    #: TLS to the brokers (``LAPOR_BROKER_TLS``, ``LAPOR_BROKER_CA``, ``LAPOR_BROKER_CERT``,
    #: ``LAPOR_BROKER_KEY``, ``LAPOR_BROKER_KEY_PASSWORD``; each also as ``_FILE``).
    tls: BrokerTls | None = None
    #: Where the hub keeps its local state: broker data, faust tables, the SQLite read model.
    data_dir: Path = Path("var")
    #: Where the lifecycle's tables live on a worker (``LAPOR_STATE_STORE``): ``rocksdb`` (on disk
    #: under ``data_dir``; a restart reads back only what it missed) or ``memory`` (rebuilt from
    #: the changelog at every start: for small test hubs).
    state_store: str = "rocksdb"
    #: Memory for the RocksDB caches and write buffers of all the tables' partitions, in MiB
    #: (``LAPOR_STATE_CACHE_MB``).
    state_cache_mb: int = 64
    #: Where the Kafka jars of the embedded broker are kept once downloaded (``LAPOR_CACHE_DIR``).
    cache_dir: Path = Path(".cache")
    #: SQLAlchemy URL of the read model; SQLite under ``data_dir`` when unset.
    database_url: str | None = field(default=None, repr=False)  # may hold a password
    web_host: str = "127.0.0.1"
    web_port: int = 6066
    #: Partitions of the hub's own topics; the parallelism ceiling (see README, Operating).
    partitions: int = 4
    #: Partitions of each ``agency.<code>.inbox``/``outbox`` topic.
    agency_partitions: int = 1
    replication_factor: int = 1
    #: Run the hub's clock N times faster than the wall clock (demos and tests).
    time_scale: float = 1.0
    #: The instant a scaled clock counts from (``LAPOR_TIME_EPOCH``, ISO 8601); when unset the
    #: first start writes it to ``data_dir/clock-epoch`` so a restart does not turn time back.
    time_epoch: datetime | None = None
    #: Feed a small stream of demo complaints when the hub runs (``make run``).
    demo: bool = False
    #: Deadlines, working calendar and forwarding limits (YAML; ``config/deadlines.yaml`` shows
    #: the format and the defaults), ``LAPOR_SLA_CONFIG``.
    sla_config: Path | None = None
    #: An external Confluent-compatible schema registry (Confluent, Apicurio, Karapace); the
    #: hub's own catalog ids are used when unset (``LAPOR_SCHEMA_REGISTRY_URL``).
    schema_registry_url: str | None = None
    #: Faust application id: the consumer group and the prefix of the changelog topics.
    app_id: str = "lapor-hub"
    #: How long an HTTP write may wait for the broker's acknowledgement before it is answered
    #: 503 with Retry-After (``LAPOR_WRITE_TIMEOUT``, seconds).
    write_timeout_s: float = 5.0
    #: How long an Idempotency-Key is remembered (``LAPOR_IDEMPOTENCY_DAYS``).
    idempotency_days: int = 7
    #: How long the broker waits for a silent worker before its partitions go to the others
    #: (``LAPOR_SESSION_TIMEOUT``, seconds): the worst part of a failover after a crash.
    session_timeout_s: float = 10.0
    #: Names this worker's own read model (a SQLite file) among the workers; derived from the
    #: host and the read model's location unless ``LAPOR_INSTANCE_ID`` sets it.
    instance: str | None = None
    #: Staff identity: the embedded issuer and an OIDC provider (``LAPOR_IDENTITY_*``,
    #: ``LAPOR_OIDC_*``); the embedded issuer in ``data_dir/identity`` when None.
    identity: IdentitySettings | None = None
    #: Rate limits per bucket, ``N/second|minute|hour`` (see :data:`DEFAULT_RATE_LIMITS`).
    rate_limits: tuple[tuple[str, str], ...] = tuple(DEFAULT_RATE_LIMITS.items())

    def rates(self) -> dict[str, Rate]:
        return {bucket: parse_rate(text) for bucket, text in self.rate_limits}
    #: Reverse proxies whose ``X-Forwarded-For`` is believed (``LAPOR_TRUSTED_PROXIES``: addresses
    #: or networks, comma separated).
    trusted_proxies: tuple[str, ...] = ()
    #: The key-encryption key every worker shares (``LAPOR_PRIVACY_KEK_FILE``); when None,
    #: ``data_dir/privacy/kek``, created on the first start (the embedded default).
    privacy_kek_file: Path | None = None
    #: An external KMS instead of a KEK file (``LAPOR_PRIVACY_KMS=package.module:factory``).
    privacy_kms: str | None = None
    #: A complaint's identity is erased this many days after it was closed (or archived) and not
    #: reopened (``LAPOR_PRIVACY_RETENTION_DAYS``; 0 keeps identities until erased on request).
    identity_retention_days: int = 365
    #: Real seconds between two runs of the retention policy (``LAPOR_PRIVACY_RETENTION_INTERVAL``).
    retention_interval_s: float = 3600.0
    #: How soon a destroyed data key may be compacted away on the broker (``segment.ms`` and
    #: ``max.compaction.lag.ms`` of ``hub.data-keys``; ``LAPOR_PRIVACY_KEY_COMPACTION_MS``).
    key_compaction_ms: int = 3_600_000
    #: The hub's Ed25519 keys for signing chain heads (``LAPOR_AUDIT_KEY_DIR``); ``data_dir/audit-keys``
    #: when None. The signing key is generated there on first start unless
    #: ``LAPOR_AUDIT_SIGNING_KEY_FILE`` names a PEM file.
    audit_key_dir: Path | None = None
    audit_signing_key_file: Path | None = None
    #: Seconds between two signings of the chain heads that moved (``LAPOR_AUDIT_SIGN_INTERVAL``).
    audit_sign_interval_s: float = 10.0
    #: The agencies' public keys for their signed outbox records (``LAPOR_AUDIT_AGENCY_KEYS_DIR``):
    #: ``<code>.pub`` files; without it every agency update is recorded as ``unknown-key`` or ``unsigned``.
    audit_agency_keys_dir: Path | None = None

    @property
    def audit_key_folder(self) -> Path:
        return self.audit_key_dir or self.data_dir / "audit-keys"

    def client_options(self) -> dict:
        """kafka-python / aiokafka options to reach the broker, with the credentials if any."""
        return {"bootstrap_servers": self.broker.split(","), **security_options(self.credentials, self.tls)}

    @property
    def read_model_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'read-model.db').resolve()}"

    @property
    def instance_id(self) -> str:
        """Stable for one worker's data: the same host and read model give the same id."""
        if self.instance:
            return self.instance
        where = f"{socket.gethostname()}|{self.read_model_url}".encode()
        return hashlib.sha256(where).hexdigest()[:12]

    def identity_settings(self) -> IdentitySettings:
        return self.identity or IdentitySettings.from_env({}, data_dir=self.data_dir)

    def group_timeouts(self) -> dict:
        """Consumer-group liveness for aiokafka consumers: a crashed member is noticed in seconds."""
        session_ms = int(self.session_timeout_s * 1000)
        return {"session_timeout_ms": session_ms, "heartbeat_interval_ms": max(300, session_ms // 10)}

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> HubSettings:
        """Settings from ``LAPOR_*`` environment variables; a bad value is a ConfigurationError."""
        env = os.environ if env is None else env
        defaults = cls()
        user = env.get("LAPOR_BROKER_USERNAME")
        credentials = None
        if user:
            password = _secret(env, "LAPOR_BROKER_PASSWORD")
            credentials = BrokerCredentials(user, password)
        broker_port = _number(env, "LAPOR_BROKER_PORT", defaults.broker_port, int, minimum=1)
        controller_port = _number(env, "LAPOR_CONTROLLER_PORT", None, int, minimum=1)
        return cls(
            broker=env.get("LAPOR_BROKER") or f"127.0.0.1:{broker_port}",
            broker_port=broker_port,
            controller_port=controller_port,
            credentials=credentials,
            tls=_broker_tls(env),
            data_dir=Path(env.get("LAPOR_DATA_DIR", str(defaults.data_dir))),
            database_url=_optional_secret(env, "LAPOR_DATABASE_URL"),
            state_store=_choice(env, "LAPOR_STATE_STORE", defaults.state_store, STATE_STORES),
            state_cache_mb=_number(env, "LAPOR_STATE_CACHE_MB", defaults.state_cache_mb, int, minimum=8),
            cache_dir=Path(env.get("LAPOR_CACHE_DIR") or defaults.cache_dir),
            web_host=env.get("LAPOR_WEB_HOST", defaults.web_host),
            web_port=_number(env, "LAPOR_WEB_PORT", defaults.web_port, int, minimum=1),
            partitions=_number(env, "LAPOR_TOPIC_PARTITIONS", defaults.partitions, int, minimum=1),
            agency_partitions=_number(
                env, "LAPOR_AGENCY_TOPIC_PARTITIONS", defaults.agency_partitions, int, minimum=1
            ),
            replication_factor=_number(
                env, "LAPOR_TOPIC_REPLICATION", defaults.replication_factor, int, minimum=1
            ),
            time_scale=_number(env, "LAPOR_TIME_SCALE", defaults.time_scale, float, minimum=1e-9),
            time_epoch=_instant(env, "LAPOR_TIME_EPOCH"),
            demo=_flag(env, "LAPOR_DEMO", defaults.demo),
            app_id=env.get("LAPOR_APP_ID", defaults.app_id),
            schema_registry_url=env.get("LAPOR_SCHEMA_REGISTRY_URL") or None,
            sla_config=Path(env["LAPOR_SLA_CONFIG"]) if env.get("LAPOR_SLA_CONFIG") else None,
            write_timeout_s=_number(env, "LAPOR_WRITE_TIMEOUT", defaults.write_timeout_s, float, minimum=0.1),
            idempotency_days=_number(env, "LAPOR_IDEMPOTENCY_DAYS", defaults.idempotency_days, int, minimum=1),
            session_timeout_s=_number(env, "LAPOR_SESSION_TIMEOUT", defaults.session_timeout_s, float, minimum=6.0),
            instance=env.get("LAPOR_INSTANCE_ID") or None,
            identity=IdentitySettings.from_env(env, data_dir=Path(env.get("LAPOR_DATA_DIR", str(defaults.data_dir)))),
            rate_limits=_rate_limits(env),
            trusted_proxies=_proxies(env),
            privacy_kek_file=Path(env["LAPOR_PRIVACY_KEK_FILE"]) if env.get("LAPOR_PRIVACY_KEK_FILE") else None,
            privacy_kms=env.get("LAPOR_PRIVACY_KMS") or None,
            identity_retention_days=_number(env, "LAPOR_PRIVACY_RETENTION_DAYS", defaults.identity_retention_days,
                                            int, minimum=0),
            retention_interval_s=_number(env, "LAPOR_PRIVACY_RETENTION_INTERVAL", defaults.retention_interval_s,
                                         float, minimum=0.1),
            key_compaction_ms=_number(env, "LAPOR_PRIVACY_KEY_COMPACTION_MS", defaults.key_compaction_ms, int,
                                      minimum=1000),
            audit_key_dir=Path(env["LAPOR_AUDIT_KEY_DIR"]) if env.get("LAPOR_AUDIT_KEY_DIR") else None,
            audit_signing_key_file=(Path(env["LAPOR_AUDIT_SIGNING_KEY_FILE"])
                                    if env.get("LAPOR_AUDIT_SIGNING_KEY_FILE") else None),
            audit_agency_keys_dir=(Path(env["LAPOR_AUDIT_AGENCY_KEYS_DIR"])
                                   if env.get("LAPOR_AUDIT_AGENCY_KEYS_DIR") else None),
            audit_sign_interval_s=_number(env, "LAPOR_AUDIT_SIGN_INTERVAL", defaults.audit_sign_interval_s, float,
                                          minimum=0.1),
        )


def _number(env: Mapping[str, str], name: str, default, kind, *, minimum):
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not a {kind.__name__}; set it to a number") from None
    if value < minimum:
        raise ConfigurationError(f"{name}={raw!r} must be at least {minimum}")
    return value


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = (env.get(name) or default).strip().lower()
    if raw not in choices:
        raise ConfigurationError(f"{name}={env.get(name)!r}: use one of {', '.join(choices)}")
    return raw


def _instant(env: Mapping[str, str], name: str) -> datetime | None:
    raw = env.get(name)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise ConfigurationError(
            f"{name}={raw!r} is not an ISO 8601 instant such as 2026-07-06T00:00:00+00:00") from None
    if value.utcoffset() is None:
        raise ConfigurationError(f"{name}={raw!r} needs a UTC offset, e.g. +00:00")
    return value


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name}={raw!r}: use 1/0, true/false, yes/no or on/off")


def _optional_secret(env: Mapping[str, str], name: str) -> str | None:
    """A secret from ``NAME`` or from the file named by ``NAME_FILE`` (Docker secrets), if set."""
    if env.get(name):
        return env[name]
    path = env.get(f"{name}_FILE")
    if not path:
        return None
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigurationError(f"{name}_FILE={path!r} cannot be read: {exc.strerror}") from exc


def _secret(env: Mapping[str, str], name: str) -> str:
    value = _optional_secret(env, name)
    if value is None:
        raise ConfigurationError(f"{name} (or {name}_FILE) must be set when LAPOR_BROKER_USERNAME is")
    return value


_TLS_SETTINGS = {"ca": "LAPOR_BROKER_CA", "cert": "LAPOR_BROKER_CERT", "key": "LAPOR_BROKER_KEY",
                 "key_password": "LAPOR_BROKER_KEY_PASSWORD"}


def _broker_tls(env: Mapping[str, str]) -> BrokerTls | None:
    """TLS is on when ``LAPOR_BROKER_TLS`` says so, or when a CA or a client certificate is given."""
    given = {part: (value.strip() or None) if (value := _optional_secret(env, name)) else None
             for part, name in _TLS_SETTINGS.items()}
    named = [_TLS_SETTINGS[part] for part, value in given.items() if value]
    if not _flag(env, "LAPOR_BROKER_TLS", bool(named)):
        if named:
            raise ConfigurationError(f"LAPOR_BROKER_TLS is off but {', '.join(named)} is set: "
                                     "remove LAPOR_BROKER_TLS=0, or the TLS settings")
        return None
    tls = BrokerTls(**given)
    tls.validate({part: f"{name} (or {name}_FILE)" for part, name in _TLS_SETTINGS.items()})
    return tls


def _rate_limits(env: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    limits = []
    for bucket, default in DEFAULT_RATE_LIMITS.items():
        name = f"LAPOR_RATE_LIMIT_{bucket.upper()}"
        raw = env.get(name) or default
        try:
            parse_rate(raw)
        except ValueError as exc:
            raise ConfigurationError(f"{name}: {exc}") from None
        limits.append((bucket, raw))
    return tuple(limits)


def _proxies(env: Mapping[str, str]) -> tuple[str, ...]:
    import ipaddress

    raw = [part.strip() for part in (env.get("LAPOR_TRUSTED_PROXIES") or "").split(",") if part.strip()]
    for part in raw:
        try:
            ipaddress.ip_network(part, strict=False)
        except ValueError:
            raise ConfigurationError(f"LAPOR_TRUSTED_PROXIES: {part!r} is not an address or network such as "
                                     "10.0.0.5 or 10.0.0.0/24") from None
    return tuple(raw)
