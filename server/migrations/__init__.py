"""Alembic migrations (run by ``sahaja-server init``)."""
