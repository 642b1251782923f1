"""Create or upgrade the schema with Alembic; existing tickets are kept."""

from __future__ import annotations

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine


def alembic_config(engine: Engine) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", "server:migrations")
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine) -> None:
    cfg = alembic_config(engine)
    if engine.dialect.name == "sqlite":
        _upgrade_sqlite(engine, cfg)
        return
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def _upgrade_sqlite(engine: Engine, cfg: AlembicConfig) -> None:
    """SQLite's batch migrations copy a table and drop the old one; with foreign keys on, the
    drop fails as soon as another table's rows point at it (a database with tickets and
    audit rows). Foreign keys are turned off for the migration (the pragma only acts outside
    a transaction), checked before it commits, and turned on again."""
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                cfg.attributes["connection"] = connection
                command.upgrade(cfg, "head")
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"the migration left dangling references: {broken[:5]}")
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def revision(engine: Engine, message: str) -> None:
    """Developer helper: autogenerate a migration from the models."""
    cfg = alembic_config(engine)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.revision(cfg, message=message, autogenerate=True, rev_id=None)
