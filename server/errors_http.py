"""Every error the API answers is JSON with a 4xx (or a 5xx naming the problem), never HTML."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from sahaja import i18n
from sahaja import protocol as p
from server.errors import ApiError

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: (p.ERR_MALFORMED, "server.malformed_json"),
    404: (p.ERR_NOT_FOUND, "server.not_found"),
    405: (p.ERR_METHOD_NOT_ALLOWED, "server.method_not_allowed"),
    413: (p.ERR_MALFORMED, "server.malformed_json"),
    415: (p.ERR_MALFORMED, "server.malformed_json"),
}


def language() -> str:
    return i18n.best_language(request.headers.get("Accept-Language"))


def error_response(status: int, code: str, key: str, /, **params: object):
    body = {"error": code, "message": i18n.t(key, language(), **params)}
    return jsonify(body), status


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(e: ApiError):
        return error_response(e.status, e.code, e.message_key, **e.params)

    @app.errorhandler(HTTPException)
    def _http_error(e: HTTPException):
        status = e.code or 500
        code, key = _HTTP_CODES.get(status, (p.ERR_MALFORMED, "server.malformed_json"))
        if status >= 500:
            code, key = p.ERR_INTERNAL, "server.internal_error"
        response, status = error_response(status, code, key)
        if isinstance(e, MethodNotAllowed) and e.valid_methods:  # RFC 9110: 405 names them
            response.headers["Allow"] = ", ".join(sorted(e.valid_methods))
        return response, status

    @app.errorhandler(OperationalError)
    def _db_busy(e: OperationalError):
        log.warning("database error: %s", e)
        return error_response(503, p.ERR_BUSY, "server.busy")

    @app.errorhandler(Exception)
    def _unexpected(e: Exception):
        log.exception("unexpected error")
        return error_response(500, p.ERR_INTERNAL, "server.internal_error")
