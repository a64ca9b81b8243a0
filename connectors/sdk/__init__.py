"""The connector SDK: write ``check``/``deliver``/``poll``, the runtime does the rest.

Everything an author needs is importable from here, the errors too (they are the hub's own
classes, :mod:`lapor_hub.errors`, so the runtime acts on them)::

    from lapor_hub.connectors.sdk import Connector, Delivery, RetriableError, StrictModel

See :class:`Connector` for the contract and :mod:`lapor_hub.connectors.sdk.runtime` for the
guarantees. Less common parts stay in their modules: the config file and its JSON Schema
(:mod:`~lapor_hub.connectors.sdk.config_file`), the type registry
(:mod:`~lapor_hub.connectors.sdk.registry`), request signatures
(:mod:`~lapor_hub.connectors.sdk.signing`), the update mapping
(:mod:`~lapor_hub.connectors.sdk.updates`), the outcome table
(:mod:`~lapor_hub.connectors.sdk.outcomes`) and backoff (:mod:`~lapor_hub.connectors.sdk.backoff`).
"""

from lapor_hub.connectors.sdk.config import ConnectorConfig, StrictModel
from lapor_hub.connectors.sdk.config_file import load_config
from lapor_hub.connectors.sdk.connector import Connector
from lapor_hub.connectors.sdk.http import HttpClient
from lapor_hub.connectors.sdk.model import AgencyUpdate, Delivery, json_safe
from lapor_hub.connectors.sdk.outcomes import DeliveryOutcome, parse_retry_after
from lapor_hub.connectors.sdk.runtime import ConnectorRuntime
from lapor_hub.connectors.sdk.updates import parse_update
from lapor_hub.errors import ConfigurationError, FatalError, RetriableError, SkippableError

__all__ = [
    # write a connector
    "Connector",
    "StrictModel",
    "ConnectorConfig",
    "Delivery",
    "AgencyUpdate",
    "parse_update",
    "json_safe",
    # talk to the agency system
    "HttpClient",
    "DeliveryOutcome",
    "parse_retry_after",
    # errors, by what the runtime does: stop at start, retry with backoff, dead-letter, stop
    "ConfigurationError",
    "RetriableError",
    "SkippableError",
    "FatalError",
    # run it
    "load_config",
    "ConnectorRuntime",
]
