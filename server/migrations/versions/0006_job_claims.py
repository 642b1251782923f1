"""job claims: a periodic job (the midnight rollover) runs once across server processes

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_claim",
        sa.Column("job", sa.String(40), primary_key=True),
        sa.Column("slot", sa.String(40), primary_key=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("holder", sa.String(80), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("job_claim")
