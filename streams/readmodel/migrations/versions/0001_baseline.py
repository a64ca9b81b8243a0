"""The read model as the first release created it: complaints, timeline, assignments.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_INSTANT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "complaints",
        sa.Column("tracking_id", sa.String(), primary_key=True),
        sa.Column("status", sa.String()),
        sa.Column("agency", sa.String()),
        sa.Column("agency_name", sa.String()),
        sa.Column("hop", sa.Integer(), nullable=False),
        sa.Column("category", sa.String()),
        sa.Column("region_code", sa.String()),
        sa.Column("privacy", sa.String()),
        sa.Column("content_hidden", sa.Boolean(), nullable=False),
        sa.Column("title", sa.String()),
        sa.Column("description", sa.String()),
        sa.Column("channel", sa.String()),
        sa.Column("reporter_name", sa.String()),
        sa.Column("submitted_at", _INSTANT),
        sa.Column("updated_at", _INSTANT),
        sa.Column("dispositioned_at", _INSTANT),
        sa.Column("first_follow_up_at", _INSTANT),
        sa.Column("responded_at", _INSTANT),
        sa.Column("closed_at", _INSTANT),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("escalation_tier", sa.Integer(), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
    )
    op.create_index("ix_complaints_agency_status", "complaints", ["agency", "status"])
    op.create_index("ix_complaints_status", "complaints", ["status"])
    op.create_index("ix_complaints_overdue_agency", "complaints", ["overdue", "agency"])
    op.create_table(
        "timeline",
        sa.Column("event_id", sa.String(), primary_key=True),
        sa.Column("tracking_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(), nullable=False),
        sa.Column("occurred_at", _INSTANT, nullable=False),
        sa.Column("actor", sa.String()),
        sa.Column("agency", sa.String()),
        sa.Column("summary", sa.String(), nullable=False),
        sa.Column("status", sa.String()),
        sa.UniqueConstraint("tracking_id", "position", name="uq_timeline_tracking_position"),
    )
    op.create_index("ix_timeline_agency_type", "timeline", ["agency", "record_type", "tracking_id"])
    op.create_table(
        "assignments",
        sa.Column("tracking_id", sa.String(), nullable=False),
        sa.Column("hop", sa.Integer(), nullable=False),
        sa.Column("agency", sa.String(), nullable=False),
        sa.Column("rule", sa.String()),
        sa.Column("reason", sa.String()),
        sa.Column("assigned_at", _INSTANT, nullable=False),
        sa.Column("ended_at", _INSTANT),
        sa.PrimaryKeyConstraint("tracking_id", "hop", "agency", name="pk_assignments"),
    )
    op.create_index("ix_assignments_agency", "assignments", ["agency", "tracking_id"])


def downgrade() -> None:
    op.drop_table("assignments")
    op.drop_table("timeline")
    op.drop_table("complaints")
