"""Read endpoints: the list pages' selectors and filters, paginated, flat query counts."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest

from deals.services import conversions as svc

from .conftest import assert_error_shape


def _convert(world, user, amount, day=datetime.date(2000, 6, 1), ref="r"):
    world.debenture.refresh_from_db()
    return svc.conversion_submit(instrument=world.debenture, amount=Decimal(amount), conversion_date=day,
                                 notice_method="facsimile", notice_received_date=day, interest_election="cash",
                                 reference=ref, idempotency_key=uuid.uuid4().hex, user=user)


def test_conversions_paginate_and_filter_like_the_list_page(world, clerk, clerk_api):
    for i in range(3):
        _convert(world, clerk, "10000", ref=f"fax {i}")
    body = clerk_api.get("/api/conversions/?page_size=2").json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    assert clerk_api.get("/api/conversions/?q=fax 1").json()["count"] == 1
    assert clerk_api.get(f"/api/conversions/?instrument=debenture:{world.debenture.pk}").json()["count"] == 3
    assert clerk_api.get(f"/api/conversions/?instrument=preferred:{world.preferred.pk}").json()["count"] == 0
    assert clerk_api.get("/api/conversions/?date_from=2000-06-02").json()["count"] == 0
    body = assert_error_shape(clerk_api.get("/api/conversions/?date_from=yesterday"), 400)
    assert body["field"] == "date_from"
    assert_error_shape(clerk_api.get("/api/conversions/?page=99"), 404)


def test_obligations_and_notices(world, clerk, clerk_api):
    _convert(world, clerk, "10000")
    body = clerk_api.get("/api/obligations/?kind=share_delivery").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["clause"] == "Debenture 4(A)" and row["source"].startswith("deals.conversion#")
    assert_error_shape(clerk_api.get("/api/obligations/?due_from=2000-07-01&due_to=2000-06-01"), 400)
    notices = clerk_api.get("/api/notices/").json()
    assert notices["count"] == 1
    n = notices["results"][0]
    if n["status"] == "rendered":
        assert n["download_url"].endswith(f"/notices/{n['id']}/download/")


def test_instruments_and_keys(world, clerk_api):
    deb = clerk_api.get("/api/debentures/").json()["results"][0]
    assert deb["key"] == f"debenture:{world.debenture.pk}" and deb["principal_outstanding"] == "100000.00"
    assert clerk_api.get("/api/series-j/").json()["results"][0]["key"] == f"preferred:{world.preferred.pk}"
    assert clerk_api.get(f"/api/warrants/?investor={world.warrant.investor_id}").json()["count"] == 1
    assert_error_shape(clerk_api.get("/api/warrants/?investor=abc"), 400)
    assert clerk_api.get("/api/market-prices/?date_from=2000-06-01&date_to=2000-06-02").json()["count"] == 2


@pytest.mark.parametrize("url", ["/api/conversions/", "/api/obligations/", "/api/investors/", "/api/notices/",
                                 "/api/exercises/", "/api/redemptions/", "/api/debentures/"])
def test_list_query_count_does_not_grow_with_rows(world, clerk, clerk_api, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _convert(world, clerk, "10000")
    with CaptureQueriesContext(connection) as few:
        clerk_api.get(url)
    for _ in range(4):
        _convert(world, clerk, "10000")
    with django_assert_max_num_queries(len(few)):
        assert clerk_api.get(url).status_code == 200
