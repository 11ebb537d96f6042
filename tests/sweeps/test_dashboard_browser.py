"""The dashboard in a real browser on the demo deal: the sweep's deadlines, the
timeline chart drawn, and "run sweep now" reporting its progress."""

import os
import shutil

import pytest

from deals.demo import load_demo_deal
from deals.services.sweeps import sweep_run

CHROMIUM = "/usr/bin/chromium"
SHOTS = os.environ.get("SHOTS_DIR", "/tmp/shots")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian Chromium (/usr/bin/chromium) is not installed"),
]


@pytest.fixture
def page(live_server, monkeypatch):
    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"]
        )
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        yield pg
        browser.close()


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-for-tests-only")
    page.click("button[type=submit]")


@pytest.mark.django_db(transaction=True)
def test_dashboard_shows_the_demo_deals_deadlines_and_runs_the_sweep(page, live_server, deal_admin):
    load_demo_deal()
    sweep_run(triggered_by="test")  # as of the demo business date, 2000-03-27
    os.makedirs(SHOTS, exist_ok=True)
    _login(page, live_server, "dealadmin")
    page.goto(f"{live_server.url}/")
    page.wait_for_selector("[data-testid=summary]")
    assert page.locator("canvas#timeline-chart").count() == 1
    # the chart drew something (Chart.js sizes the canvas)
    assert page.evaluate("document.getElementById('timeline-chart').width") > 100
    # debentures mature 2000-03-31, within 7 business days of 2000-03-27
    assert page.locator("[data-testid=week-table]").inner_text().count("Debenture maturity") >= 1
    page.screenshot(path=f"{SHOTS}/dashboard.png", full_page=True)
    page.click("[data-testid=run-sweep]")
    page.wait_for_selector("[data-sweep-message]:has-text('succeeded')", timeout=30_000)
    assert "0 created, 0 updated" in page.inner_text("[data-sweep-message]")  # same date: nothing changes
    page.screenshot(path=f"{SHOTS}/dashboard_after_run.png")
    page.goto(f"{live_server.url}/deadlines/")
    page.wait_for_selector("[data-testid=sweep-runs]")
    page.screenshot(path=f"{SHOTS}/deadlines.png", full_page=True)
