"""Alembic migrations of the read model (see :mod:`lapor_hub.streams.readmodel.schema`)."""
