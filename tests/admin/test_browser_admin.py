"""In Chromium: the price upload page shows its progress and result; key admin pages render."""

import os
from pathlib import Path

import pytest

from tests.browser import check_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots"))
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def page(live_server, deal_admin, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls in the test are still sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian Chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    from deals.demo import load_demo_deal

    load_demo_deal()
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"]
        )
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        pg.goto(f"{live_server.url}/accounts/login/")
        pg.fill("input[name=username]", "dealadmin")
        pg.fill("input[name=password]", "pw-for-tests-only")
        pg.click("button[type=submit], input[type=submit]")
        pg.base = live_server.url
        yield pg
        browser.close()


def test_price_upload_shows_progress_and_the_errors(page, tmp_path):
    from deals.models import MarketPrice

    before = MarketPrice.objects.count()
    bad = tmp_path / "bad.csv"
    bad.write_text("date,closing_bid,closing_price,source\n2002-01-02,1.5,,Vendor\n2002-01-05,1.6,,Vendor\n2002-01-07,-1,,Vendor\n")
    page.goto(page.base + "/admin/deals/marketprice/import/")
    page.set_input_files("input[type=file]", str(bad))
    page.click("#price-import-submit")
    page.wait_for_selector("[data-testid=import-errors]")
    page.screenshot(path=str(SHOTS / "admin-price-import-errors.png"), full_page=True)
    check_page(page, "admin-price-import-errors")
    assert "not an NYSE trading day (weekend)" in page.inner_text("[data-testid=import-errors]")
    assert MarketPrice.objects.count() == before

    good = tmp_path / "good.csv"
    good.write_text("date,closing_bid,closing_price,source\n" + "".join(f"2002-01-{d:02d},1.{d:02d}00,,Vendor\n" for d in (2, 3, 4, 7, 8)))
    page.set_input_files("input[type=file]", str(good))
    page.click("#price-import-submit")
    page.wait_for_selector("[data-testid=import-summary].ok")
    assert page.get_attribute("#upload-bar", "value") == page.get_attribute("#upload-bar", "max")
    page.screenshot(path=str(SHOTS / "admin-price-import-ok.png"), full_page=True)
    assert "created 5" in page.inner_text("[data-testid=import-summary]")
    assert MarketPrice.objects.count() == before + 5
    # issue 15 item 19: the import just made is listed without a reload
    page.wait_for_selector("#recent-imports li:has-text('good.csv')")

    dry = tmp_path / "dry.csv"
    dry.write_text("date,closing_bid,closing_price,source\n2002-01-09,1.2000,,Vendor\n")
    page.set_input_files("input[type=file]", str(dry))
    page.check("input[name=dry_run]")
    page.click("#price-import-submit")
    page.wait_for_selector("[data-testid=import-summary]")
    assert page.inner_text("#write-label").startswith("Checking")  # a dry run writes nothing
    assert MarketPrice.objects.count() == before + 5


def test_admin_pages_render(page):
    from deals.models import DealTermsVersion, Investor, Issuer, RegistrationStatement

    for name, path in [
        ("changelist-debentures", "/admin/deals/debenture/"),
        ("investor", f"/admin/deals/investor/{Investor.objects.first().pk}/change/"),
        ("issuer", f"/admin/deals/issuer/{Issuer.objects.get().pk}/change/"),
        ("registration", f"/admin/deals/registrationstatement/{RegistrationStatement.objects.get().pk}/change/"),
        ("terms-add", "/admin/deals/dealtermsversion/add/"),
        ("terms-v1", f"/admin/deals/dealtermsversion/{DealTermsVersion.objects.order_by('pk').first().pk}/change/"),
        ("prices", "/admin/deals/marketprice/"),
    ]:
        response = page.goto(page.base + path)
        assert response.status == 200, path
        page.screenshot(path=str(SHOTS / f"admin-{name}.png"), full_page=True)
        check_page(page, f"admin-{name}")
