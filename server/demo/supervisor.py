"""Starts the demo's processes (server, kiosk, board), the replay of a day, and stops them.

Each device runs as its own process, exactly as on a Raspberry Pi, so the demo shows the real
thing; this module only starts them, says where everything is, and stops them all together
on Ctrl-C (or when the server stops).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests

from sahaja.config import Config
from server.demo.citizens import DayReplay
from server.demo.office import demo_config_text
from server.simulation.scenario import Scenario

log = logging.getLogger("sahaja.demo")

REPO_SCENARIO = Path(__file__).resolve().parents[2] / "bench" / "scenarios" / "pre-monday-peak.toml"
HEALTH_TIMEOUT = 60.0
STOP_GRACE = 5.0


@dataclass
class DemoOptions:
    database_url: str
    instance: Path  # where the demo writes its config and logs
    config_path: str | None  # the office config to open for the demo (None: built-in Kediri)
    host: str = "127.0.0.1"
    port: int = 5000
    scenario: Path | None = REPO_SCENARIO
    speed: float = 20.0
    devices: bool = True  # start a kiosk and a board
    headless: bool | None = None  # None: windows when a display exists
    password: str = "sahaja-demo"
    run_args: list[str] = field(default_factory=list)  # passed on to ``sahaja-server run``


@dataclass
class DemoTokens:
    devices: dict[str, str]  # device name -> token
    officers: list[str]


def has_display(env: dict[str, str]) -> bool:
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def lan_address() -> str | None:
    """This machine's address on the LAN (no packet is sent), for the device commands."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            return s.getsockname()[0]
        except OSError:
            return None


def prepare(opts: DemoOptions, now) -> tuple[Config, DemoTokens]:
    """The database with the demo office config, demo devices (new tokens) and officers."""
    from server.accounts import AccountError, Accounts
    from server.database import Database
    from server.setup import init_database, read_config_text

    text, source = read_config_text(opts.config_path)
    demo_path = opts.instance / "demo-office.toml"
    demo_path.write_text(demo_config_text(text, source), encoding="utf-8")
    db = Database.connect(opts.database_url)
    try:
        config = init_database(db, demo_path, now)
        accounts = Accounts(db, config)
        tokens: dict[str, str] = {}
        for site in config.sites.values():
            wanted = [
                (f"kiosk-{site.code}", "kiosk", None),
                (f"display-{site.code}", "display", None),
            ]
            wanted += [(f"counter-{c.id}", "counter", c.code) for c in site.counters]
            wanted.append((f"demo-citizens-{site.code}", "kiosk", None))
            for name, role, counter in wanted:
                try:
                    tokens[name] = accounts.add_device(name, site.code, role, counter, now)
                except AccountError:
                    tokens[name] = accounts.rotate_device(name, now)
        officers = []
        for site in config.sites.values():
            name = f"petugas-{site.code.lower()}"
            with contextlib.suppress(AccountError):  # kept from an earlier demo start
                accounts.add_user(name, opts.password, "petugas", site.code, now)
            officers.append(name)
    finally:
        db.dispose()
    return config, DemoTokens(tokens, officers)


def voice_pack(env: dict[str, str]) -> Path | None:
    """The board's default voice pack, built on the first run; None without espeak-ng."""
    from display.settings import default_voice_pack

    pack = default_voice_pack()
    if (pack / "manifest.json").exists():
        return pack
    if shutil.which("espeak-ng") is None:
        log.warning("demo: espeak-ng is not installed: the board will not speak")
        return None
    print(f"Building the board's voice pack in {pack} (first run only)...", flush=True)
    done = subprocess.run(
        [sys.executable, "-m", "display.cli", "voice", "build", "--out", str(pack)], env=env
    )
    return pack if done.returncode == 0 else None


