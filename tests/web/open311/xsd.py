"""The specification's XML structure (``georeport-v2.xsd``) as a validator for the tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import xmlschema

__all__ = ["validate_xml"]


@cache
def _schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(Path(__file__).with_name("georeport-v2.xsd"))


def validate_xml(body: bytes) -> None:
    """Raise when ``body`` is not a GeoReport v2 document as the specification structures it."""
    assert body.startswith(b"<?xml version='1.0' encoding='UTF-8'?>") or body.startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>'), body[:60]
    _schema().validate(body.decode("utf-8"))
