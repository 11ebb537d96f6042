"""``Idempotency-Key`` for API writes.

The first successful (2xx) response to a key is stored with a hash of the request (method, path,
canonical body). A replay with the same key and request returns that response and writes nothing;
the same key with a different request is refused with 422. Error responses are not stored: the
caller corrects the request and retries with the same key. The write and the record commit in
one transaction, so two racing requests with one key record one write."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from functools import wraps

from django.db import IntegrityError, transaction
from rest_framework.response import Response

from deals.models import IdempotencyRecord

from .errors import ApiError

HEADER = "Idempotency-Key"
MAX_KEY = 255


def _canonical(value):
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if hasattr(value, "read") and hasattr(value, "seek"):  # uploaded file: its bytes
        value.seek(0)
        digest = hashlib.sha256(value.read()).hexdigest()
        value.seek(0)
        return {"file_sha256": digest}
    if isinstance(value, Decimal):
        return str(value)
    return value


def request_hash(request) -> str:
    data = request.data
    if hasattr(data, "lists"):  # QueryDict / MultiValueDict
        data = {k: v if len(v) > 1 else v[0] for k, v in data.lists()}
    payload = {"method": request.method, "path": request.path, "body": _canonical(data)}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def require_key(request) -> str:
    key = request.headers.get(HEADER, "").strip()
    if not key:
        raise ApiError(
            f"Send an {HEADER} header (any unique string, e.g. a UUID) with every write so a retry cannot record it twice.",
            code="idempotency_key_required",
        )
    if len(key) > MAX_KEY or not key.isprintable():
        raise ApiError(f"The {HEADER} must be at most {MAX_KEY} printable characters.", code="idempotency_key_invalid")
    return key


def idempotent(handler):
    """Decorate an APIView's ``post``: the handler runs only for a new key."""

    @wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = require_key(request)
        digest = request_hash(request)
        try:
            with transaction.atomic():
                found = IdempotencyRecord.objects.select_for_update().filter(user=request.user, key=key).first()
                if found is not None:
                    return _replay(found, digest, key)
                response = handler(view, request, *args, **kwargs)
                if 200 <= response.status_code < 300:
                    IdempotencyRecord.objects.create(
                        user=request.user, key=key, method=request.method, path=request.path[:300], request_hash=digest,
                        status_code=response.status_code, response_body=json.loads(json.dumps(response.data, default=str)),
                    )
                return response
        except IntegrityError:
            # A concurrent request with the same key committed first: everything above rolled back.
            found = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
            if found is None:
                raise
            return _replay(found, digest, key)

    return wrapper


def _replay(found: IdempotencyRecord, digest: str, key: str) -> Response:
    if found.request_hash != digest:
        raise ApiError(
            f"The {HEADER} {key!r} was already used for a different request ({found.method} {found.path} on "
            f"{found.created_at:%Y-%m-%d %H:%M} UTC); use a new key for a new request.",
            code="idempotency_key_reused",
            status_code=422,
        )
    response = Response(found.response_body, status=found.status_code)
    response["Idempotent-Replayed"] = "true"
    return response
