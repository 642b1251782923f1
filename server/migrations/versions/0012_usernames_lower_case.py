"""user names are case-insensitive: fold existing names to lower case

Sign-in, ``officer add`` and the lock/unlock commands look names up in lower case
(``server.accounts.normalise_username``); older rows may hold capitals. Two names that differ
only by case cannot both be kept: the migration stops and names them, so an admin renames
one first (nothing is changed until then).

Revision ID: 0012
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

users = sa.table("user_account", sa.column("id", sa.Integer), sa.column("username", sa.String))


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(users.c.id, users.c.username)).all()
    by_folded: dict[str, list[str]] = {}
    for _id, name in rows:
        by_folded.setdefault(name.strip().lower(), []).append(name)
    clashes = sorted(sorted(names) for names in by_folded.values() if len(names) > 1)
    if clashes:
        raise RuntimeError(
            "user names that differ only by case cannot be kept apart any more; rename one of "
            f"each first: {clashes}"
        )
    for user_id, name in rows:
        folded = name.strip().lower()
        if folded != name:
            conn.execute(users.update().where(users.c.id == user_id).values(username=folded))


def downgrade() -> None:
    pass  # the original capitals are not kept; lower-case names work on the older code too
