"""HTTP to the queue server as a device: one authenticated ``requests`` session."""

from __future__ import annotations

import requests

from sahaja.protocol import API_PREFIX

# (connect, read) seconds: a LAN server answers in milliseconds, a cable out fails in 2 s
TIMEOUT: tuple[float, float] = (2.0, 5.0)


def device_session(token: str) -> requests.Session:
    """A session that sends ``Authorization: Bearer <token>`` with every request."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def api_url(server_url: str, path: str) -> str:
    """``http://host:8000`` + ``/sites`` -> ``http://host:8000/api/v1/sites``."""
    return f"{server_url.rstrip('/')}{API_PREFIX}{path}"
