"""The read model: complaints, their timelines, assignments and per-agency statistics.

A projector consumes ``complaints.events`` in batches and calls :meth:`ReadModel.apply`;
web views and reports call the queries. SQLite by default, PostgreSQL by URL.
"""

from __future__ import annotations

from lapor_hub.streams.readmodel.events import PROJECTED_RECORD_TYPES, ProjectedEvent
from lapor_hub.streams.readmodel.model import ReadModel, open_read_model

__all__ = ["ProjectedEvent", "PROJECTED_RECORD_TYPES", "ReadModel", "open_read_model"]
