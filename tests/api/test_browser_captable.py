"""Cap table, what-if and token pages in a real browser (Debian Chromium through Playwright),
at desktop widths (1280, 1024 px) and a phone width (390 px): the charts draw, no script errors, no
horizontal page scroll beyond the tables' own scroll areas."""

from __future__ import annotations

import os

import pytest
from django.contrib.auth.models import Group

from deals.services.roles import CLERK, ensure_groups

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} missing (apt-get install chromium)"),
]


@pytest.fixture
def demo(transactional_db, django_user_model, monkeypatch, settings, tmp_path):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.MEDIA_ROOT = tmp_path
    from deals.demo import load_demo_deal

    load_demo_deal()
    ensure_groups()
    clerk = django_user_model.objects.create_user("demo-clerk", password="browser-test-pw")
    clerk.groups.add(Group.objects.get(name=CLERK))
    return clerk


@pytest.mark.parametrize("width", [1280, 1024, 390])
def test_pages_render_with_charts_at_desktop_and_phone_widths(demo, live_server, width):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"])
        page = browser.new_page(viewport={"width": width, "height": 900})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("input[name=username]", "demo-clerk")
            page.fill("input[name=password]", "browser-test-pw")
            page.click("button[type=submit]")
            page.wait_for_url(lambda u: "/accounts/login/" not in u)

            page.goto(f"{live_server.url}/cap-table/")
            page.wait_for_selector("[data-testid=cap-table]")
            page.wait_for_function("() => !!Chart.getChart(document.getElementById('cap-chart'))", timeout=15_000)
            assert page.locator("[data-testid=cap-meter]").inner_text().startswith(("0 of", "1", "2", "3", "4", "5", "6", "7", "8", "9"))
            assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")

            page.goto(f"{live_server.url}/what-if/")
            page.fill("input[name=trading_days]", "30")
            page.click("button:has-text('Run')")
            page.wait_for_selector("[data-testid=whatif-table]")
            page.wait_for_function("() => !!Chart.getChart(document.getElementById('whatif-chart'))", timeout=15_000)
            assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")

            page.goto(f"{live_server.url}/profile/tokens/")
            page.fill("input[name=name]", "browser")
            page.click("button:has-text('Create token')")
            assert page.locator("[data-testid=token-text]").inner_text().startswith("nhtc_")
        finally:
            browser.close()
    assert errors == []
