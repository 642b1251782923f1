"""Creating the database and loading an office's configuration into it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import inspect, select
from sqlalchemy.exc import SQLAlchemyError

from sahaja.config import Config, ConfigError, default_config_text, parse_config
from server.database import Database
from server.migrate import upgrade
from server.models import OfficeConfig, OfficeConfigVersion


class NotInitialised(RuntimeError):
    pass


def read_config_text(config_path: str | Path | None) -> tuple[str, str]:
    if config_path is None:
        return default_config_text(), "built-in kediri.toml"
    path = Path(config_path)
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc


def init_database(
    db: Database, config_path: str | Path | None, now: datetime, actor: str = "cli:init"
) -> Config:
    """Migrate the schema to head and store the (validated) config; tickets are kept.

    A new config may not pull the ground from under today's queue
    (``sahaja.core.config_change``): it is refused when it drops a site or service that still
    has open tickets or active devices, lowers a quota below today's issued count, or
    re-letters a service that already issued numbers today (the numbers would collide). A
    changed text becomes a new config version (history and audit kept, server/admin/).
    """
    text, source = read_config_text(config_path)
    return store_config_text(db, text, source, now, actor)


def store_config_text(db: Database, text: str, source: str, now: datetime, actor: str) -> Config:
    """``init --config`` and ``config import``: validate ``text`` and make it the running
    config (a new version when it differs); every server process picks it up live."""
    from server.admin.config_store import change_config

    config = parse_config(text, source=source)
    upgrade(db.write_engine)
    with db.writing() as s:
        if s.get(OfficeConfig, 1) is None:
            s.add(OfficeConfig(id=1, text=text, loaded_at=now, version=1))
            s.add(
                OfficeConfigVersion(
                    version=1, text=text, created_at=now, created_by=actor, summary=source
                )
            )
            return config
    change_config(db, lambda _old: text, actor=actor, summary=source, now=now, source=source)
    return config


def stored_config(db: Database) -> Config:
    try:
        with db.reading() as s:
            if not inspect(s.connection()).has_table(OfficeConfig.__tablename__):
                raise NotInitialised("the database is not initialised: run `sahaja-server init`")
            row = s.scalars(select(OfficeConfig).where(OfficeConfig.id == 1)).first()
    except SQLAlchemyError as exc:
        raise NotInitialised(f"cannot read the database: {exc.__class__.__name__}: {exc}") from exc
    if row is None:
        raise NotInitialised("the database is not initialised: run `sahaja-server init`")
    return parse_config(row.text, source="stored config")
