#!/usr/bin/env bash
# The two set-up commands of the README:
#   ./dev.sh run   - install, then run the demo on the embedded default (SQLite, Kediri
#                    config opened 24/7): the server at http://127.0.0.1:5000/, a kiosk and a
#                    board (windows, or headless without a display), a simulated day; Ctrl-C
#                    stops it all
#   ./dev.sh test  - install everything the tests need, lint, and run the whole test suite
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
VENV=.venv

system_packages() {
  # Debian packages the tests use: Chromium for the console's browser tests, espeak-ng for
  # the voice pack, DejaVu fonts for the screens. Nothing is downloaded by Playwright itself.
  local missing=()
  [ "${1:-}" = run ] || command -v chromium >/dev/null || missing+=(chromium)
  command -v espeak-ng >/dev/null || missing+=(espeak-ng)
  [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing Debian packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}" >/dev/null ||
    { $sudo apt-get update -q >/dev/null && \
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}" >/dev/null; }
}

python_env() {
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
  "$VENV/bin/python" -m pip install -q -e ".[$1]"
}

case "${1:-}" in
  run)
    system_packages run  # espeak-ng for the board's voice, DejaVu fonts (no Chromium)
    python_env server,kiosk,display,counter  # every command on the path works
    shift
    exec "$VENV/bin/sahaja-server" demo "$@"
    ;;
  test)
    system_packages
    python_env dev
    shift
    "$VENV/bin/ruff" check .
    "$VENV/bin/ruff" format --check .
    exec "$VENV/bin/pytest" -q "$@"
    ;;
  *)
    echo "usage: ./dev.sh run [--host H --port P] | ./dev.sh test [pytest args]" >&2
    exit 2
    ;;
esac
