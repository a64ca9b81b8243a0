"""The connector SDK: write ``check``/``deliver``/``poll``, the runtime does the rest.

See :class:`Connector` for the contract and :mod:`lapor_hub.connectors.sdk.runtime` for the guarantees.
"""

from lapor_hub.connectors.sdk.backoff import Backoff
from lapor_hub.connectors.sdk.config import (
    BrokerConfig,
    ConnectorConfig,
    InboundSettings,
    RuntimeSettings,
    StrictModel,
    build_config,
    load_config,
)
from lapor_hub.connectors.sdk.connector import Connector, ConnectorContext, NoSettings
from lapor_hub.connectors.sdk.http import HttpClient, HttpResponse
from lapor_hub.connectors.sdk.model import INBOX_TYPES, OUTBOX_TYPES, AgencyUpdate, Delivery, event_id_for, json_safe
from lapor_hub.connectors.sdk.outcomes import HTTP_OUTCOMES, Outcome, http_outcome, parse_retry_after, raise_for_outcome
from lapor_hub.connectors.sdk.registry import ENTRY_POINT_GROUP, available_types, connector_class
from lapor_hub.connectors.sdk.runtime import ConnectorRuntime, check_broker
from lapor_hub.connectors.sdk.signing import SIGNATURE_HEADER, SignatureError, sign, verify
from lapor_hub.connectors.sdk.updates import InvalidUpdate, parse_update, update_value

__all__ = [
    "Connector",
    "ConnectorContext",
    "NoSettings",
    "Delivery",
    "AgencyUpdate",
    "INBOX_TYPES",
    "OUTBOX_TYPES",
    "event_id_for",
    "json_safe",
    "ConnectorConfig",
    "BrokerConfig",
    "RuntimeSettings",
    "InboundSettings",
    "StrictModel",
    "load_config",
    "build_config",
    "ConnectorRuntime",
    "check_broker",
    "Backoff",
    "Outcome",
    "HTTP_OUTCOMES",
    "http_outcome",
    "raise_for_outcome",
    "parse_retry_after",
    "HttpClient",
    "HttpResponse",
    "SIGNATURE_HEADER",
    "SignatureError",
    "sign",
    "verify",
    "InvalidUpdate",
    "parse_update",
    "update_value",
    "ENTRY_POINT_GROUP",
    "available_types",
    "connector_class",
]
