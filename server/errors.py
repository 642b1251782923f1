"""Refusals the API answers with a 4xx and ``{"error": code, "message": text}``."""

from __future__ import annotations

from sahaja import protocol as p
from sahaja.core.refusal import Refusal


class ApiError(Exception):
    def __init__(self, status: int, code: str, message_key: str, /, **params: object) -> None:
        super().__init__(f"{code}: {message_key} {params}")
        self.status = status
        self.code = code
        self.message_key = message_key
        self.params = params


def not_found(code: str, key: str, /, **params: object) -> ApiError:
    return ApiError(404, code, key, **params)


def conflict(code: str, key: str, /, **params: object) -> ApiError:
    return ApiError(409, code, key, **params)


def malformed(field: str, problem: str) -> ApiError:
    return ApiError(422, p.ERR_MALFORMED, "server.malformed_field", field=field, problem=problem)


def unauthorized() -> ApiError:
    return ApiError(401, p.ERR_UNAUTHORIZED, "server.unauthorized")


def forbidden() -> ApiError:
    return ApiError(403, p.ERR_FORBIDDEN, "server.forbidden")


def refused(refusal: Refusal) -> ApiError:
    """A core rule's refusal, answered with its code's HTTP status."""
    status = p.ERROR_STATUS.get(refusal.code, 409)
    return ApiError(status, refusal.code, refusal.message_key, **refusal.params)
