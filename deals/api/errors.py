"""One JSON error shape for every API failure::

    {"code": "exceeds_outstanding", "message": "The amount $1.00 exceeds ...", "field": "amount", "details": {...}}

``message`` is the sentence the page shows for the same mistake (form and service messages are
reused, never reworded); ``field`` names the request field at fault or is null; ``details``
carries every field error (``errors``) and extra facts (``missing_dates``, ``rows``, ``wait``)."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from deals.services.conversions import WorkflowError
from deals.terms.errors import TermsError

log = logging.getLogger("deals.api")


class ApiError(exceptions.APIException):
    """An error with the shape's four parts, raised by the API views."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None, details: dict | None = None,
                 status_code: int | None = None):
        super().__init__(detail=message, code=code)
        self.message = message
        self.error_code = code
        self.field = field
        self.details = details or {}
        if status_code:
            self.status_code = status_code


def form_error(form) -> ApiError:
    """The first error of an invalid Django form (the page's own message) plus all of them."""
    data = form.errors.get_json_data()
    errors = {(None if name == "__all__" else name): [e["message"] for e in errs] for name, errs in data.items()}
    name, errs = next(iter(data.items()))
    field = None if name == "__all__" else name
    message = errs[0]["message"]
    if field:
        label = form.fields[field].label or field.replace("_", " ").capitalize()
        message = f"{label}: {message}"
    return ApiError(message, code=errs[0]["code"] or "invalid", field=field,
                    details={"errors": {k or "non_field_errors": v for k, v in errors.items()}})


def body(code: str, message: str, field: str | None = None, details: dict | None = None) -> dict:
    return {"code": code, "message": message, "field": field, "details": details or {}}


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(detail, list):
        if all(not isinstance(v, (dict, list)) for v in detail):
            return {prefix or "non_field_errors": [str(v) for v in detail]}
        out = {}
        for i, value in enumerate(detail):
            out.update(_flatten(value, f"{prefix}.{i}" if prefix else str(i)))
        return out
    return {prefix or "non_field_errors": [str(detail)]}


def _first_code(detail) -> str:
    if isinstance(detail, dict):
        return _first_code(next(iter(detail.values()))) if detail else "invalid"
    if isinstance(detail, list):
        return _first_code(detail[0]) if detail else "invalid"
    return getattr(detail, "code", None) or "invalid"


def exception_handler(exc, context):
    """REST framework's EXCEPTION_HANDLER: every error in the one shape."""
    headers = {}
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found: no such record, or it is not visible to you.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, RequestDataTooBig):
        return Response(body("too_large", "The request body is larger than this server accepts."), status=413)
    if isinstance(exc, SuspiciousOperation):
        return Response(body("bad_request", "The request was refused as malformed."), status=400)
    if isinstance(exc, WorkflowError):
        details = {"missing_dates": [d.isoformat() for d in exc.missing_dates]} if exc.missing_dates else {}
        return Response(body(exc.code, exc.message, exc.field, details), status=400)
    if isinstance(exc, TermsError):
        return Response(body("terms", str(exc)), status=400)
    if isinstance(exc, ApiError):
        return Response(body(exc.error_code, exc.message, exc.field, exc.details), status=exc.status_code)
    if isinstance(exc, exceptions.APIException):
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        if isinstance(exc, exceptions.ValidationError):
            errors = _flatten(exc.detail)
            field, messages = next(iter(errors.items()))
            field = None if field == "non_field_errors" else field
            message = f"{field}: {messages[0]}" if field else messages[0]
            return Response(body(_first_code(exc.detail), message, field, {"errors": errors}), status=400, headers=headers)
        details = {"wait_seconds": int(exc.wait)} if getattr(exc, "wait", None) else {}
        code = _first_code(exc.detail) if not isinstance(exc.detail, str) else exc.default_code
        if isinstance(exc.detail, str) or not code:
            code = getattr(exc.detail, "code", None) or exc.default_code
        return Response(body(code, str(exc.detail), None, details), status=exc.status_code, headers=headers)
    log.exception("Unexpected API error", exc_info=exc)
    message = "The server could not complete the request; a write was rolled back and may be retried with the same Idempotency-Key."
    return Response(body("server_error", message), status=500)
