"""Every endpoint x role: anonymous 401, no role 403, clerk endpoints for clerks and deal admins,
admin endpoints for deal admins only -- the pages' clerk_required / deal_admin_required."""

from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

from deals.services.api_tokens import api_token_create, api_token_revoke

from .conftest import assert_error_shape, token_client

CLERK, ADMIN = "clerk", "admin"
ENDPOINTS = [
    ("get", "/api/issuers/", ADMIN),
    ("get", "/api/financings/", ADMIN),
    ("get", "/api/terms-versions/", ADMIN),
    ("get", "/api/investors/", CLERK),
    ("get", "/api/debentures/", CLERK),
    ("get", "/api/series-j/", CLERK),
    ("get", "/api/warrants/", CLERK),
    ("get", "/api/market-prices/", CLERK),
    ("post", "/api/market-prices/import/", ADMIN),
    ("get", "/api/conversions/", CLERK),
    ("post", "/api/conversions/", CLERK),
    ("post", "/api/conversions/quote/", CLERK),
    ("get", "/api/conversions/1/", CLERK),
    ("get", "/api/exercises/", CLERK),
    ("post", "/api/exercises/", CLERK),
    ("post", "/api/exercises/quote/", CLERK),
    ("get", "/api/exercises/1/", CLERK),
    ("get", "/api/redemptions/", CLERK),
    ("post", "/api/redemptions/", ADMIN),
    ("get", "/api/redemptions/1/", CLERK),
    ("get", "/api/obligations/", CLERK),
    ("post", "/api/obligations/1/settlements/", ADMIN),
    ("post", "/api/settlements/1/reverse/", ADMIN),
    ("get", "/api/notices/", CLERK),
    ("get", "/api/sweep-runs/", CLERK),
    ("get", "/api/cap-table/", CLERK),
    ("get", "/api/approvals/", ADMIN),
    ("get", "/api/approvals/1/", ADMIN),
    ("post", "/api/approvals/1/approve/", ADMIN),
    ("post", "/api/approvals/1/reject/", ADMIN),
    ("get", "/api/schema/?format=json", "any"),
]


def call(client, method, url):
    if method == "get":
        return client.get(url)
    return client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)


def test_every_api_url_is_in_the_matrix():
    from django.urls import get_resolver

    from deals.api import urls

    listed = {u.split("?")[0].rstrip("/").replace("/1", "/<int:pk>") + "/" for _, u, _ in ENDPOINTS}
    routes = {"/" + str(p.pattern) for p in urls.urlpatterns if str(p.pattern) not in ("api/docs/", "api/redoc/")}
    assert routes <= listed, routes - listed
    assert get_resolver()  # the project urls load


@pytest.mark.parametrize(("method", "url", "role"), ENDPOINTS)
def test_matrix(db, clerk, deal_admin, no_role_user, method, url, role):
    anon = APIClient()
    r = call(anon, method, url)
    assert_error_shape(r, 401, "not_authenticated")
    assert r["WWW-Authenticate"] == "Token"

    norole = APIClient()
    norole.force_login(no_role_user)  # the browser session
    r = call(norole, method, url)
    if role == "any":
        assert r.status_code == 200
    else:
        assert_error_shape(r, 403, "permission_denied")

    r = call(token_client(clerk), method, url)
    if role == ADMIN:
        body = assert_error_shape(r, 403, "permission_denied")
        assert body["message"] == "Deal admin role required."
    else:
        assert r.status_code not in (401, 403, 500), r.content

    r = call(token_client(deal_admin), method, url)
    assert r.status_code not in (401, 403, 500), r.content


def test_revoked_token_gets_401(db, clerk):
    token, text = api_token_create(user=clerk, name="sync")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {text}")
    assert client.get("/api/investors/").status_code == 200
    api_token_revoke(user=clerk, token_key=token.token_key)
    body = assert_error_shape(client.get("/api/investors/"), 401, "authentication_failed")
    assert body["message"] == "Invalid token."


def test_expired_token_gets_401(db, clerk):
    import datetime

    _, text = api_token_create(user=clerk, name="short", ttl=datetime.timedelta(seconds=-1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {text}")
    assert_error_shape(client.get("/api/investors/"), 401, "authentication_failed")


def test_wrong_token_gets_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token nhtc_" + "0" * 64)
    assert_error_shape(client.get("/api/investors/"), 401, "authentication_failed")


def test_throttle_per_token(db, clerk, monkeypatch):
    from deals.api.throttling import TokenRateThrottle

    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "3/min"})
    first, second = token_client(clerk), token_client(clerk)
    for _ in range(3):
        assert first.get("/api/investors/").status_code == 200
    body = assert_error_shape(first.get("/api/investors/"), 429, "throttled")
    assert body["details"]["wait_seconds"] > 0
    # another token of the same user has its own allowance
    assert second.get("/api/investors/").status_code == 200
