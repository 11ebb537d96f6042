"""A clerk records a conversion in a real browser (Debian Chromium through Playwright).

Logs in through the login page, fills the Notice of Conversion for a demo debenture, checks the
review figures against the contract engine, confirms, and finds the conversion in the list.
Screenshots of the review page go to test-artifacts/ (gitignored) in the repository root.
"""

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from deals.models import Conversion, Debenture, InstrumentStatus
from deals.services import conversions as svc
from deals.services.calendar import business_date
from deals.services.roles import CLERK, ensure_groups
from tests.browser import check_page

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} missing (apt-get install chromium)"),
]


@pytest.fixture
def demo(transactional_db, django_user_model, monkeypatch, settings, tmp_path):
    # Playwright's sync API runs an event loop in this thread; the ORM calls below are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.MEDIA_ROOT = tmp_path
    from deals.demo import load_demo_deal

    load_demo_deal()
    ensure_groups()
    clerk = django_user_model.objects.create_user("demo-clerk", password="browser-test-pw")
    clerk.groups.add(Group.objects.get(name=CLERK))
    return clerk


def _money(v: Decimal) -> str:
    return f"${v:,.2f}"


def test_clerk_submits_reviews_confirms_and_finds_the_conversion(demo, live_server):
    from playwright.sync_api import sync_playwright

    deb = Debenture.objects.filter(status=InstrumentStatus.OUTSTANDING, principal_outstanding__gt=0).order_by("number").first()
    assert deb is not None, "the demo deal has an outstanding debenture"
    today = business_date()
    amount = min(Decimal("50000"), deb.principal_outstanding)
    expected = svc.conversion_quote(instrument=deb, amount=amount, conversion_date=today, notice_received_date=today)
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("input[name=username]", "demo-clerk")
            page.fill("input[name=password]", "browser-test-pw")
            page.click("button[type=submit]")
            page.wait_for_selector("[data-testid=business-date]")

            page.goto(f"{live_server.url}/conversions/")
            page.click("[data-testid=new-conversion]")
            # the instrument by its number, with suggestions from /instruments/search/ (issue 17)
            assert page.locator("select[name=instrument]").count() == 0
            page.fill("input[name=instrument]", deb.number[:2])
            page.wait_for_function(
                "n => [...document.querySelectorAll('#id_instrument-suggestions option')].some(o => o.value === n)", arg=deb.number
            )
            assert deb.investor.legal_name in page.locator("#id_instrument-suggestions").inner_html()
            page.fill("input[name=instrument]", deb.number)
            page.fill("input[name=conversion_date]", today.isoformat())
            page.fill("input[name=notice_received_date]", today.isoformat())
            page.select_option("select[name=notice_method]", "facsimile")
            page.fill("input[name=reference]", "browser test fax")
            # too much first: the form comes back with both numbers and the values kept
            page.fill("input[name=amount]", str(deb.principal_outstanding + 1000))
            page.click("[data-testid=quote]")
            error = page.inner_text("#div_id_amount")
            assert _money(deb.principal_outstanding + 1000) in error and _money(deb.principal_outstanding) in error
            assert page.input_value("input[name=reference]") == "browser test fax"
            page.screenshot(path=str(ARTIFACTS / "conversion_form_error.png"), full_page=True)
            check_page(page, "conversion-form-error")
            page.fill("input[name=amount]", str(amount))
            page.click("[data-testid=quote]")

            page.wait_for_selector("#conversion-chart[data-rendered='1']")
            assert page.inner_text("[data-testid=applied-price]").strip() == f"${expected.applied_price}"
            assert page.inner_text("[data-testid=shares]").strip() == f"{expected.shares:,}"
            assert page.inner_text("[data-testid=total-shares]").strip() == f"{expected.total_shares:,}"
            assert page.inner_text("[data-testid=accrual]").strip() == _money(expected.accrual.amount)
            assert page.inner_text("[data-testid=delivery-date]").strip() == expected.delivery_date.isoformat()
            assert page.inner_text("[data-testid=original-due]").strip() == expected.original_notice_due.isoformat()
            rows = page.locator("[data-testid=lookback] tbody tr")
            assert rows.count() == len(expected.market_price.window)
            page.screenshot(path=str(ARTIFACTS / "conversion_review.png"), full_page=True)
            page.locator("#conversion-chart").screenshot(path=str(ARTIFACTS / "conversion_review_chart.png"))
            check_page(page, "conversion-review")  # 390 px: the review page fits a phone

            page.click("[data-testid=confirm]")
            page.wait_for_selector("[data-testid=status]")
            assert "Awaiting delivery" in page.inner_text("[data-testid=status]")
            page.screenshot(path=str(ARTIFACTS / "conversion_detail.png"), full_page=True)
            check_page(page, "conversion-detail")
            conv = Conversion.objects.get()
            assert re.search(rf"/conversions/{conv.pk}/$", page.url)

            page.goto(f"{live_server.url}/conversions/")
            table = page.inner_text("[data-testid=conversion-table]")
            assert f"#{conv.pk}" in table and deb.label in table and _money(amount) in table
            page.screenshot(path=str(ARTIFACTS / "conversion_list.png"), full_page=True)
            check_page(page, "conversion-list")
        finally:
            browser.close()
    assert Conversion.objects.count() == 1
