"""Open311 GeoReport v2 at the hub's front door: any 311 client can file and follow complaints.

- :mod:`.routes`: the endpoints under ``/open311/v2/`` and their error format;
- :mod:`.services`: the category tree's leaves as services, in Bahasa Indonesia and English;
- :mod:`.filing`: a ``POST requests`` form mapped onto a complaint;
- :mod:`.reading`: the ``GET requests`` filters, a complaint as a service request;
- :mod:`.jurisdictions`: ``jurisdiction_id`` as a Kemendagri region code;
- :mod:`.documents`: the XML and JSON documents of the specification.

The endpoints go through the API's one dispatch (authentication, rate limits, audit), but are
not in the OpenAPI document: the specification (and ``discovery``) documents them.
"""

from __future__ import annotations

__all__ = ["endpoints"]


def endpoints(categories):
    """The GeoReport v2 endpoints over ``categories``."""
    from lapor_hub.streams.web.open311.routes import endpoints as open311_endpoints

    return open311_endpoints(categories)
