"""The hub's event contract: Avro schemas, their catalog, the codec and the CloudEvents headers.

- :func:`encode` / :func:`decode`: Confluent wire format, latest version written, every
  version read into the latest; :class:`SerializationError` (a SkippableError) otherwise.
- :func:`cloudevent_headers` / :func:`read_cloudevent_headers`: CloudEvents 1.0 Kafka binding.
- :class:`SchemaCatalog`: released versions and their schema ids (``schemas/catalog.json``).
- :func:`check_compatibility`: the structural Avro compatibility check (FULL_TRANSITIVE).
- :mod:`lapor_hub.schemas.agency_updates`: which record types may be published on an agency's
  outbox, by whom (one list for the hub and the connector SDK).
- :mod:`lapor_hub.schemas.registry_web`: a read-only Confluent-compatible registry over HTTP
  (imported on demand: it pulls in faust).
"""

from lapor_hub.schemas.catalog import SchemaCatalog, SchemaVersion, default_catalog
from lapor_hub.schemas.cloudevent import ce_type, cloudevent_headers, read_cloudevent_headers, record_type_of
from lapor_hub.schemas.codec import Codec, SerializationError, decode, default_codec, encode, set_default_codec
from lapor_hub.schemas.compat import HUB_MODE, CompatibilityMode, check_compatibility, reader_incompatibilities
from lapor_hub.schemas.registry import RegistryApi

__all__ = [
    "encode",
    "decode",
    "SerializationError",
    "Codec",
    "default_codec",
    "set_default_codec",
    "cloudevent_headers",
    "read_cloudevent_headers",
    "ce_type",
    "record_type_of",
    "SchemaCatalog",
    "SchemaVersion",
    "default_catalog",
    "CompatibilityMode",
    "HUB_MODE",
    "check_compatibility",
    "reader_incompatibilities",
    "RegistryApi",
]
