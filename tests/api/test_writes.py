"""API writes call the workflow services: same figures, same messages, idempotent retries."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from deals.models import Conversion, IdempotencyRecord, MarketPrice, Obligation, PriceImport, Redemption, WarrantExercise
from deals.services import conversions as svc

from .conftest import assert_error_shape, conversion_body, key


def test_conversion_quote_is_the_services_quote_and_writes_nothing(world, clerk_api):
    r = clerk_api.post("/api/conversions/quote/", conversion_body(world.debenture), format="json")
    assert r.status_code == 200, r.content
    world.debenture.refresh_from_db()  # the figures as stored (100000.00), as the API loads them
    expected = svc.conversion_quote(
        instrument=world.debenture, amount=Decimal("50000.00"), conversion_date=world.day, notice_method="facsimile",
        notice_received_date=world.day, interest_election="cash",
    ).as_dict()
    assert r.json() == expected
    # $50,000 at the lesser of $1.4375 and 80% of $1.50 = $1.20 -> 41,667 shares (half up)
    assert r.json()["shown_price"] == "1.2000" and Decimal(r.json()["applied_price"]) == Decimal("1.2")  # exact (issue 16 item 1)
    assert r.json()["shares"] == 41667
    assert Conversion.objects.count() == 0


def test_conversion_submit_records_once_and_a_replay_returns_the_first_response(world, clerk_api):
    headers = key()
    body = conversion_body(world.debenture)
    first = clerk_api.post("/api/conversions/", body, format="json", **headers)
    assert first.status_code == 201, first.content
    assert first.json()["shares_for_amount"] == 41667
    assert first.json()["instrument"] == f"debenture:{world.debenture.pk}"
    world.debenture.refresh_from_db()
    assert world.debenture.principal_outstanding == Decimal("50000.00")
    obligations = Obligation.objects.count()

    again = clerk_api.post("/api/conversions/", body, format="json", **headers)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Conversion.objects.count() == 1
    assert Obligation.objects.count() == obligations
    world.debenture.refresh_from_db()
    assert world.debenture.principal_outstanding == Decimal("50000.00")


def test_submit_response_is_the_row_as_stored(world, clerk_api):
    """The submit answers from the row it wrote (it is not read again under the issuer lock): the
    body is the detail endpoint's, field for field -- amounts, prices, dates, the snapshot -- for a
    Debenture and a Series J conversion."""
    for instrument, amount in ((world.debenture, "50000.00"), (world.preferred, "5000.00")):
        r = clerk_api.post("/api/conversions/", conversion_body(instrument, amount=amount), format="json", **key())
        assert r.status_code == 201, r.content
        detail = clerk_api.get(f"/api/conversions/{r.json()['id']}/")
        assert detail.status_code == 200 and r.json() == detail.json()
        assert r.json()["snapshot"]["terms_version"] == 1 and r.json()["investor_name"] == instrument.investor.legal_name


def test_same_key_with_another_body_is_refused_422(world, clerk_api):
    headers = key()
    assert clerk_api.post("/api/conversions/", conversion_body(world.debenture), format="json", **headers).status_code == 201
    r = clerk_api.post("/api/conversions/", conversion_body(world.debenture, amount="10000.00"), format="json", **headers)
    assert_error_shape(r, 422, "idempotency_key_reused")
    assert Conversion.objects.count() == 1


def test_write_without_idempotency_key_is_400_and_writes_nothing(world, clerk_api):
    r = clerk_api.post("/api/conversions/", conversion_body(world.debenture), format="json")
    body = assert_error_shape(r, 400, "idempotency_key_required")
    assert "Idempotency-Key" in body["message"]
    assert Conversion.objects.count() == 0


def test_service_message_is_the_pages_message_with_field(world, clerk_api):
    r = clerk_api.post("/api/conversions/", conversion_body(world.debenture, amount="150000.00"), format="json", **key())
    body = assert_error_shape(r, 400, "exceeds_outstanding")
    assert body["field"] == "amount"
    label = world.debenture.label
    assert body["message"] == f"The amount $150,000.00 exceeds the outstanding principal of {label}, $100,000.00."
    assert Conversion.objects.count() == 0
    assert IdempotencyRecord.objects.count() == 0  # errors are not stored: a corrected retry may reuse the key


def test_form_message_for_shape_errors(world, clerk_api):
    r = clerk_api.post("/api/conversions/quote/", {**conversion_body(world.debenture), "instrument": "debenture:999999"}, format="json")
    body = assert_error_shape(r, 400)
    assert body["field"] == "instrument"
    # the page's own field message (deals.selectors.instruments.instrument_resolve)
    assert body["message"] == (
        "Instrument: debenture:999999 names no outstanding debenture or Series J certificate. "
        "Type the number (e.g. D-7) or pick it from the suggestions."
    )
    r = clerk_api.post("/api/conversions/quote/", conversion_body(world.debenture, amount="abc"), format="json")
    body = assert_error_shape(r, 400)
    assert body["field"] == "amount" and "Enter a number." in body["message"]


def test_unknown_field_missing_field_and_bad_json(world, clerk_api):
    r = clerk_api.post("/api/conversions/quote/", conversion_body(world.debenture, surprise=1), format="json")
    assert assert_error_shape(r, 400, "unknown_field")["field"] == "surprise"
    body = conversion_body(world.debenture)
    del body["amount"]
    r = clerk_api.post("/api/conversions/quote/", body, format="json")
    assert assert_error_shape(r, 400, "required")["field"] == "amount"
    r = clerk_api.post("/api/conversions/quote/", "{not json", content_type="application/json")
    assert_error_shape(r, 400, "parse_error")
    r = clerk_api.post("/api/conversions/quote/", '{"amount": NaN}', content_type="application/json")
    assert_error_shape(r, 400, "parse_error")
    r = clerk_api.post("/api/conversions/quote/", "[1, 2]", content_type="application/json")
    assert_error_shape(r, 400, "invalid_body")
    r = clerk_api.post("/api/conversions/quote/", conversion_body(world.debenture, amount=["1"]), format="json")
    assert_error_shape(r, 400, "invalid_type")


def test_huge_and_negative_numbers(world, clerk_api):
    r = clerk_api.post("/api/conversions/quote/", conversion_body(world.debenture, amount="1e400"), format="json")
    assert assert_error_shape(r, 400)["field"] == "amount"
    r = clerk_api.post("/api/conversions/quote/", conversion_body(world.debenture, amount="-5"), format="json")
    body = assert_error_shape(r, 400, "amount")
    assert "more than $0.00" in body["message"]


def test_missing_prices_lists_the_days(world, clerk_api):
    MarketPrice.objects.filter(date=datetime.date(2000, 5, 30)).delete()
    r = clerk_api.post("/api/conversions/quote/", conversion_body(world.debenture), format="json")
    body = assert_error_shape(r, 400, "missing_prices")
    assert body["details"]["missing_dates"] == ["2000-05-30"]


def test_exercise_quote_and_submit(world, clerk_api):
    body = {"warrant": world.warrant.pk, "shares": 10000, "exercise_date": "2000-06-01", "payment_amount": "16500.00",
            "payment_date": "2000-06-01"}
    q = clerk_api.post("/api/exercises/quote/", body, format="json")
    assert q.status_code == 200, q.content
    assert q.json()["aggregate_price"] == "16500.00"
    assert WarrantExercise.objects.count() == 0
    r = clerk_api.post("/api/exercises/", body, format="json", **key())
    assert r.status_code == 201, r.content
    assert r.json()["shares"] == 10000 and r.json()["delivery_date"] == "2000-06-06"
    world.warrant.refresh_from_db()
    assert world.warrant.shares_remaining == 40_000


def test_exercise_underpaid_message(world, clerk_api):
    body = {"warrant": world.warrant.pk, "shares": 10000, "exercise_date": "2000-06-01", "payment_amount": "100.00",
            "payment_date": "2000-06-01"}
    r = clerk_api.post("/api/exercises/", body, format="json", **key())
    body = assert_error_shape(r, 400)
    assert "$16,500.00" in body["message"]
    assert WarrantExercise.objects.count() == 0


def test_redemption_notice_by_deal_admin(world, admin_api, clerk_api):
    body = {"debenture": world.debenture.pk, "notice_date": "2000-06-01", "received_date": "2000-06-02"}
    assert_error_shape(clerk_api.post("/api/redemptions/", body, format="json", **key()), 403, "permission_denied")
    r = admin_api.post("/api/redemptions/", body, format="json", **key())
    assert r.status_code == 201, r.content
    assert r.json()["total_amount"] == "122449.32"  # tests/services/test_redemptions.py worked example
    assert r.json()["convert_until"] == "2000-06-09"
    assert Redemption.objects.count() == 1


def test_price_import_json_rows_all_or_nothing_with_row_errors(world, admin_api):
    before = MarketPrice.objects.count()
    rows = [
        {"date": "2000-07-03", "closing_bid": "1.5000", "source": "api"},
        {"date": "2000-07-04", "closing_bid": "1.5000", "source": "api"},  # Independence Day: not a trading day
        {"date": "2000-07-05", "closing_bid": "-1", "source": "api"},
    ]
    r = admin_api.post("/api/market-prices/import/", {"rows": rows}, format="json", **key())
    body = assert_error_shape(r, 400, "price_import_rejected")
    assert [(e["row"], e["column"]) for e in body["details"]["rows"]] == [(3, "date"), (4, "closing_bid")]
    assert MarketPrice.objects.count() == before
    assert PriceImport.objects.get().status == "rejected"

    good = [{"date": "2000-07-03", "closing_bid": 1.5, "closing_price": "1.5625", "source": "api"}]
    r = admin_api.post("/api/market-prices/import/", {"rows": good}, format="json", **key())
    assert r.status_code == 201, r.content
    assert r.json()["rows_created"] == 1
    assert MarketPrice.objects.get(date=datetime.date(2000, 7, 3)).closing_bid == Decimal("1.5000")


def test_price_import_csv_body_and_multipart(world, admin_api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv_text = "date,closing_bid,closing_price,source\n2000-07-03,1.6,,csv\n"
    r = admin_api.post("/api/market-prices/import/?dry_run=true", csv_text, content_type="text/csv", **key())
    assert r.status_code == 200, r.content
    assert r.json()["dry_run"] is True and r.json()["rows_created"] == 1
    assert not MarketPrice.objects.filter(date=datetime.date(2000, 7, 3)).exists()
    upload = SimpleUploadedFile("p.csv", csv_text.encode(), content_type="text/csv")
    r = admin_api.post("/api/market-prices/import/", {"file": upload}, format="multipart", **key())
    assert r.status_code == 201, r.content
    assert MarketPrice.objects.get(date=datetime.date(2000, 7, 3)).closing_bid == Decimal("1.6000")


def test_price_import_is_deal_admin_only(world, clerk_api):
    r = clerk_api.post("/api/market-prices/import/", {"rows": []}, format="json", **{"HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex})
    assert_error_shape(r, 403, "permission_denied")


def test_oversized_body_is_413_with_the_error_shape(world, admin_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    big = "date,closing_bid,closing_price,source\n" + "2000-07-03,1.5,,x\n" * 200
    r = admin_api.post("/api/market-prices/import/", big, content_type="text/csv", **key())
    assert r.status_code in (400, 413)
    assert set(r.json()) == {"code", "message", "field", "details"}
