"""The hub's HTTP surface, served by the Faust worker's web server."""

from streams.web.health import install

__all__ = ["install"]
