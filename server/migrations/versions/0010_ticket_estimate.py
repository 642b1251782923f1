"""ticket estimate: the estimated call time and window given at issue, for accuracy reports

Revision ID: 0010
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

COLUMNS = ("estimated_call_at", "estimate_from", "estimate_to")


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column("ticket", sa.Column(name, sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ticket") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
