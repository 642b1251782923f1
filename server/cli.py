"""``sahaja-server``: set up the database, manage devices and people, run the server."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from pathlib import Path

from sahaja.config import ConfigError
from sahaja.core.clock import SystemClock

DEMO_PASSWORD_ENV = "SAHAJA_DEMO_PASSWORD"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"  # = server.metrics.MULTIPROC_ENV (not imported here:
# prometheus_client reads it when first imported, which must happen in the workers after it)


def _database_url(args: argparse.Namespace) -> str:
    if args.database:
        return args.database
    if os.environ.get("SAHAJA_DATABASE_URL"):
        return os.environ["SAHAJA_DATABASE_URL"]

    from server.app import default_database_url

    return default_database_url(_instance_path())


def _instance_path() -> str:
    from flask import Flask

    instance = Flask("server", instance_relative_config=True).instance_path
    Path(instance).mkdir(parents=True, exist_ok=True)
    return instance


def _db(args: argparse.Namespace):
    from server.database import Database

    return Database.connect(_database_url(args))


def _accounts(args: argparse.Namespace):
    from server.accounts import Accounts
    from server.setup import stored_config

    db = _db(args)
    return Accounts(db, stored_config(db))


def cmd_init(args: argparse.Namespace) -> int:
    from server.setup import init_database

    config = init_database(_db(args), args.config, SystemClock().now())
    sites = ", ".join(config.sites)
    print(f"database ready: {len(config.sites)} sites ({sites}), {len(config.services)} services")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from server.serve import serve

    url = _database_url(args)
    os.environ["SAHAJA_DATABASE_URL"] = url
    if args.workers > 1 and not os.environ.get("SAHAJA_REDIS_URL"):
        raise SystemExit(
            "error: --workers above 1 needs SAHAJA_REDIS_URL, so every worker's events reach "
            "every client"
        )
    from server.database import Database
    from server.setup import stored_config

    db = Database.connect(url)
    stored_config(db)  # refuse to start on an uninitialised database
    db.dispose()  # the workers open their own connections after the fork
    async_mode = "gevent" if args.worker == "gevent" else "threading"
    if args.workers > 1:
        _metrics_across_workers()

    def make_app():
        from server.app import create_app
        from server.extensions import services, socketio, start_announcer
        from server.live import watch_revocations, watch_unauthenticated
        from server.midnight import start_checkpointer, start_midnight_rollover

        app = create_app({"DATABASE_URL": url, "ASYNC_MODE": async_mode})
        start_midnight_rollover(app)
        start_checkpointer(app)
        start_announcer(app)
        watch_revocations(app, socketio)
        from server.admin.live_config import watch_config

        watch_config(app, socketio)
        watch_unauthenticated(socketio, float(app.config["LIVE_AUTH_SECONDS"]))
        relay = services(app).relay
        if relay is not None:
            relay.start()
        return app

    max_live = int(os.environ.get("SAHAJA_LIVE_MAX_CONNECTIONS", "6000"))
    address = f"http://{args.host}:{args.port}/"
    if os.environ.get("SAHAJA_LOG_FORMAT") == "json":  # every line of the process is JSON
        logging.getLogger("server.cli").info("Sahaja Lekat server on %s", address)
    else:
        print(f"Sahaja Lekat server on {address}", flush=True)
    serve(
        make_app,
        args.host,
        args.port,
        workers=args.workers,
        worker=args.worker,
        threads=args.threads,
        max_live=max_live,
        verbose=args.verbose,
    )
    return 0


def _cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"[:80]
    except (OSError, KeyError):  # no user name in this environment
        return "cli"


def _audit(accounts, kind: str, detail: str, site: str | None) -> None:
    """An admin change made on the command line: in the audit log like the admin pages', and a
    log line (who ran it: the system user)."""
    from server.admin.config_store import record_change

    _admin_change(kind, detail=detail, site=site)

    with accounts.db.writing() as s:
        record_change(
            s,
            actor=_cli_actor(),
            kind=kind,
            detail=detail,
            now=SystemClock().now(),
            tz=accounts.config.tz,
            site=site,
        )


def cmd_device(args: argparse.Namespace) -> int:
    accounts = _accounts(args)
    now = SystemClock().now()
    try:
        if args.device_cmd == "revoke":
            site = next(
                (d["site"] for d in accounts.list_devices() if d["name"] == args.name), None
            )
            accounts.revoke_device(args.name, now)
            _audit(accounts, "device_revoke", args.name, site)
            print(f"revoked {args.name}")
        elif args.device_cmd == "add":
            token = accounts.add_device(args.name, args.site, args.role, args.counter, now)
            _audit(accounts, "device_add", f"{args.name} ({args.role})", args.site)
            print(token)
            print(
                f"(shown once) token of {args.role} device {args.name!r} at {args.site}",
                file=sys.stderr,
            )
        elif args.device_cmd == "list":
            for d in accounts.list_devices():
                print(json.dumps(d, ensure_ascii=False))
    finally:
        accounts.db.dispose()
    return 0


def _admin_change(name: str, /, **fields: object) -> None:
    """A log line for a change made with this command (who ran it: the system user)."""
    from server.logging_setup import event

    event(f"admin.{name}", by=f"system:{getpass.getuser()}", **fields)


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise SystemExit("error: the passwords differ")
    return first


def cmd_user(args: argparse.Namespace) -> int:

    accounts = _accounts(args)
    try:
        return _user_command(args, accounts)
    finally:
        accounts.db.dispose()


def _user_command(args: argparse.Namespace, accounts) -> int:
    from server.accounts import normalise_username, staff_role

    role = {"admin": "admin", "officer": "petugas"}.get(args.command) or args.role
    user = normalise_username(args.user)
    if args.user_cmd == "reset":
        accounts.reset_password(args.user, _password(args), SystemClock().now())
        _audit(accounts, "user_reset", user, None)
        print(f"password of {args.user!r} set; sign-in lock cleared; console sessions ended")
        return 0
    if args.user_cmd in ("lock", "unlock"):
        accounts.set_locked(args.user, args.user_cmd == "lock", SystemClock().now())
        _audit(accounts, f"user_{args.user_cmd}", user, None)
        done = "locked; console sessions ended" if args.user_cmd == "lock" else "unlocked"
        print(f"{args.user!r} {done}")
        return 0
    site = getattr(args, "site", None)
    accounts.add_user(args.user, _password(args), role, site, SystemClock().now())
    _audit(accounts, "user_add", f"{user} ({staff_role(role)})", site)
    print(f"{staff_role(role)} {user!r} added")
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    """``config export FILE`` writes the running config's TOML exactly as stored;
    ``config import FILE`` validates one and makes it the running config (a new version that
    every running server process picks up within seconds), refused if it would break today's
    queue."""
    from server.admin.config_store import current_text
    from server.setup import read_config_text, store_config_text, stored_config

    db = _db(args)
    if args.config_cmd == "export":
        stored_config(db)  # NotInitialised: one clear line
        text, version = current_text(db)
        if args.file == "-":
            sys.stdout.write(text)
        else:
            Path(args.file).write_text(text, encoding="utf-8")
            print(f"config version {version} written to {args.file}", file=sys.stderr)
        return 0
    stored_config(db)
    text, source = read_config_text(args.file)
    store_config_text(db, text, source, SystemClock().now(), actor="cli:config import")
    _, version = current_text(db)
    print(f"config imported from {args.file}: running version {version}")
    return 0


def _metrics_across_workers() -> None:
    """/metrics sums every worker's counters (prometheus_client's multiprocess mode): a
    fresh folder, set before any worker imports prometheus_client."""
    import tempfile

    if not os.environ.get(MULTIPROC_ENV):
        os.environ[MULTIPROC_ENV] = tempfile.mkdtemp(prefix="sahaja-metrics-")


def cmd_demo(args: argparse.Namespace) -> int:
    """The whole system on this machine: server, kiosk, board and a simulated day
    (server/demo/), open at any hour; Ctrl-C stops everything."""
    import signal

    from server.demo.supervisor import REPO_SCENARIO, Demo, DemoOptions, banner

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    url = _database_url(args)
    opts = DemoOptions(
        database_url=url,
        instance=Path(args.workdir or _instance_path()),
        config_path=args.config,
        host=args.host,
        port=args.port,
        scenario=None if args.scenario == "none" else Path(args.scenario or REPO_SCENARIO),
        speed=args.speed,
        devices=not args.no_devices,
        headless=True if args.headless else None,
        password=os.environ.get(DEMO_PASSWORD_ENV, "sahaja-demo"),
        run_args=["--workers", str(args.workers), "--worker", args.worker]
        + (["--verbose"] if args.verbose else []),
    )
    demo = Demo(opts)
    stop = {"now": False}

    def on_signal(signum, frame) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        demo.start(SystemClock().now())
        print(banner(demo), flush=True)
        return demo.wait(lambda: stop["now"])
    except RuntimeError as exc:
        print(f"sahaja-server demo: {exc}", file=sys.stderr)
        return 1
    finally:
        demo.stop()


def cmd_simulate(args: argparse.Namespace) -> int:
    """Run one simulated office day (docs/simulation.md) and print its figures as JSON."""
    from sahaja.config import load_config
    from server.simulation import load_scenario, run_day, summary
    from server.simulation.metrics import write_tickets_csv

    logging.getLogger("alembic").setLevel(logging.WARNING)  # stdout and stderr stay quiet
    config = load_config(args.config)
    scenario = load_scenario(args.scenario, config)
    result = run_day(scenario, config, args.config, seed=args.seed)
    if args.tickets_csv:
        with open(args.tickets_csv, "w", encoding="utf-8", newline="") as out:
            write_tickets_csv(result, out)
    print(json.dumps(summary(result), ensure_ascii=False))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """A consistent copy of the database while the server runs (server/backup.py)."""
    from server.backup import backup

    done = backup(_database_url(args), args.out)
    _admin_change("backup.written", file=str(done.path), bytes=done.bytes, kind=done.kind)
    print(f"backup written: {done.path} ({done.bytes} bytes, {done.kind})")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Put a backup in place of the database (refused on one with data without --force)."""
    from server.backup import restore

    url = _database_url(args)
    kind = restore(url, args.file, force=args.force)
    _admin_change("backup.restored", file=str(args.file), kind=kind)
    print(f"restored {args.file} ({kind}); the schema is at this version's head")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Figures of a range of days as JSON, CSV, XLSX or a printable PDF (docs/admin.md)."""
    from server.reports import command

    return command.run(args, _db(args))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sahaja-server", description="Sahaja Lekat queue server (Dukcapil Kabupaten Kediri)."
    )
    parser.add_argument(
        "--database", help="SQLAlchemy URL (default: $SAHAJA_DATABASE_URL or instance SQLite)"
    )
    parser.add_argument(
        "--log-format",
        choices=["text", "json"],
        help="log lines as readable text (default) or one JSON object per line "
        "(default: $SAHAJA_LOG_FORMAT or text)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p_backup = sub.add_parser(
        "backup", help="copy the database to a file while the server runs (docs/operations.md)"
    )
    p_backup.add_argument("--out", required=True, help="the backup file to write")
    p_backup.set_defaults(func=cmd_backup)
    p_restore = sub.add_parser(
        "restore", help="replace the database with a backup, then migrate it to this version"
    )
    p_restore.add_argument("file", help="a file written by `sahaja-server backup`")
    p_restore.add_argument(
        "--force", action="store_true", help="overwrite a database that holds data"
    )
    p_restore.set_defaults(func=cmd_restore)

    p_init = sub.add_parser("init", help="create or migrate the database and load the config")
    p_init.add_argument("--config", help="office config TOML (default: built-in Kediri)")
    p_init.set_defaults(func=cmd_init)

    def run_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=5000)
        p.add_argument("--verbose", action="store_true", help="log every request")
        p.add_argument(
            "--workers", type=int, default=1, help="worker processes (above 1 needs Redis)"
        )
        p.add_argument(
            "--worker",
            choices=["gevent", "gthread"],
            default="gevent",
            help="gevent (default): thousands of live clients per process; gthread: threads",
        )
        p.add_argument(
            "--threads",
            type=int,
            default=200,
            help="threads per gthread worker; each connected Socket.IO client holds one",
        )

    p_run = sub.add_parser("run", help="serve HTTP and Socket.IO")
    run_options(p_run)
    p_run.set_defaults(func=cmd_run)

    p_demo = sub.add_parser(
        "demo", help="the whole system at any hour: server, kiosk, board, a simulated day"
    )
    run_options(p_demo)
    p_demo.add_argument("--config", help="office config TOML (default: built-in Kediri)")
    p_demo.add_argument(
        "--scenario",
        help="simulated day to replay (default bench/scenarios/pre-monday-peak)"
        "; 'none' for no simulated citizens",
    )
    p_demo.add_argument("--speed", type=float, default=20.0, help="replay speed (20x)")
    p_demo.add_argument("--no-devices", action="store_true", help="start no kiosk and no board")
    p_demo.add_argument("--headless", action="store_true", help="no windows even with a display")
    p_demo.add_argument("--workdir", help="folder for the demo's config, tokens and logs")
    p_demo.set_defaults(func=cmd_demo)

    p_dev = sub.add_parser("device", help="manage device tokens")
    dsub = p_dev.add_subparsers(dest="device_cmd", required=True)
    p_add = dsub.add_parser("add", help="add a device and print its token once")
    p_add.add_argument("name")
    p_add.add_argument("--site", required=True)
    p_add.add_argument("--role", required=True, choices=["kiosk", "display", "counter"])
    p_add.add_argument("--counter", help="counter code at the site (role counter)")
    dsub.add_parser("list", help="list devices with their last-seen state")
    p_rev = dsub.add_parser("revoke", help="revoke a device's token")
    p_rev.add_argument("name")
    p_dev.set_defaults(func=cmd_device)

    people = (
        ("user", "manage staff accounts: admin, kepala (head of a site), petugas (counter)"),
        ("admin", "manage admin accounts"),
        ("officer", "manage counter staff (petugas)"),
    )
    for name, helptext in people:
        p_u = sub.add_parser(name, help=helptext)
        usub = p_u.add_subparsers(dest="user_cmd", required=True)
        p_uadd = usub.add_parser("add", help=f"add an {name} (password from a prompt)")
        p_uadd.add_argument("user")
        p_uadd.add_argument("--password-stdin", action="store_true")
        if name == "user":
            p_uadd.add_argument("--role", required=True, choices=["admin", "kepala", "petugas"])
            p_uadd.add_argument("--site", help="the site of a kepala or petugas")
        if name == "officer":
            p_uadd.add_argument("--site", required=True)
        p_reset = usub.add_parser(
            "reset", help="set a new password and lift a sign-in lock (any user)"
        )
        p_reset.add_argument("user")
        p_reset.add_argument("--password-stdin", action="store_true")
        p_lock = usub.add_parser(
            "lock", help="lock a user out of the console and end their sessions (any user)"
        )
        p_lock.add_argument("user")
        p_unlock = usub.add_parser("unlock", help="let a locked user sign in again")
        p_unlock.add_argument("user")
        p_u.set_defaults(func=cmd_user)

    p_cfg = sub.add_parser("config", help="export or import the office config (TOML)")
    csub = p_cfg.add_subparsers(dest="config_cmd", required=True)
    p_exp = csub.add_parser("export", help="write the running config to FILE ('-': stdout)")
    p_exp.add_argument("file")
    p_imp = csub.add_parser(
        "import", help="validate FILE and make it the running config (applies live)"
    )
    p_imp.add_argument("file")
    p_cfg.set_defaults(func=cmd_config)

    p_sim = sub.add_parser(
        "simulate", help="run a simulated office day and print its estimate accuracy as JSON"
    )
    p_sim.add_argument("scenario", help="scenario TOML (docs/simulation.md)")
    p_sim.add_argument("--config", help="office config TOML (default: built-in Kediri)")
    p_sim.add_argument("--seed", type=int, default=0, help="seed of the status codes")
    p_sim.add_argument("--tickets-csv", help="write one row per ticket to this CSV file")
    p_sim.set_defaults(func=cmd_simulate)

    from server.reports.arguments import add_parser as add_report_parser

    add_report_parser(sub).set_defaults(func=cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "worker", None) == "gevent":
        # before Flask, SQLAlchemy, redis and psycopg are imported (server/serve.py)
        from server import green

        green.patch()
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    from server.accounts import AccountError
    from server.backup import BackupError
    from server.logging_setup import FORMAT_ENV, configure
    from server.reports.arguments import ReportError
    from server.setup import NotInitialised
    from server.simulation.scenario import ScenarioError

    os.environ[FORMAT_ENV] = configure(args.log_format)  # worker processes log alike
    try:
        return args.func(args)
    except (
        ConfigError,
        AccountError,
        NotInitialised,
        ScenarioError,
        BackupError,
        ReportError,
    ) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (ArgumentError, NoSuchModuleError) as exc:
        print(f"error: bad database URL: {exc}", file=sys.stderr)
        return 2
    except OperationalError as exc:
        print(f"error: cannot reach the database: {exc.orig or exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
