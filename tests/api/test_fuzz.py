"""Hypothesis fuzz of every write endpoint: whatever the body, never a 5xx, and every 4xx
carries the error shape. Bodies mix the endpoint's own field names with wrong types, huge and
negative numbers, NaN/Infinity, nulls, nested values, unknown fields and non-objects."""

from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzzing import api_settings

ENDPOINTS = {
    "/api/conversions/quote/": ["instrument", "amount", "conversion_date", "notice_method", "notice_received_date",
                                "interest_election", "reference"],
    "/api/conversions/": ["instrument", "amount", "conversion_date", "notice_method", "notice_received_date",
                          "interest_election", "reference"],
    "/api/exercises/quote/": ["warrant", "shares", "exercise_date", "payment_amount", "payment_date"],
    "/api/exercises/": ["warrant", "shares", "exercise_date", "payment_amount", "payment_date"],
    "/api/redemptions/": ["debenture", "notice_date", "received_date"],
    "/api/market-prices/import/": ["rows", "replace", "dry_run"],
    "/api/obligations/{ob}/settlements/": ["kind", "date", "amount", "method", "reference", "waived_by", "instrument"],
}

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["payment", "waiver", "wire", "1000.00",
                     "2000-06-01", "9999-12-31", "0001-01-01", "2000-02-30", "debenture:1", "preferred:1", "1e400",
                     "-1", "0", "NaN", "cash", "shares", "facsimile", "=1+1", "\x00", "1" * 40]),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                      max_leaves=6)
price_rows = st.lists(
    st.dictionaries(st.sampled_from(["date", "closing_bid", "closing_price", "source", "extra"]), scalars, max_size=5), max_size=4
)


def bodies(fields):
    known = st.fixed_dictionaries({}, optional={f: (price_rows if f == "rows" else values) for f in fields})
    return st.one_of(known, known.flatmap(lambda d: st.dictionaries(st.text(max_size=10), values, max_size=2).map(
        lambda extra: {**d, **extra})), values)


@pytest.mark.slow
@pytest.mark.parametrize("url", list(ENDPOINTS))
def test_write_endpoints_never_fail_with_5xx(url, world, admin_api):
    fields = ENDPOINTS[url]
    if "{ob}" in url:  # a money obligation to settle: a redemption's payment
        from deals.models import Obligation

        body = {"debenture": world.debenture.pk, "notice_date": "2000-06-01", "received_date": "2000-06-02"}
        assert admin_api.post("/api/redemptions/", body, format="json", HTTP_IDEMPOTENCY_KEY="setup").status_code == 201
        url = url.format(ob=Obligation.objects.get(kind="redemption_payment").pk)
    @api_settings()
    @given(body=bodies(fields))
    def run(body):
        raw = json.dumps(body, allow_nan=True)
        r = admin_api.post(url, raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
        assert r.status_code < 500, (body, r.content)
        if r.status_code >= 400:
            payload = r.json()
            assert set(payload) == {"code", "message", "field", "details"}, payload
            assert payload["message"]

    run()
