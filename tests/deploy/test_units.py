"""The deploy/ files: systemd units that systemd itself accepts, that start our commands with
options those commands accept, and the promises docs/deploy.md makes about them."""

from __future__ import annotations

import argparse
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
VENV_BIN = "/opt/sahaja/venv/bin/"
DEVICES = {"sahaja-kiosk.service", "sahaja-display.service", "sahaja-counter.service"}


def parse_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A unit file as section -> key -> values (systemd allows a key more than once)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None and "=" in line, f"{path.name}: cannot parse {raw!r}"
        key, value = line.split("=", 1)
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def test_there_is_a_unit_for_the_server_and_each_device() -> None:
    assert {u.name for u in UNITS} == DEVICES | {"sahaja-server.service"}


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_accepts_every_unit_without_a_warning(tmp_path: Path) -> None:
    bin_dir = Path(sys.executable).parent  # the commands exist here, as in /opt/sahaja/venv
    for unit in UNITS:
        text = unit.read_text().replace(VENV_BIN, f"{bin_dir}/")
        (tmp_path / unit.name).write_text(text)
    done = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / u.name) for u in UNITS)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_each_unit_restarts_runs_unprivileged_after_the_network(unit: Path) -> None:
    sections = parse_unit(unit)
    service = sections["Service"]
    assert service["User"] == ["sahaja"] and service["Group"] == ["sahaja"]
    assert service["Restart"][0] in ("on-failure", "always")
    assert service["NoNewPrivileges"] == ["yes"]
    assert "network-online.target" in " ".join(sections["Unit"]["After"])
    assert "network-online.target" in " ".join(sections["Unit"]["Wants"])
    assert sections["Install"]["WantedBy"] == ["multi-user.target"]
    assert service["Type"] == ["notify"]  # started only once the app says it is ready
    if unit.name in DEVICES:  # the app pings from its loop (devicelink/systemd.py)
        assert int(service["WatchdogSec"][0]) >= 10
        assert service["Restart"] == ["always"]


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


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_exec_lines_name_our_commands_with_options_they_accept(unit: Path) -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    service = parse_unit(unit)["Service"]
    for line in service.get("ExecStartPre", []) + service["ExecStart"]:
        argv = shlex.split(line)
        assert argv[0].startswith(VENV_BIN)
        command = argv[0].removeprefix(VENV_BIN)
        assert command in scripts, command
        parser = parser_of(command)
        parser.error = lambda message, line=line: pytest.fail(f"{line}: {message}")
        parser.parse_args(argv[1:])  # an unknown option or a bad value fails the test


def test_the_printer_rule_and_the_proxy_example_are_where_the_guide_says() -> None:
    guide = (ROOT / "docs" / "deploy.md").read_text()
    for path in ROOT.joinpath("deploy").rglob("*"):
        if path.is_file():
            assert str(path.relative_to(ROOT)) in guide, f"docs/deploy.md never names {path}"
    rules = (ROOT / "deploy" / "udev" / "60-sahaja-thermal-printer.rules").read_text()
    for line in rules.splitlines():
        if line and not line.startswith("#"):
            assert 'GROUP="lp"' in line and 'MODE="0660"' in line
            assert 'SUBSYSTEM=="usb"' in line
