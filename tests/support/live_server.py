"""A real ``sahaja-server run`` process for end-to-end tests (kill -9 included)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

OPEN_ALL_DAY = Path(__file__).with_name("open_all_day.toml")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def device_state(db_path: Path | str, name: str) -> dict | None:
    """The last health report the server stored for a device (read from its SQLite file)."""
    import json
    import sqlite3

    with sqlite3.connect(db_path) as db:
        row = db.execute("SELECT state FROM device WHERE name = ?", (name,)).fetchone()
    return json.loads(row[0]) if row and row[0] else None


class LiveServer:
    """Start with ``with LiveServer(tmp_path) as srv:``; ``srv.url`` is the base URL."""

    def __init__(
        self,
        tmp_path: Path,
        config_text: str | None = None,
        database_url: str | None = None,
        port: int | None = None,
        env: dict[str, str] | None = None,
        run_args: tuple[str, ...] = (),
    ) -> None:
        self.run_args = run_args
        self.tmp_path = Path(tmp_path)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url or f"sqlite:///{self.tmp_path / 'live.db'}"
        if config_text is None:
            self.config_path = OPEN_ALL_DAY
        else:
            self.config_path = self.tmp_path / "office.toml"
            self.config_path.write_text(config_text, encoding="utf-8")
        self.env = {**os.environ, "SAHAJA_DATABASE_URL": self.database_url, **(env or {})}
        self.env.setdefault("SAHAJA_SECRET_KEY", "live-server-test-key")
        self.proc: subprocess.Popen | None = None
        self.log_path = self.tmp_path / f"server-{self.port}.log"
        self._cli("init", "--config", str(self.config_path))

    def _cli(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "server.cli", *args],
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0:
            raise RuntimeError(f"sahaja-server {' '.join(args)} failed: {done.stderr}")
        return done.stdout

    def add_device(self, name: str, site: str, role: str, counter: str | None = None) -> str:
        args = ["device", "add", name, "--site", site, "--role", role]
        if counter:
            args += ["--counter", counter]
        return self._cli(*args).strip().splitlines()[0]

    def device_state(self, name: str) -> dict | None:
        """The last health report of device ``name`` (SQLite databases only)."""
        return device_state(self.database_url.removeprefix("sqlite:///"), name)

    def add_officer(self, user: str, password: str, site: str) -> None:
        self._cli("officer", "add", user, "--site", site, "--password-stdin", stdin=password + "\n")

    def start(self, timeout: float = 20.0) -> LiveServer:
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child keeps it
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "run", "--port", str(self.port), *self.run_args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill() takes the workers too
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-2000:]}")
            try:
                if requests.get(f"{self.url}/api/v1/health", timeout=1).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"server did not start: {self.log_path.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
        self.proc = None

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, as in a power switch for the process."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
        self.proc = None

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
