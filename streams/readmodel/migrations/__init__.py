"""Alembic migrations of the read model (see :mod:`streams.readmodel.schema`)."""
