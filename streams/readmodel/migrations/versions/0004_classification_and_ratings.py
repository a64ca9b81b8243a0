"""What LAPOR! calls each report (complaint, aspiration, information request), and the reporters'
ratings of the agencies' responses.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("classification", sa.String()))
    op.create_table(
        "ratings",
        sa.Column("tracking_id", sa.String(), nullable=False),
        sa.Column("agency", sa.String(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text()),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tracking_id", "agency", name="pk_ratings"),
    )
    op.create_index("ix_ratings_agency", "ratings", ["agency"])


def downgrade() -> None:
    op.drop_table("ratings")
    with op.batch_alter_table("complaints") as batch:
        batch.drop_column("classification")
