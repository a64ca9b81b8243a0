"""What staff work with: the case file (identity, location, attachments, reporter token hash),
the current deadline, who acted on each event, and the audit trail of authenticated requests.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_INSTANT = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("due_at", _INSTANT))
    with op.batch_alter_table("timeline") as batch:
        batch.add_column(sa.Column("actor_subject", sa.String()))
    op.create_table(
        "case_files",
        sa.Column("tracking_id", sa.String(), primary_key=True),
        sa.Column("reporter_token_hash", sa.String()),
        sa.Column("reporter_name", sa.String()),
        sa.Column("reporter_nik", sa.String()),
        sa.Column("reporter_phone", sa.String()),
        sa.Column("reporter_email", sa.String()),
        sa.Column("address", sa.String()),
        sa.Column("lat", sa.Float()),
        sa.Column("lon", sa.Float()),
        sa.Column("attachments", sa.Text(), nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("event_id", sa.String(), primary_key=True),
        sa.Column("occurred_at", _INSTANT, nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("agency", sa.String()),
        sa.Column("issuer", sa.String()),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("method", sa.String(), nullable=False),
        sa.Column("route", sa.String(), nullable=False),
        sa.Column("tracking_id", sa.String()),
        sa.Column("target_agency", sa.String()),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("client_address", sa.String()),
    )
    op.create_index("ix_audit_log_occurred_at", "audit_log", ["occurred_at"])
    op.create_index("ix_audit_log_actor", "audit_log", ["actor", "occurred_at"])
    op.create_index("ix_audit_log_tracking_id", "audit_log", ["tracking_id"])


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("case_files")
    with op.batch_alter_table("timeline") as batch:
        batch.drop_column("actor_subject")
    with op.batch_alter_table("complaints") as batch:
        batch.drop_column("due_at")
