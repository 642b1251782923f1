"""document stages: a finished ticket's document from received to collected (or rejected)

Revision ID: 0009
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket") as table:
        table.add_column(sa.Column("document_stage", sa.String(16), nullable=True))
        table.add_column(
            sa.Column("document_stage_at", sa.DateTime(timezone=True), nullable=True)
        )
        table.add_column(
            sa.Column("document_ready_at", sa.DateTime(timezone=True), nullable=True)
        )
        table.add_column(sa.Column("document_reject_reason", sa.String(200), nullable=True))
    op.create_index("ix_ticket_document", "ticket", ["site", "document_stage", "day"])
    # Tickets finished before there were stages: their document was received at the finish.
    op.execute(
        "UPDATE ticket SET document_stage = 'received', document_stage_at = finished_at "
        "WHERE status = 'finished' AND document_stage IS NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_ticket_document", table_name="ticket")
    with op.batch_alter_table("ticket") as table:
        table.drop_column("document_reject_reason")
        table.drop_column("document_ready_at")
        table.drop_column("document_stage_at")
        table.drop_column("document_stage")
