"""Behind a reverse proxy (deploy/caddy), per-address limits must count the citizen's address:
with SAHAJA_TRUSTED_PROXIES the proxy's X-Forwarded-For is believed, without it it is not."""

from __future__ import annotations

import pytest

from server.console.signin import LockPolicy
from tests.console.conftest import form_token


def failed_sign_in(client, forwarded_for: str) -> int:
    headers = {"X-Forwarded-For": forwarded_for, "Accept": "application/json"}
    page = client.get("/console/login", headers=headers).get_data(as_text=True)
    form = {"username": "tidak-ada", "password": "salah", "csrf_token": form_token(page)}
    return client.post("/console/login", data=form, headers=headers).status_code


@pytest.mark.parametrize("proxies", [0, 1])
def test_the_address_limit_counts_the_forwarded_address_only_behind_a_trusted_proxy(
    app, proxies: int
) -> None:
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        assert not isinstance(app.wsgi_app, ProxyFix)
        app.config["TRUSTED_PROXIES"] = proxies
    app.extensions["sahaja_console"].policy = LockPolicy(address_attempts=2, failure_delay=0)
    # create_app wraps the app at start: build the wrapped one the same way it does
    from server.app import trust_proxies

    trust_proxies(app)
    client = app.test_client()
    assert [failed_sign_in(client, "203.0.113.5") for _ in range(2)] == [401, 401]
    assert failed_sign_in(client, "203.0.113.5") == 429
    # another citizen behind the same proxy: their own count only when the proxy is trusted
    assert failed_sign_in(client, "198.51.100.9") == (401 if proxies else 429)
