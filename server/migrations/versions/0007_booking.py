"""online booking: the booking table, and the booking columns of a checked-in ticket

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ACTIVE = sa.text("status IN ('booked', 'checked_in')")


def upgrade() -> None:
    op.create_table(
        "booking",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(16), nullable=False, unique=True),
        sa.Column("site", sa.String(16), nullable=False),
        sa.Column("service", sa.String(16), nullable=False),
        sa.Column("kecamatan", sa.String(16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("nik_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("ticket.id"), nullable=True),
    )
    op.create_index(
        "ix_booking_window", "booking", ["site", "day", "service", "window_start", "status"]
    )
    op.create_index(
        "uq_booking_active_nik_day",
        "booking",
        ["nik_hash", "day"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )
    op.add_column("ticket", sa.Column("booking_code", sa.String(16), nullable=True))
    op.add_column("ticket", sa.Column("booked_from", sa.DateTime(timezone=True), nullable=True))
    op.add_column("ticket", sa.Column("booked_to", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ticket") as batch:
        batch.drop_column("booked_to")
        batch.drop_column("booked_from")
        batch.drop_column("booking_code")
    op.drop_index("uq_booking_active_nik_day", table_name="booking")
    op.drop_index("ix_booking_window", table_name="booking")
    op.drop_table("booking")
