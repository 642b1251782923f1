"""The HTTP API fuzzed from its own OpenAPI document with schemathesis, through WSGI (no
network): every phase (the document's examples, coverage, fuzzing) and every check
(no 5xx, status codes, content types and bodies as documented, 405 with Allow, schema-invalid
data refused, schema-valid data accepted), with device tokens of a kiosk, a counter and a
display of the Kediri config's DKC site (the document's example site), so authorised paths
run too. Deterministic: a fixed seed and derandomised generation."""

from __future__ import annotations

from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from schemathesis.config import SchemathesisConfig  # noqa: E402
from schemathesis.engine import events, from_schema  # noqa: E402
from schemathesis.transport import wsgi as schemathesis_wsgi  # noqa: E402

pytestmark = pytest.mark.slow  # about 30 s
EXAMPLES = 20  # per operation and phase


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'fuzz.db'}"  # the contract does not depend on the backend


@pytest.fixture
def wsgi_send(monkeypatch):
    """schemathesis 4.x hands network-only options (max_redirects...) to Werkzeug's test
    client when the engine drives a WSGI app; drop them as its own requests.Session path does."""
    original = schemathesis_wsgi.WSGITransport.send

    def send(self, case, *, session=None, **kwargs: Any):
        for name in ("max_redirects", "verify", "cert", "proxies"):
            kwargs.pop(name, None)
        return original(self, case, session=session, **kwargs)

    monkeypatch.setattr(schemathesis_wsgi.WSGITransport, "send", send)


def test_the_api_keeps_its_openapi_contract(app, make_token, wsgi_send):
    def bearer(role: str, counter: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {make_token(role, 'DKC', counter)}"}

    config = SchemathesisConfig.from_dict(
        {
            "seed": 20261130,
            "generation": {"max-examples": EXAMPLES, "deterministic": True},
            "operations": [
                {"include-path-regex": "/tickets", "headers": bearer("kiosk")},
                {"include-path-regex": "/counters/", "headers": bearer("counter", "L1")},
                {"include-path-regex": "/documents", "headers": bearer("counter", "L2")},
                {"include-path-regex": "/devices/", "headers": bearer("display")},
                {"include-path-regex": "/checkins", "headers": bearer("kiosk")},
                # a schema-valid NIK may still be no NIK (its birth date, its region): 422
                {
                    "include-path-regex": "/bookings$",
                    "checks": {
                        "positive_data_acceptance": {
                            "expected-statuses": ["2XX", "404", "409", "422", "429"]
                        }
                    },
                },
            ],
        }
    )
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
    failures: dict[tuple[str, str], str] = {}
    errors: list[str] = []
    statuses: dict[str, set[int]] = {}
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            for interaction in event.recorder.interactions.values():
                if interaction.response is not None:
                    label = event.label or "(phase-wide)"
                    statuses.setdefault(label, set()).add(interaction.response.status_code)
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.failure_info is not None:
                        failure = check.failure_info.failure
                        key = (str(event.label), check.name)
                        failures.setdefault(key, f"{failure.title}: {failure.message}"[:800])
        elif isinstance(event, events.NonFatalError | events.FatalError):
            errors.append(repr(event))

    assert not errors, errors
    assert not failures, "\n".join(f"{k}: {v}" for k, v in failures.items())
    assert not any(code >= 500 for codes in statuses.values() for code in codes), statuses
    exercised = {
        "POST /api/v1/sites/{site}/tickets": 201,
        "POST /api/v1/tickets/{ticket_id}/void": 200,
        "GET /api/v1/counters/{counter}": 200,
        "POST /api/v1/counters/{counter}/next": 200,
        "POST /api/v1/devices/me/health": 200,
    }
    for label, status in exercised.items():
        assert status in statuses.get(label, set()), (label, statuses.get(label))
