"""A minimal client for a Confluent-compatible Schema Registry, for :class:`lapor_hub.schemas.codec.Codec`.

Only two calls are needed: the schema of an id (to read what others wrote) and the id of a
schema (to write). Both are cached for the life of the process: a registry never changes
what an id means. Calls are synchronous with a short timeout because they happen once per
schema id; an unreachable registry is a :class:`RetriableError`, not the record's fault.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

from lapor_hub.errors import ConfigurationError, RetriableError
from lapor_hub.schemas.catalog import UnknownSchemaError

__all__ = ["RegistryClient"]

_CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"


class RegistryClient:
    """``RegistryClient("http://registry:8081", timeout=2.0)``; the URL is the registry root."""

    def __init__(self, url: str, *, timeout: float = 2.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise ConfigurationError(f"schema registry URL {url!r} must start with http:// or https://")
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._schemas: dict[int, str] = {}
        self._ids: dict[tuple[str, str], int] = {}

    def schema_by_id(self, schema_id: int) -> str:
        """The schema text registered under ``schema_id``; UnknownSchemaError if none."""
        if schema_id not in self._schemas:
            answer = self._call("GET", f"/schemas/ids/{int(schema_id)}", None, f"schema id {schema_id}")
            self._schemas[schema_id] = answer["schema"]
        return self._schemas[schema_id]

    def lookup_id(self, subject: str, schema: str) -> int:
        """The id under which ``schema`` is registered for ``subject`` (Confluent lookup)."""
        key = (subject, schema)
        if key not in self._ids:
            path = f"/subjects/{urllib.parse.quote(subject, safe='')}"
            try:
                answer = self._call("POST", path, {"schema": schema}, f"subject {subject}")
            except UnknownSchemaError as exc:
                raise ConfigurationError(
                    f"the latest {subject} schema is not registered at {self.url}: register it "
                    "(the hub's own registry serves its catalog under /registry)"
                ) from exc
            self._ids[key] = int(answer["id"])
        return self._ids[key]

    def _call(self, method: str, path: str, body: dict | None, what: str) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Accept": _CONTENT_TYPE, "Content-Type": _CONTENT_TYPE},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise UnknownSchemaError(f"{what} not found in the registry at {self.url}") from exc
            if exc.code >= 500:
                raise RetriableError(f"schema registry at {self.url} answered {exc.code}", retry_after=5.0) from exc
            raise ConfigurationError(f"schema registry at {self.url} refused {method} {path}: {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise RetriableError(
                f"schema registry at {self.url} unreachable ({type(exc).__name__}): check the URL "
                "and that the registry is up",
                retry_after=5.0,
            ) from exc
        except ValueError as exc:
            raise RetriableError(f"schema registry at {self.url} sent a body that is not JSON") from exc
