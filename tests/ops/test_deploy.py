"""deploy/: the systemd units pass ``systemd-analyze verify`` (or, without systemd, a parse
of what each must say), the udev rule parses, and the Grafana dashboard asks only for metrics
the server exposes."""

from __future__ import annotations

import argparse
import json
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service")) + sorted(
    (DEPLOY / "systemd").glob("*.timer")
)
LONG_RUNNING = ["sahaja-server", "sahaja-kiosk", "sahaja-display", "sahaja-counter"]


def unit(path: Path) -> dict[str, dict[str, str]]:
    """A unit file's sections; a key given twice accumulates (``After=``, ``Environment=``)
    as systemd does, joined by a space."""
    sections: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}: not KEY=VALUE: {raw}"
        current[key] = f"{current[key]} {value}" if key in current else value
    return sections


def test_there_is_a_unit_for_every_program_and_the_daily_backup():
    names = {p.name for p in UNITS}
    assert {f"{n}.service" for n in LONG_RUNNING} <= names
    assert {"sahaja-backup.service", "sahaja-backup.timer"} <= names


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_analyze_verify_finds_nothing(tmp_path):
    """The units as installed, with the programs' path pointed at this checkout's
    environment (verify checks that each ExecStart is executable)."""
    programs = Path(sys.executable).parent
    for path in UNITS:
        text = path.read_text(encoding="utf-8").replace("/opt/sahaja/venv/bin/", f"{programs}/")
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *sorted(p.name for p in tmp_path.iterdir())],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "", done.stderr  # unknown keys are only warnings: none


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_each_program_restarts_runs_unprivileged_after_the_network(name):
    parsed = unit(DEPLOY / "systemd" / f"{name}.service")
    service = parsed["Service"]
    assert service["Restart"] in ("on-failure", "always")
    assert service["User"] == "sahaja" and service["Group"] == "sahaja"
    assert service["NoNewPrivileges"] == "yes"
    assert "network-online.target" in parsed["Unit"]["After"]
    assert "network-online.target" in parsed["Unit"]["Wants"]
    assert service["ExecStart"].startswith(f"/opt/sahaja/venv/bin/{name}")
    assert service["Type"] == "notify"  # started only once the program says it is ready
    if name != "sahaja-server":  # the devices ping from their loops (devicelink/systemd.py)
        assert int(service["WatchdogSec"]) >= 10 and service["Restart"] == "always"
    assert parsed["Install"]["WantedBy"] == "multi-user.target"


def test_kiosk_and_board_take_the_screen_without_a_desktop():
    for name in ("sahaja-kiosk", "sahaja-display"):
        parsed = unit(DEPLOY / "systemd" / f"{name}.service")
        assert "SDL_VIDEODRIVER=kmsdrm" in parsed["Service"]["Environment"]
        assert "--fullscreen" in parsed["Service"]["ExecStart"]
        assert "getty@tty1.service" in parsed["Unit"]["Conflicts"]


def test_the_backup_timer_runs_daily_and_catches_up():
    timer = unit(DEPLOY / "systemd" / "sahaja-backup.timer")["Timer"]
    assert re.fullmatch(r"\*-\*-\* \d\d:\d\d:\d\d", timer["OnCalendar"])
    assert timer["Persistent"] == "true"
    service = unit(DEPLOY / "systemd" / "sahaja-backup.service")["Service"]
    assert service["Type"] == "oneshot"
    assert "sahaja-server backup --out" in service["ExecStart"]


def test_the_udev_rule_parses():
    pair = re.compile(r'^\s*([A-Za-z_]+(?:\{[^}]+\})?)\s*(==|!=|=|\+=|:=)\s*"([^"]*)"\s*$')
    rules = [
        line
        for line in (DEPLOY / "udev" / "99-sahaja-escpos.rules").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert rules
    for line in rules:
        parts = line.split(", ")
        assert all(pair.match(part) for part in parts), line
        if "GROUP" in line:
            assert 'GROUP="lp"' in line and 'MODE="0660"' in line


def test_the_public_proxy_publishes_only_the_citizens_pages():
    caddy = (DEPLOY / "caddy" / "Caddyfile").read_text()
    public = caddy.split("antrian.dukcapil.kedirikab.go.id {", 1)[1].split("\n}", 1)[0]
    assert "@public path /t/* /s/* /static/public/*" in public
    assert 'respond "Not found" 404' in public


def test_the_dashboard_uses_only_metrics_the_server_exposes(client):
    """``client`` is the app of tests/ops/conftest.py: its /metrics lists every family."""
    exposed = client.get("/metrics").get_data(as_text=True)
    families = set(re.findall(r"^# TYPE (\S+) (\S+)", exposed, re.M))
    names = set()
    for family, kind in families:
        names.add(family)
        if kind == "counter":
            names.add(f"{family}_total")
        if kind == "histogram":
            names |= {f"{family}_bucket", f"{family}_sum", f"{family}_count"}
    dashboard = json.loads((DEPLOY / "grafana" / "sahaja-lekat.json").read_text())
    asked = set()
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            asked |= set(re.findall(r"\b(sahaja_[a-z_]+)\b", target["expr"]))
    assert asked, "the dashboard has no queries"
    assert asked <= names, asked - names


def parser_of(command: str) -> argparse.ArgumentParser:
    """The argument parser each command's ``main`` uses."""
    if command == "sahaja-server":
        from server.cli import build_parser

        return build_parser()
    if command == "sahaja-kiosk":
        from kiosk.settings import build_parser

        return build_parser()
    if command == "sahaja-display":
        from display.cli import _parser

        return _parser()
    from counter.settings import build_parser

    return build_parser("id")


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_exec_lines_name_our_commands_with_options_they_accept(name: str) -> None:
    path = DEPLOY / "systemd" / f"{name}.service"
    root = DEPLOY.parent
    scripts = tomllib.loads((root / "pyproject.toml").read_text())["project"]["scripts"]
    service = unit(path).get("Service", {})
    for key in ("ExecStartPre", "ExecStart"):
        if key not in service:
            continue
        argv = shlex.split(service[key])
        if argv[:2] == ["/bin/sh", "-c"]:  # a shell line: our command is the one it execs
            words = shlex.split(argv[2])
            argv = words[[w.startswith("/opt/sahaja/") for w in words].index(True) :]
        command = argv[0].removeprefix("/opt/sahaja/venv/bin/")
        assert command in scripts, command
        parser = parser_of(command)
        parser.error = lambda message, line=service[key]: pytest.fail(f"{line}: {message}")
        parser.parse_args(argv[1:])  # an unknown option or a bad value fails the test


def test_the_guide_names_every_file_in_deploy() -> None:
    guide = (DEPLOY.parent / "docs" / "deploy.md").read_text()
    for path in DEPLOY.rglob("*"):
        if path.is_file():
            assert str(path.relative_to(DEPLOY.parent)) in guide, f"docs/deploy.md: {path}"
