"""The shape of a connector's configuration: typed, frozen models, one per section.

The common keys (``type``, ``id``, ``agency``, ``broker``, ``runtime``, ``inbound``) are
:class:`ConnectorConfig`; each connector type adds its own ``Settings`` model under ``settings``.
:func:`full_config_model` joins the two into one model, whose JSON Schema ``lapor-connect spec``
prints. Reading the YAML file, resolving its secrets and explaining mistakes is
:mod:`lapor_hub.connectors.sdk.config_file`.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, create_model, field_validator, model_validator

from lapor_hub.errors import UnknownAgencyError
from lapor_hub.streams.directory import default_directory

__all__ = [
    "BrokerConfig",
    "RuntimeSettings",
    "InboundSettings",
    "ConnectorConfig",
    "StrictModel",
    "full_config_model",
]

_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,62}")


class StrictModel(BaseModel):
    """Base of every config section: unknown keys are errors, values cannot change later."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class BrokerConfig(StrictModel):
    bootstrap: str = Field(pattern=r"^[^\s,:]+:\d+(,[^\s,:]+:\d+)*$", description="host:port[,host:port]")
    username: str | None = None
    password: SecretStr | None = None
    mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "SCRAM-SHA-256"
    security_protocol: Literal["SASL_PLAINTEXT", "SASL_SSL"] = "SASL_PLAINTEXT"

    @model_validator(mode="after")
    def _password_with_username(self) -> BrokerConfig:
        if self.username and self.password is None:
            raise ValueError("broker.password is required with broker.username: "
                             "write password: ${ENV_NAME} or password_file: /path/to/secret")
        return self


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


class InboundSettings(StrictModel):
    host: str = "127.0.0.1"
    port: int = Field(8088, ge=0, le=65535, description="0 picks a free port")


class ConnectorConfig(StrictModel):
    type: str = Field(min_length=1, description="a built-in type, an entry point name, or package.module:Class")
    # The pattern is checked by _usable_id (its message says what to write); here it is documentation.
    id: str = Field(description="names the consumer group and the CloudEvents source",
                    json_schema_extra={"pattern": f"^{_ID.pattern}$"})
    agency: str = Field(description="the agency's code in the directory, e.g. KEMENKES or '18.10'")
    broker: BrokerConfig
    runtime: RuntimeSettings = RuntimeSettings()
    inbound: InboundSettings | None = None
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
