"""The admin's price upload page (plain POST and streamed progress) and CSV export."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from deals.models import MarketPrice, PriceImport

pytestmark = pytest.mark.django_db
URL = "/admin/deals/marketprice/import/"
GOOD = b"date,closing_bid,closing_price,source\n2000-03-01,1.8125,1.875,Bloomberg\n2000-03-03,1.75,,Bloomberg\n"


def _file(content=GOOD, name="prices.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_changelist_links_to_import_and_export(deal_admin_client):
    page = deal_admin_client.get("/admin/deals/marketprice/").content.decode()
    assert URL in page and "/admin/deals/marketprice/export/" in page


def test_upload_page_loads_with_progress_bars_and_empty_state(deal_admin_client):
    page = deal_admin_client.get(URL).content.decode()
    assert "upload-bar" in page and "validate-bar" in page and "js/price_import.js" in page
    assert "No imports yet" in page


def test_plain_post_imports_and_shows_summary_and_gap_warning(deal_admin_client, deal_admin):
    page = deal_admin_client.post(URL, {"file": _file()}).content.decode()
    assert "created 2" in page and "No price for 2000-03-02" in page
    assert MarketPrice.objects.count() == 2
    assert PriceImport.objects.get().uploaded_by == deal_admin


def test_plain_post_with_bad_rows_lists_them_and_writes_nothing(deal_admin_client):
    bad = GOOD + b"2000-03-04,1.7,,Bloomberg\n2000-03-06,abc,,Bloomberg\n"
    page = deal_admin_client.post(URL, {"file": _file(bad)}).content.decode()
    assert "2 error(s)" in page and "nothing was imported" in page
    assert "not an NYSE trading day (weekend)" in page and "is not a number" in page
    assert MarketPrice.objects.count() == 0


def test_streamed_post_sends_progress_then_the_result(deal_admin_client):
    response = deal_admin_client.post(URL, {"file": _file()}, HTTP_ACCEPT="application/x-ndjson")
    assert response.status_code == 200 and response["Content-Type"] == "application/x-ndjson"
    lines = [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]
    assert {line["type"] for line in lines[:-1]} == {"progress"}
    assert lines[-1]["type"] == "result" and lines[-1]["ok"] and lines[-1]["rows_created"] == 2
    assert lines[-1]["price_import_url"].startswith("/admin/deals/priceimport/")
    assert MarketPrice.objects.count() == 2


def test_streamed_post_without_file_answers_400_with_a_message(deal_admin_client):
    response = deal_admin_client.post(URL, {}, HTTP_ACCEPT="application/x-ndjson")
    assert response.status_code == 400
    assert "required" in json.loads(response.content)["errors"][0]["message"]


def test_dry_run_box_writes_nothing(deal_admin_client):
    page = deal_admin_client.post(URL, {"file": _file(), "dry_run": "on"}).content.decode()
    assert "Dry run" in page and MarketPrice.objects.count() == 0


def test_clerk_and_anonymous_cannot_import(clerk, db):
    c = Client()
    assert c.get(URL).status_code == 302
    c.force_login(clerk)
    assert c.post(URL, {"file": _file()}).status_code == 403
    assert MarketPrice.objects.count() == 0


def test_export_view_and_action(deal_admin_client):
    deal_admin_client.post(URL, {"file": _file()})
    response = deal_admin_client.get("/admin/deals/marketprice/export/?from=2000-03-02")
    assert response["Content-Disposition"].endswith('market-prices.csv"')
    assert response.content.decode().splitlines() == ["date,closing_bid,closing_price,source",
                                                      "2000-03-03,1.7500,,Bloomberg"]
    ids = list(MarketPrice.objects.values_list("pk", flat=True))
    response = deal_admin_client.post("/admin/deals/marketprice/",
                                      {"action": "export_selected", "_selected_action": ids})
    assert response.content.decode().count("\n") == 3


def test_import_record_page_shows_the_report(deal_admin_client):
    deal_admin_client.post(URL, {"file": _file(GOOD + b"2000-03-04,1.7,,X\n")})
    rec = PriceImport.objects.get()
    page = deal_admin_client.get(f"/admin/deals/priceimport/{rec.pk}/change/").content.decode()
    assert "not an NYSE trading day" in page and "Rejected" in page