class Demo:
    """The running demo: child processes and the replay; ``stop`` ends them all."""

    def __init__(self, opts: DemoOptions, env: dict[str, str] | None = None) -> None:
        self.opts = opts
        self.env = dict(env if env is not None else os.environ)
        self.url = f"http://127.0.0.1:{opts.port}"
        self.children: dict[str, subprocess.Popen] = {}
        self.replay: DayReplay | None = None
        self.config: Config | None = None
        self.tokens: DemoTokens | None = None
        self.voice: Path | None = None
        self._stopped = threading.Event()
        self._loaded: tuple[Scenario | None] | None = None

    @property
    def tokens_file(self) -> Path:
        return self.opts.instance / "demo-tokens.txt"

    @property
    def headless(self) -> bool:
        return self.opts.headless if self.opts.headless is not None else not has_display(self.env)

    def start(self, now) -> Demo:
        self.opts.instance.mkdir(parents=True, exist_ok=True)
        self.config, self.tokens = prepare(self.opts, now)
        self.tokens_file.write_text(
            "".join(f"{name} {token}\n" for name, token in sorted(self.tokens.devices.items()))
        )
        self.tokens_file.chmod(0o600)
        server_env = {**self.env, "SAHAJA_DATABASE_URL": self.opts.database_url}
        self._spawn(
            "server",
            [
                sys.executable, "-m", "server.cli", "run",
                "--host", self.opts.host, "--port", str(self.opts.port), *self.opts.run_args,
            ],
            server_env,
        )  # fmt: skip
        self._wait_healthy()
        if self.opts.devices:
            self._start_devices()
        self._start_replay()
        return self

    def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        logfile = open(self.opts.instance / f"demo-{name}.log", "ab")  # noqa: SIM115 (child's)
        self.children[name] = subprocess.Popen(
            argv, env=env, stdout=logfile, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        logfile.close()  # the child holds its own copy

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + HEALTH_TIMEOUT
        server = self.children["server"]
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError(
                    f"the server stopped (exit {server.returncode}); see "
                    f"{self.opts.instance / 'demo-server.log'}"
                )
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.url}/api/v1/health", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"the server did not answer within {HEALTH_TIMEOUT:.0f} s")

    def device_env(self) -> dict[str, str]:
        env = dict(self.env)
        if self.headless:
            env.setdefault("SDL_VIDEODRIVER", "dummy")
            env.setdefault("SDL_AUDIODRIVER", "dummy")
        return env

    def _start_devices(self) -> None:
        assert self.tokens is not None
        site = self.scenario_site()
        env = self.device_env()
        self.voice = voice_pack(env)
        # tokens go by environment, not argv: a command line is readable by every local user
        env["SAHAJA_SERVER_URL"] = self.url
        kiosk_env = {**env, "SAHAJA_DEVICE_TOKEN": self.tokens.devices[f"kiosk-{site}"]}
        self._spawn(
            "kiosk",
            [sys.executable, "-m", "kiosk.cli", "--windowed", "--size", "1024x600"],
            kiosk_env,
        )
        board_env = {**env, "SAHAJA_DEVICE_TOKEN": self.tokens.devices[f"display-{site}"]}
        board = ["--voice-pack", str(self.voice)] if self.voice else ["--no-sound"]
        self._spawn(
            "board", [sys.executable, "-m", "display.cli", *board, "--size", "1280x720"], board_env
        )

    def scenario_site(self) -> str:
        scenario = self._scenario()
        if scenario is not None:
            return scenario.site.code
        assert self.config is not None
        return "PRE" if "PRE" in self.config.sites else next(iter(self.config.sites))

    def _scenario(self) -> Scenario | None:
        from server.simulation import load_scenario

        if self._loaded is None:
            if self.opts.scenario is None or not Path(self.opts.scenario).exists():
                self._loaded = (None,)
            else:
                assert self.config is not None
                self._loaded = (load_scenario(self.opts.scenario, self.config),)
        return self._loaded[0]

    def _start_replay(self) -> None:
        scenario = self._scenario()
        if scenario is None:
            log.warning("demo: no scenario to replay: the office waits for your own tickets")
            return
        assert self.config is not None and self.tokens is not None
        site = scenario.site.code
        counters = {
            c.id: self.tokens.devices[f"counter-{c.id}"]
            for c in scenario.site.counters
            if f"counter-{c.id}" in self.tokens.devices
        }
        self.replay = DayReplay(
            self.url,
            scenario,
            self.config,
            kiosk_token=self.tokens.devices[f"demo-citizens-{site}"],
            counter_tokens=counters,
            speed=self.opts.speed,
        ).start()

    def wait(self, should_stop: Callable[[], bool] = lambda: False) -> int:
        """Until a signal, ``should_stop`` or the server's own end; the server's exit code."""
        server = self.children["server"]
        while not self._stopped.is_set() and not should_stop():
            if server.poll() is not None:
                return server.returncode
            self._stopped.wait(0.5)
        return 0

    def stop(self) -> None:
        self._stopped.set()
        if self.replay is not None:
            self.replay.close()
        for name in ("board", "kiosk", "server"):  # devices first: the server sees them go
            child = self.children.get(name)
            if child is None or child.poll() is not None:
                continue
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(STOP_GRACE)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def banner(demo: Demo) -> str:
    """What the visitor reads: what runs, every URL, the commands for real devices."""
    assert demo.config is not None and demo.tokens is not None
    opts = demo.opts
    site = demo.scenario_site()
    shown_host = lan_address() if opts.host in ("0.0.0.0", "::") else opts.host
    url = f"http://{shown_host or '127.0.0.1'}:{opts.port}"
    lines = [
        "",
        "Sahaja Lekat demo",
        "=================",
        "DEMO: every service point is open 24 hours, 7 days, with no breaks and no holidays",
        "      (the office config with its hours opened; the real hours apply outside the demo).",
        "",
        f"Server          {url}/   (SQLite: {opts.database_url})",
        f"Staff console   {url}/console/   officers "
        + ", ".join(demo.tokens.officers)
        + f", password '{opts.password}' (${'SAHAJA_DEMO_PASSWORD'})",
        f"Service point   {url}/s/{site}   (the citizens' page of {site})",
        f"API             {url}/api/v1/openapi.json",
    ]
    if demo.replay is not None:
        scenario = demo.replay.scenario
        lines += [
            "",
            f"Simulated day   {len(scenario.arrivals)} citizens and {len(scenario.counters)} "
            f"officers of {site} replayed {opts.speed:g}x faster than real time",
            f"                ({Path(opts.scenario or '').name}); the first calls come within "
            "a minute.",
        ]
    if opts.devices:
        where = "headless (no display found: SDL dummy drivers)" if demo.headless else "in windows"
        sound = "speaking" if demo.voice else "silent (no voice pack: install espeak-ng)"
        lines += [
            "",
            f"Kiosk and board of {site} run {where}; the board is {sound}.",
            f"Logs: {opts.instance}/demo-*.log",
        ]
    lines += [
        "",
        "Connect a real device (tokens change at every demo start):",
        f"  kiosk   sahaja-kiosk --server-url {url} --token {demo.tokens.devices[f'kiosk-{site}']}",
        f"  board   sahaja-display --server-url {url} "
        f"--token {demo.tokens.devices[f'display-{site}']}",
    ]
    worked = {shift.counter.id for shift in demo.replay.scenario.counters} if demo.replay else set()
    counters = demo.config.sites[site].counters
    free = [c for c in counters if c.id not in worked] or list(counters)
    if free:
        lines.append(
            f"  box     sahaja-counter --server-url {url} "
            f"--token {demo.tokens.devices[f'counter-{free[0].id}']} --counter {free[0].id} "
            "--mock-pins"
        )
        shared = " (a simulated officer works it too)" if free[0].id in worked else ""
        lines.append(f"          drop --mock-pins on a Pi with buttons{shared}")
    lines += [
        f"  every demo device's token: {demo.tokens_file}",
        "",
        "Stop everything with Ctrl-C.",
        "",
    ]
    return "\n".join(lines)
