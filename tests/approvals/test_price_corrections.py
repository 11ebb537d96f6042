"""Issue 12 (b): replacing a closing price on a date a recorded conversion's look-back used waits for a
second deal admin (admin import, admin edit, API -> 202); other dates import at once. The conversion
keeps the prices in its snapshot either way."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from deals.models import Approval, MarketPrice
from deals.selectors.conversions import price_dates_used
from deals.services.approvals import approval_approve, price_import_submit
from tests.services.test_conversions import make_world, submit

D = Decimal
USED = datetime.date(2000, 5, 31)  # the trading day before the 2000-06-01 conversion: in its window
UNUSED = datetime.date(2000, 6, 1)  # the conversion date itself: not in a "preceding" window


@pytest.fixture
def converted(deal_admin):
    w = make_world(end=datetime.date(2000, 6, 30))
    conv = submit(w.debenture, "20000", deal_admin)  # Debenture 4(A): five trading days before 06-01
    return conv


def _csv(day, bid="1.2345"):
    return f"date,closing_bid,closing_price,source\n{day.isoformat()},{bid},,Corrected\n"


def test_used_dates_come_from_the_snapshot_window(converted):
    window = [p["day"] for p in converted.snapshot["market_price"]["window"]]
    assert window == ["2000-05-24", "2000-05-25", "2000-05-26", "2000-05-30", "2000-05-31"]
    used = price_dates_used([USED, UNUSED, datetime.date(2000, 5, 24), datetime.date(2000, 5, 23),
                             datetime.date(2000, 5, 29)])
    assert set(used) == {USED, datetime.date(2000, 5, 24)}  # 05-23 is before the window, 05-29 a holiday
    assert used[USED] == [converted.pk]
    assert price_dates_used([]) == {}


def test_replacing_a_used_price_waits_then_applies(converted, deal_admin, checker):
    before = MarketPrice.objects.get(date=USED).closing_bid
    result, approval = price_import_submit(file_name="fix.csv", content=_csv(USED), user=deal_admin, replace=True)
    assert approval is not None and approval.kind == "price_correction" and not result.applied
    assert "waits for a second deal admin" in result.summary()
    assert MarketPrice.objects.get(date=USED).closing_bid == before  # nothing written
    assert approval.payload["held"] == [USED.isoformat()] and approval.payload["conversions"] == [converted.pk]
    approval = approval_approve(approval=approval, checker=checker)
    assert MarketPrice.objects.get(date=USED).closing_bid == D("1.2345")
    assert approval.result_model == "deals.PriceImport"
    converted.refresh_from_db()
    # the record keeps its price and snapshot (80% of the $1.50 average, Debenture 4(A))
    assert converted.conversion_price == D("1.2000")
    assert converted.snapshot["market_price"]["window"][-1] == {"day": "2000-05-31", "price": str(before), "used": True}


def test_unused_date_and_new_dates_import_at_once(converted, deal_admin):
    result, approval = price_import_submit(file_name="fix.csv", content=_csv(UNUSED), user=deal_admin, replace=True)
    assert approval is None and result.applied
    assert MarketPrice.objects.get(date=UNUSED).closing_bid == D("1.2345")


def test_dry_run_never_asks(converted, deal_admin):
    result, approval = price_import_submit(file_name="fix.csv", content=_csv(USED), user=deal_admin, replace=True,
                                           dry_run=True)
    assert approval is None and not Approval.objects.exists()


def test_command_refuses_a_used_date(converted, tmp_path):
    path = tmp_path / "fix.csv"
    path.write_text(_csv(USED))
    with pytest.raises(CommandError, match="second deal admin"):
        call_command("import_prices", str(path), "--replace")
    assert MarketPrice.objects.get(date=USED).closing_bid != D("1.2345")


def test_admin_edit_of_a_used_price_becomes_an_approval(converted, deal_admin_client):
    price = MarketPrice.objects.get(date=USED)
    url = f"/admin/deals/marketprice/{price.pk}/change/"
    r = deal_admin_client.post(url, {"date": USED.isoformat(), "closing_bid": "1.1111", "closing_price": "",
                                     "source": "typo fix"})
    approval = Approval.objects.get(kind="price_correction")
    assert r.status_code == 302 and r["Location"] == f"/approvals/{approval.pk}/"
    assert MarketPrice.objects.get(date=USED).closing_bid == price.closing_bid


def test_admin_import_of_a_used_price_redirects_to_the_approval(converted, deal_admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = deal_admin_client.post("/admin/deals/marketprice/import/", {
        "file": SimpleUploadedFile("fix.csv", _csv(USED).encode()), "replace": "on"})
    approval = Approval.objects.get(kind="price_correction")
    assert r.status_code == 302 and r["Location"] == f"/approvals/{approval.pk}/"


def test_api_import_of_a_used_price_answers_202(converted, deal_admin):
    from tests.api.conftest import key, token_client

    api = token_client(deal_admin)
    r = api.post("/api/market-prices/import/", {"rows": [{"date": USED.isoformat(), "closing_bid": "1.2345",
                                                          "source": "Corrected"}], "replace": True},
                 format="json", **key())
    assert r.status_code == 202, r.content
    body = r.json()
    approval = Approval.objects.get(kind="price_correction")
    assert body["approval_id"] == approval.pk and body["status"] == "pending" and body["url"] == f"/approvals/{approval.pk}/"


def test_streamed_admin_import_names_the_approval(converted, deal_admin_client):
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    r = deal_admin_client.post("/admin/deals/marketprice/import/", {
        "file": SimpleUploadedFile("fix.csv", _csv(USED).encode()), "replace": "on"},
        HTTP_ACCEPT="application/x-ndjson")
    last = json.loads(b"".join(r.streaming_content).decode().strip().splitlines()[-1])
    approval = Approval.objects.get(kind="price_correction")
    assert last["approval_id"] == approval.pk and last["approval_url"] == f"/approvals/{approval.pk}/"
    assert "waits for a second deal admin" in last["summary"]
