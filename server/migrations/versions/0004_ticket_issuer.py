"""the issuing kiosk is recorded on each ticket: only it may void the ticket

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
    op.add_column("ticket", sa.Column("issuer_device_id", sa.Integer(), nullable=True))
    # Tickets issued before: their audit actor "device:<name>" names the kiosk.
    op.execute(
        "UPDATE ticket SET issuer_device_id = (SELECT device.id FROM device"
        " WHERE 'device:' || device.name = ticket.issued_by)"
        " WHERE issued_by LIKE 'device:%'"
    )


def downgrade() -> None:
    with op.batch_alter_table("ticket") as batch:
        batch.drop_column("issuer_device_id")
