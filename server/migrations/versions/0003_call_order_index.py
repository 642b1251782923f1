"""indexes in call order and of skipped tickets, so "next" reads few rows at any queue length

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_ticket_call_order",
        "ticket",
        ["site", "day", "status", "service", sa.text("priority DESC"), "issued_at", "id"],
    )
    op.create_index(
        "ix_ticket_skipped", "ticket", ["site", "day", "status", "eligible_after_call"]
    )


def downgrade() -> None:
    op.drop_index("ix_ticket_skipped", table_name="ticket")
    op.drop_index("ix_ticket_call_order", table_name="ticket")
