"""The shape of a connector's configuration: typed, frozen models, one per section.

The common keys (``type``, ``id``, ``agency``, ``broker``, ``runtime``, ``inbound``) are
:class:`ConnectorConfig`; each connector type adds its own ``Settings`` model under ``settings``.
:func:`full_config_model` joins the two into one model, whose JSON Schema ``lapor-connect spec``
prints. Reading the YAML file, resolving its secrets and explaining mistakes is
:mod:`lapor_hub.connectors.sdk.config_file`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, SecretStr, create_model, field_validator, model_validator

from lapor_hub.errors import ConfigurationError, UnknownAgencyError
from lapor_hub.streams.core.broker_security import BrokerCredentials, BrokerTls, security_options
from lapor_hub.streams.directory import default_directory

__all__ = [
    "BrokerConfig",
    "RuntimeSettings",
    "InboundSettings",
    "HubAccess",
    "ConnectorConfig",
    "StrictModel",
    "full_config_model",
    "kafka_options",
]

_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,62}")


class StrictModel(BaseModel):
    """Base of every config section: unknown keys are errors, values cannot change later."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class BrokerConfig(StrictModel):
    """How the connector reaches the hub's brokers. On the production cluster: TLS with the
    cluster's CA and the connector's own certificate and key, and SASL/SCRAM as its principal.
    Each of ``password``, ``ca``, ``cert``, ``key`` and ``key_password`` may be given as
    ``<key>_file: /path`` (a Docker or Kubernetes secret)."""

    bootstrap: str = Field(pattern=r"^[^\s,:]+:\d+(,[^\s,:]+:\d+)*$", description="host:port[,host:port]")
    username: str | None = Field(None, description="the connector's SASL/SCRAM principal, e.g. connect-pringsewu")
    password: SecretStr | None = None
    mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "SCRAM-SHA-256"
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] | None = Field(
        None, description="by default SASL_ with a username, and SSL with ca, cert or key: SASL_SSL on the "
                          "production cluster")
    ca: str | None = Field(None, description="PEM of the CA that signed the brokers' certificates (or ca_file); "
                                             "the system's CAs when omitted")
    cert: str | None = Field(None, description="PEM of the connector's client certificate (or cert_file)")
    key: SecretStr | None = Field(None, description="PEM of the certificate's private key (or key_file)")
    key_password: SecretStr | None = Field(None, description="when the key is encrypted")

    @model_validator(mode="after")
    def _password_with_username(self) -> BrokerConfig:
        if self.username and self.password is None:
            raise ValueError("broker.password is required with broker.username: "
                             "write password: ${ENV_NAME} or password_file: /path/to/secret")
        protocol = self.security_protocol
        if protocol is not None:
            if protocol.startswith("SASL_") != bool(self.username):
                raise ValueError(f"broker.security_protocol {protocol} " + (
                    "needs broker.username and broker.password" if protocol.startswith("SASL_")
                    else "does not sign in: remove broker.username, or use SASL_SSL"))
            if not protocol.endswith("SSL") and (self.ca or self.cert or self.key):
                raise ValueError(f"broker.security_protocol {protocol} is not TLS, but broker.ca, cert or key is "
                                 "set: use SASL_SSL (or SSL)")
        self.tls()  # a certificate without its key, an unreadable PEM: said now, naming the key
        return self

    @property
    def uses_tls(self) -> bool:
        if self.security_protocol is not None:
            return self.security_protocol.endswith("SSL")
        return bool(self.ca or self.cert or self.key)

    def tls(self) -> BrokerTls | None:
        if not self.uses_tls:
            return None
        tls = BrokerTls(ca=self.ca, cert=self.cert, key=_secret(self.key), key_password=_secret(self.key_password))
        try:
            tls.validate({part: f"broker.{part}" for part in ("ca", "cert", "key", "key_password")})
        except ConfigurationError as exc:
            raise ValueError(str(exc)) from None
        return tls

    def credentials(self) -> BrokerCredentials | None:
        if not self.username:
            return None
        return BrokerCredentials(self.username, _secret(self.password) or "", self.mechanism)


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def kafka_options(broker: BrokerConfig) -> dict[str, Any]:
    """kafka-python client options for ``broker``: its servers, credentials and TLS."""
    return {"bootstrap_servers": broker.bootstrap.split(","), **security_options(broker.credentials(), broker.tls())}


