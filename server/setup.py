"""Creating the database and loading an office's configuration into it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from sahaja.config import Config, default_config_text, parse_config
from server.database import Database
from server.migrate import upgrade
from server.models import OfficeConfig


class NotInitialised(RuntimeError):
    pass


def init_database(db: Database, config_path: str | Path | None, now: datetime) -> Config:
    """Migrate the schema to head and store the (validated) config; tickets are kept."""
    if config_path is None:
        text = default_config_text()
        config = parse_config(text, source="built-in kediri.toml")
    else:
        text = Path(config_path).read_text(encoding="utf-8")
        config = parse_config(text, source=str(config_path))
    upgrade(db.write_engine)
    with db.writing() as s:
        row = s.get(OfficeConfig, 1)
        if row is None:
            s.add(OfficeConfig(id=1, text=text, loaded_at=now))
        else:
            row.text = text
            row.loaded_at = now
    return config


def stored_config(db: Database) -> Config:
    try:
        with db.reading() as s:
            row = s.scalars(select(OfficeConfig).where(OfficeConfig.id == 1)).first()
    except Exception as exc:  # no table yet
        raise NotInitialised("the database is not initialised: run `sahaja-server init`") from exc
    if row is None:
        raise NotInitialised("the database is not initialised: run `sahaja-server init`")
    return parse_config(row.text, source="stored config")
