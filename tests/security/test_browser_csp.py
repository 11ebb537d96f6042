"""Issue 15 item 4 in a real browser: the pages a deal admin visits (charts, live previews,
the admin and its figures) raise no Content-Security-Policy violation."""

import shutil

import pytest

from deals.demo import load_demo_deal
from deals.services.sweeps import sweep_run

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian Chromium (/usr/bin/chromium) is not installed"),
]

PAGES = ["/", "/deadlines/", "/conversions/", "/conversions/new/", "/exercises/", "/redemptions/", "/investors/",
         "/notices/", "/company/", "/company/registration/", "/company/damages/", "/admin/",
         "/admin/deals/debenture/", "/admin/deals/marketprice/import/", "/admin/deals/issuer/{issuer}/change/",
         "/admin/deals/issuer/{issuer}/history/"]


@pytest.fixture
def page(live_server, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"])
        yield browser.new_page(viewport={"width": 1366, "height": 900})
        browser.close()


@pytest.mark.django_db(transaction=True)
def test_no_csp_violation_on_the_pages_a_deal_admin_visits(page, live_server, deal_admin):
    load_demo_deal()
    sweep_run(triggered_by="test")
    violations = []
    page.on("console", lambda msg: violations.append(f"{page.url}: {msg.text}")
            if "Content Security Policy" in msg.text else None)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "dealadmin")
    page.fill("input[name=password]", "pw-for-tests-only")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    from deals.models import Issuer

    issuer = Issuer.objects.get().pk  # not always 1: earlier transactional tests advance the sequences
    for url in PAGES:
        url = url.format(issuer=issuer)
        response = page.goto(f"{live_server.url}{url}")
        assert response.status < 400, url
        page.wait_for_load_state("networkidle")
    # The dashboard chart is drawn under the policy (Chart.js sizes its canvas).
    page.goto(f"{live_server.url}/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.getElementById('timeline-chart').width") > 100
    assert violations == []
