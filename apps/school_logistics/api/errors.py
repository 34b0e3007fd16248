"""Errors as Frappe returns them: status, `exc_type` and `_server_messages`, never a traceback."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse

from school_logistics.api.jsonio import dumps


class ApiError(Exception):
    """An error the client caused or may handle; rendered as Frappe's error body."""

    status = 417
    exc_type = "ValidationError"

    def __init__(self, message: str, *, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class ValidationError(ApiError):
    status, exc_type = 417, "ValidationError"


class DocstatusTransitionError(ApiError):
    # Frappe raises this (a ValidationError, 417) for actions that do not fit the docstatus.
    status, exc_type = 417, "DocstatusTransitionError"


class AuthenticationError(ApiError):
    status, exc_type = 401, "AuthenticationError"


class PermissionError_(ApiError):  # noqa: N801  (Frappe's name, without shadowing the builtin)
    status, exc_type = 403, "PermissionError"


class CSRFTokenError(ApiError):
    status, exc_type = 403, "CSRFTokenError"


class DoesNotExistError(ApiError):
    status, exc_type = 404, "DoesNotExistError"


class MethodNotAllowed(ApiError):
    status, exc_type = 405, "PermissionError"


class DuplicateEntryError(ApiError):
    status, exc_type = 409, "DuplicateEntryError"


class RequestTooLarge(ApiError):
    status, exc_type = 413, "ValidationError"


class RateLimitExceededError(ApiError):
    status, exc_type = 429, "RateLimitExceededError"


def error_response(error: ApiError, headers: dict[str, str] | None = None) -> HttpResponse:
    """Return Frappe's error body: `_server_messages` is a JSON list of JSON-encoded messages."""
    messages = [error.message]
    # Field errors carry every message at once, so a client can show them all together.
    for msgs in error.errors.values():
        messages.extend(m for m in msgs if m not in messages)
    body: dict[str, Any] = {
        "exc_type": error.exc_type,
        "exception": f"frappe.exceptions.{error.exc_type}: {error.message}",
        "message": error.message,
        "_server_messages": json.dumps(
            [
                json.dumps(
                    {"message": m, "title": "消息", "indicator": "red", "raise_exception": 1},
                    ensure_ascii=False,
                )
                for m in messages
            ],
            ensure_ascii=False,
        ),
    }
    if error.errors:
        body["errors"] = error.errors
    response = HttpResponse(
        dumps(body), status=error.status, content_type="application/json; charset=utf-8"
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response
