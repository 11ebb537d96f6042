"""The books in a real browser (Debian Chromium through Playwright): a deal admin converts
$10,000 of Series J, records the delivery two business days late, pays the SPA 5(c) late
payment ($200.00) on its obligation page -- the form shows the amount due on the chosen date
before saving -- and downloads the investor's statement of account as a PDF. Then the same
pages at 390 px (phone) width. Screenshots go to test-artifacts/."""

import datetime
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from deals.models import BusinessDate, Conversion, Obligation, ObligationKind, ObligationStatus, Settlement
from deals.services.roles import DEAL_ADMIN, ensure_groups
from tests.services.test_conversions import CONV_DATE, make_world

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} missing (apt-get install chromium)"),
]


@pytest.fixture
def world(transactional_db, django_user_model, monkeypatch, settings, tmp_path):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.MEDIA_ROOT = tmp_path
    w = make_world(end=datetime.date(2000, 7, 31))
    ensure_groups()
    admin = django_user_model.objects.create_user("books-admin", password="browser-test-pw")
    admin.groups.add(Group.objects.get(name=DEAL_ADMIN))
    return w


def test_convert_deliver_late_pay_the_late_payment_and_download_the_statement(world, live_server):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    url = live_server.url
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1024, "height": 900})
        try:
            page.goto(f"{url}/accounts/login/")
            page.fill("input[name=username]", "books-admin")
            page.fill("input[name=password]", "browser-test-pw")
            page.click("button[type=submit]")
            page.wait_for_selector("[data-testid=business-date]", state="attached")  # in the collapsed nav at 1024 px

            # 1. convert $10,000 of Series J on 2000-06-01 (Delivery Date 2000-06-06)
            page.goto(f"{url}/conversions/")
            page.click("[data-testid=new-conversion]")
            page.fill("input[name=instrument]", world.preferred.certificate_number)
            page.fill("input[name=conversion_date]", CONV_DATE.isoformat())
            page.fill("input[name=notice_received_date]", CONV_DATE.isoformat())
            page.select_option("select[name=notice_method]", "facsimile")
            page.fill("input[name=reference]", "books browser test")
            page.fill("input[name=amount]", "10000")
            page.click("[data-testid=quote]")
            page.click("[data-testid=confirm]")
            page.wait_for_selector("[data-testid=status]")
            conv = Conversion.objects.get()

            # 2. delivered on 2000-06-13: two business days after the grace period (SPA 5(c))
            BusinessDate.objects.filter(pk=1).update(business_date=datetime.date(2000, 6, 13))
            page.goto(f"{url}/conversions/{conv.pk}/")
            page.click("button[data-bs-target='#act-deliver']")
            page.fill("[data-testid=form-deliver] input[name$=delivered_date]", "2000-06-13")
            page.fill("[data-testid=form-deliver] input[name$=reference]", "DWAC 4411")
            with page.expect_navigation():  # the POST and its redirect (the page before has the same elements)
                page.click("[data-testid=form-deliver] button[type=submit]")
            page.wait_for_selector("[data-testid=obligations]")
            assert "delivered" in page.inner_text("[data-testid=status]")
            assert "$200.00" in page.inner_text("[data-testid=obligations]")

            # 3. the late payment's page: amount due shown for the chosen date, then paid
            page.click("[data-testid=obligations] a:has-text('Late payment')")
            page.wait_for_selector("[data-testid=balance-amount]")
            assert page.inner_text("[data-testid=balance-amount]").strip() == "$200.00"
            page.wait_for_selector("[data-testid=due-line]:has-text('balance $200.00')")  # static JS, CSP-safe
            page.fill("input[name=pay-amount]", "250.00")
            page.select_option("select[name=pay-method]", "wire")
            with page.expect_navigation():  # the refused POST re-renders the same page
                page.click("[data-testid=pay-form] button[type=submit]")
            error = page.inner_text("[data-testid=pay-form]")
            assert "$250.00" in error and "$200.00" in error  # refused, both numbers
            page.fill("input[name=pay-amount]", "200.00")
            page.fill("input[name=pay-reference]", "FW-2000-0613")
            page.click("[data-testid=pay-form] button[type=submit]")
            page.wait_for_selector("[data-testid=settlements]")
            assert page.inner_text("[data-testid=status]").startswith("Paid")
            assert "FW-2000-0613" in page.inner_text("[data-testid=settlements]")
            page.screenshot(path=str(ARTIFACTS / "books_obligation_paid.png"), full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= 1024  # no sideways scrolling at 1024 px
            late = Obligation.objects.get(kind=ObligationKind.LATE_PAYMENT)
            assert late.status == ObligationStatus.PAID and Settlement.objects.get().amount == Decimal("200.00")

            # 4. the statement of account as a PDF (notices machinery)
            page.click("a:has-text('statement of account')")
            page.click("[data-testid=statement-pdf]")
            page.wait_for_selector("[data-testid=record-notices] a:has-text('Download PDF')", timeout=60_000)
            href = page.get_attribute("[data-testid=record-notices] a:has-text('Download PDF')", "href")
            pdf = page.request.get(f"{url}{href}")
            assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
            page.screenshot(path=str(ARTIFACTS / "books_statement.png"), full_page=True)

            # 5. the Aging page at phone width: no horizontal scrolling of the page itself
            page.set_viewport_size({"width": 390, "height": 844})
            page.goto(f"{url}/books/aging/")
            page.wait_for_selector("[data-testid=aging-investors]")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            page.goto(f"{url}/books/obligations/{late.pk}/")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            page.screenshot(path=str(ARTIFACTS / "books_obligation_phone.png"), full_page=True)
        finally:
            browser.close()
