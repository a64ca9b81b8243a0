"""Where the projector is in each partition, stored with the rows it wrote.

The per-worker idempotency table of the first release is dropped: Idempotency-Key claims now
live on the ``complaints.idempotency`` topic, shared by every worker.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "projection_offsets",
        sa.Column("topic", sa.String(), nullable=False),
        sa.Column("partition", sa.Integer(), nullable=False),
        sa.Column("next_offset", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("topic", "partition", name="pk_projection_offsets"),
    )
    op.execute("DROP TABLE IF EXISTS intake_idempotency_keys")


def downgrade() -> None:
    op.drop_table("projection_offsets")
