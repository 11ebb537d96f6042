"""API fixtures: a small deal (terms, flat closing bids, one debenture, one Series J holding,
one warrant), tokens per role and DRF clients."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from deals.services.api_tokens import api_token_create
from tests import factories as f
from tests.services.test_conversions import CONV_DATE, make_world


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    """Throttle counters are per test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db):
    w = make_world(end=datetime.date(2000, 6, 30))
    w.warrant = f.WarrantFactory(shares=50_000, exercise_price=Decimal("1.6500"), expiry_date=datetime.date(2005, 1, 31))
    w.day = CONV_DATE
    return w


def token_client(user) -> APIClient:
    _, text = api_token_create(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {text}")
    client.token_text = text
    return client


@pytest.fixture
def clerk_api(clerk):
    return token_client(clerk)


@pytest.fixture
def admin_api(deal_admin):
    return token_client(deal_admin)


@pytest.fixture
def anon_api():
    return APIClient()


@pytest.fixture
def norole_api(no_role_user):
    client = APIClient()
    client.force_authenticate(no_role_user)
    return client


def key() -> dict:
    return {"HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex}


def conversion_body(instrument, amount="50000.00", day=CONV_DATE, **extra) -> dict:
    from deals.selectors.conversions import instrument_key

    return {
        "instrument": instrument_key(instrument),
        "amount": amount,
        "conversion_date": day.isoformat(),
        "notice_method": "facsimile",
        "notice_received_date": day.isoformat(),
        "interest_election": "cash",
        "reference": "fax 123",
        **extra,
    }


def assert_error_shape(response, status: int, code: str | None = None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "field", "details"}, body
    assert isinstance(body["message"], str) and body["message"]
    if code:
        assert body["code"] == code, body
    return body


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The role fixtures create users; PBKDF2 would cost ~1 s per test here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