class RuntimeSettings(StrictModel):
    batch_size: int = Field(50, ge=1, le=1000, description="inbox records handed to deliver() at most at once")
    poll_interval: float = Field(30.0, gt=0, description="seconds between poll() calls")
    heartbeat_interval: float = Field(30.0, gt=0, description="seconds between heartbeats to connectors.health")
    backoff_initial: float = Field(1.0, gt=0, description="seconds before the first retry")
    backoff_max: float = Field(60.0, gt=0, le=600, description="longest wait between retries, in seconds")
    # It bounds how fast a stop is noticed.
    idle_wait: float = Field(1.0, gt=0, le=30, description="seconds one wait for inbox records lasts")
    session_timeout: float = Field(45.0, ge=6, le=300, description="seconds after which a crashed connector's "
                                   "partitions go to its restarted successor")
    allow_other_connectors: bool = Field(False, description="start although another connector consumes this "
                                         "agency's inbox (each then delivers every event); refused otherwise")


class InboundSettings(StrictModel):
    host: str = "127.0.0.1"
    port: int = Field(8088, ge=0, le=65535, description="0 picks a free port")


class HubAccess(StrictModel):
    """How the connector asks the hub for the reporter's identity (see :mod:`lapor_hub.connectors.sdk.disclosure`)."""

    url: AnyHttpUrl = Field(description="the hub's HTTP API, e.g. https://hub.lapor.go.id")
    api_key: SecretStr = Field(description="an API key of role connector for this agency "
                                           "(`lapor-hub users api-key NAME --role connector --agency CODE`)")
    timeout: float = Field(10.0, gt=0, le=60, description="seconds one request to the hub may take")


class ConnectorConfig(StrictModel):
    type: str = Field(min_length=1, description="a built-in type, an entry point name, or package.module:Class")
    # The pattern is checked by _usable_id (its message says what to write); here it is documentation.
    id: str = Field(description="names the consumer group and the CloudEvents source",
                    json_schema_extra={"pattern": f"^{_ID.pattern}$"})
    agency: str = Field(description="the agency's code in the directory, e.g. KEMENKES or '18.10'")
    broker: BrokerConfig
    runtime: RuntimeSettings = RuntimeSettings()
    inbound: InboundSettings | None = None
    hub_url: str | None = Field(None, description="the hub's HTTP address, e.g. http://127.0.0.1:6066: an update "
                                "its public view already shows to be wrong is refused at once (409) instead of later",
                                json_schema_extra={"pattern": "^https?://"})
    state_dir: Path = Field(Path(".lapor-connect"), description="where the runtime keeps this connector's polling "
                            "watermark; relative to the config file's folder")
    #: Without it, assignments reach the agency system without the reporter's identity.
    hub: HubAccess | None = None
    signing_key_file: str | None = Field(None, description=(
        "the agency's Ed25519 private key (PEM, e.g. from `openssl genpkey -algorithm ed25519`): every update put "
        "on the outbox is signed with it; give the hub its public key (LAPOR_AUDIT_AGENCY_KEYS_DIR/<agency>.pub)"))
    #: The connector type's own settings: replaced by an instance of its ``Settings`` model.
    settings: Any = None

    @field_validator("id")
    @classmethod
    def _usable_id(cls, value: str) -> str:
        if not _ID.fullmatch(value):
            raise ValueError("use 1-63 lowercase letters, digits, '.', '_' or '-' (it names the consumer "
                             "group and the CloudEvents source), e.g. pringsewu-sipp")
        return value

    @field_validator("hub_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
            raise ValueError("write the hub's address as http(s)://host:port, e.g. http://127.0.0.1:6066")
        return value.rstrip("/") if value else value

    @field_validator("agency")
    @classmethod
    def _known_agency(cls, code: str, info) -> str:
        directory = (info.context or {}).get("directory") or default_directory()
        try:
            directory.get(code)
        except UnknownAgencyError as exc:
            raise ValueError(exc.reason) from None
        return code

    @property
    def source(self) -> str:
        """CloudEvents source of everything this connector publishes."""
        return f"/agency/{self.agency}/connector/{self.id}"

    @property
    def consumer_group(self) -> str:
        return f"lapor-connect.{self.id}"


def full_config_model(type_name: str, settings: type[BaseModel]) -> type[ConnectorConfig]:
    """:class:`ConnectorConfig` with ``type`` fixed to ``type_name`` and ``settings`` typed as the
    connector type's ``Settings``: the whole file of one connector type, as one model."""
    required = any(field.is_required() for field in settings.model_fields.values())
    # A Literal of a name known only at run time: pydantic validates against it, mypy cannot read
    # it as a type (a variable spells no static type), hence Any.
    fixed_type: Any = Literal[type_name]
    return create_model(
        f"ConnectorConfig[{type_name}]",
        __base__=ConnectorConfig,
        __doc__=f"The configuration of a {type_name!r} connector, after ${{ENV_NAME}} substitution and "
                "<key>_file reads (a secret may be given as <key>_file: /path instead of <key>).",
        type=(fixed_type, Field(description="the connector type")),
        settings=(settings, Field(...) if required else Field(default_factory=settings)),
    )
