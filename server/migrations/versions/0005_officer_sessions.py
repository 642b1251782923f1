"""console sign-in: server-side sessions, trusted browsers, per-address throttle, locked users

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _token_of_a_user() -> list[sa.Column]:
    """The columns both tables start with: a token's SHA-256, its user, when it was made."""
    return [
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("user_account.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "officer_session",
        *_token_of_a_user(),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_officer_session_user", "officer_session", ["user_id", "revoked_at"])
    op.create_table(
        "trusted_browser",
        *_token_of_a_user(),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "signin_throttle",
        sa.Column("address", sa.String(64), primary_key=True),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("previous_count", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("signin_throttle")
    op.drop_table("trusted_browser")
    op.drop_index("ix_officer_session_user", table_name="officer_session")
    op.drop_table("officer_session")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("disabled_at")
