"""Tokens against cross-site request forgery, kept in the signed session cookie.

The session cookie is also SameSite=Strict; the token is the second lock, for browsers or
set-ups where that attribute is not honoured. A state-changing request must carry the token
in a form field (console forms) or the ``X-CSRF-Token`` header (the page's API calls).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import MutableMapping
from typing import Any

SESSION_KEY = "csrf"
FORM_FIELD = "csrf_token"


def renew(session: MutableMapping[str, Any]) -> str:
    session[SESSION_KEY] = secrets.token_urlsafe(32)
    return session[SESSION_KEY]


def ensure(session: MutableMapping[str, Any]) -> str:
    return session.get(SESSION_KEY) or renew(session)


def valid(session: MutableMapping[str, Any], sent: str | None) -> bool:
    expected = session.get(SESSION_KEY)
    if not expected or not sent:
        return False
    return hmac.compare_digest(str(expected).encode(), sent.encode())
