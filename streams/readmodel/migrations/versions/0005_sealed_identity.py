"""The reporter's identity only sealed: case files keep the sealed identity (key id, nonce,
ciphertext) instead of the name, NIK, phone and e-mail in clear, and the complaint row no longer
keeps a public reporter's name.

The clear columns are dropped with what they held. A database file or a backup taken before this
revision still holds them: on SQLite, delete the file and let the worker rebuild it from
``complaints.events`` (``lapor-hub readmodel rebuild``); on PostgreSQL run ``VACUUM FULL`` on the
two tables after the upgrade (see the README, Privacy).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_CLEAR = ("reporter_name", "reporter_nik", "reporter_phone", "reporter_email")


def upgrade() -> None:
    with op.batch_alter_table("case_files") as batch:
        for name in _CLEAR:
            batch.drop_column(name)
        batch.add_column(sa.Column("identity_key_id", sa.String()))
        batch.add_column(sa.Column("identity_nonce", sa.LargeBinary()))
        batch.add_column(sa.Column("identity_ciphertext", sa.LargeBinary()))
        batch.add_column(sa.Column("location_private", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("complaints") as batch:
        batch.drop_column("reporter_name")


def downgrade() -> None:
    # The identities do not come back: they were in clear, and are gone.
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("reporter_name", sa.String()))
    with op.batch_alter_table("case_files") as batch:
        batch.drop_column("location_private")
        batch.drop_column("identity_ciphertext")
        batch.drop_column("identity_nonce")
        batch.drop_column("identity_key_id")
        for name in _CLEAR:
            batch.add_column(sa.Column(name, sa.String()))
