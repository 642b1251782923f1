"""Creating the database and loading an office's configuration into it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import func, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from sahaja import protocol as p
from sahaja.config import Config, ConfigError, default_config_text, parse_config
from sahaja.core.calendar import local_day
from server.database import Database
from server.migrate import upgrade
from server.models import Device, OfficeConfig, Ticket


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


def init_database(db: Database, config_path: str | Path | None, now: datetime) -> Config:
    """Migrate the schema to head and store the (validated) config; tickets are kept.

    A new config may not pull the ground from under today's queue: it is refused when it drops
    a site or service that still has open tickets or active devices, or re-letters a service
    that already issued numbers today (the numbers would collide).
    """
    text, source = read_config_text(config_path)
    config = parse_config(text, source=source)
    upgrade(db.write_engine)
    with db.writing() as s:
        row = s.get(OfficeConfig, 1)
        if row is not None:
            _check_compatible(s, parse_config(row.text, "stored config"), config, now)
            row.text = text
            row.loaded_at = now
        else:
            s.add(OfficeConfig(id=1, text=text, loaded_at=now))
    return config


def _check_compatible(session, old: Config, new: Config, now: datetime) -> None:
    today = local_day(now, new.tz)
    problems: list[str] = []
    open_tickets = session.execute(
        select(Ticket.site, Ticket.service, func.count())
        .where(Ticket.status.in_(p.OPEN_STATUSES))
        .group_by(Ticket.site, Ticket.service)
    ).all()
    for site, service, n in open_tickets:
        if site not in new.sites:
            problems.append(f"site {site} is removed but has {n} open ticket(s)")
        elif service not in new.sites[site].services:
            problems.append(f"service {service} is removed at {site} but has {n} open ticket(s)")
    devices = session.execute(
        select(Device.name, Device.site, Device.counter_id).where(Device.revoked_at.is_(None))
    ).all()
    for name, site, counter_id in devices:
        if site not in new.sites:
            problems.append(f"site {site} is removed but device {name!r} is active (revoke it)")
        elif counter_id and new.counter(counter_id) is None:
            problems.append(f"counter {counter_id} is removed but device {name!r} is active")
    used_today = session.scalars(
        select(Ticket.issued_service).where(Ticket.day == today).distinct()
    ).all()
    for code in used_today:
        before, after = old.services.get(code), new.services.get(code)
        if before and after and before.prefix != after.prefix:
            problems.append(
                f"service {code} changes prefix {before.prefix}->{after.prefix} "
                "after issuing numbers today (change it after closing time)"
            )
    if problems:
        raise ConfigError(
            "refused, today's queue depends on the current config: " + "; ".join(problems)
        )


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
