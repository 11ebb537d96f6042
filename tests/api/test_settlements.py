"""Settlements through the API: the obligation page's checks and messages (deal admins)."""

from __future__ import annotations

from decimal import Decimal

from deals.models import Obligation, ObligationKind, Settlement

from .conftest import assert_error_shape, key


def _redemption(world, admin_api):
    body = {"debenture": world.debenture.pk, "notice_date": "2000-06-01", "received_date": "2000-06-02"}
    assert admin_api.post("/api/redemptions/", body, format="json", **key()).status_code == 201
    return Obligation.objects.get(kind=ObligationKind.REDEMPTION_PAYMENT)


def test_payment_partial_then_over_balance_then_reversal(world, admin_api, clerk_api):
    ob = _redemption(world, admin_api)
    url = f"/api/obligations/{ob.pk}/settlements/"
    pay = {"kind": "payment", "date": "2000-06-01", "amount": "1000.00", "method": "wire", "reference": "W1"}
    assert_error_shape(clerk_api.post(url, pay, format="json", **key()), 403)
    r = admin_api.post(url, pay, format="json", **key())
    assert r.status_code == 201, r.content
    assert r.json()["amount"] == "1000.00" and r.json()["recorded_by"] == "dealadmin"
    ob.refresh_from_db()
    assert ob.settled == Decimal("1000.00") and ob.status == "part_paid"

    too_much = {**pay, "amount": "999999.00"}
    body = assert_error_shape(admin_api.post(url, too_much, format="json", **key()), 400, "over_balance")
    assert body["field"] == "amount" and "more than the balance" in body["message"]
    body = assert_error_shape(admin_api.post(url, {**pay, "amount": "1.005"}, format="json", **key()), 400, "sub_cent")
    assert_error_shape(admin_api.post(url, {**pay, "kind": "refund"}, format="json", **key()), 400)

    listed = clerk_api.get("/api/obligations/?kind=redemption_payment").json()["results"][0]
    assert listed["settled"] == "1000.00" and [e["kind"] for e in listed["settlements"]] == ["payment"]

    entry = Settlement.objects.get()
    r = admin_api.post(f"/api/settlements/{entry.pk}/reverse/", {"date": "2000-06-01", "reason": "wire bounced"},
                       format="json", **key())
    assert r.status_code == 201, r.content
    assert r.json()["kind"] == "reversal" and r.json()["reverses"] == entry.pk
    ob.refresh_from_db()
    assert ob.settled == Decimal("0.00")


def test_waiver_needs_the_instrument(world, admin_api):
    ob = _redemption(world, admin_api)
    body = {"kind": "waiver", "date": "2000-06-01", "amount": "10.00", "waived_by": "Holder"}
    r = assert_error_shape(admin_api.post(f"/api/obligations/{ob.pk}/settlements/", body, format="json", **key()), 400)
    assert r["field"] == "instrument"
    assert not Settlement.objects.exists()
