"""staff roles admin/kepala/petugas, config versions with history, the admin audit log

Revision ID: 0011
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE user_account SET role = 'petugas' WHERE role = 'officer'")
    with op.batch_alter_table("office_config") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        "office_config_version",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False, unique=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
    )
    op.create_table(
        "admin_change",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("site", sa.String(16), nullable=True),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
    )
    op.create_index("ix_admin_change_day_site", "admin_change", ["day", "site"])


def downgrade() -> None:
    op.drop_index("ix_admin_change_day_site", table_name="admin_change")
    op.drop_table("admin_change")
    op.drop_table("office_config_version")
    with op.batch_alter_table("office_config") as batch:
        batch.drop_column("version")
    op.execute("UPDATE user_account SET role = 'officer' WHERE role IN ('petugas', 'kepala')")
