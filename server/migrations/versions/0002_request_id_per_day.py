"""request_id is unique per site and day, not per site forever

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket") as batch:
        batch.drop_constraint("uq_ticket_request", type_="unique")
        batch.create_unique_constraint("uq_ticket_request_per_day", ["site", "day", "request_id"])


def downgrade() -> None:
    with op.batch_alter_table("ticket") as batch:
        batch.drop_constraint("uq_ticket_request_per_day", type_="unique")
        batch.create_unique_constraint("uq_ticket_request", ["site", "request_id"])
