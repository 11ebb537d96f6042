"""Every clerk and admin page at 390, 1024 and 1366 px: no horizontal overflow, no
serious or critical axe-core violation (issue 15 items 16, 18b). Screenshots in
test-artifacts/<page>-<width>.png."""

import os

import pytest
from django.contrib.auth.models import Group

from deals.models import Financing, Investor
from deals.services.roles import CLERK, DEAL_ADMIN, ensure_groups
from tests.browser import check_page

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
    clerk = django_user_model.objects.create_user("layout-clerk", password="browser-test-pw")
    clerk.groups.add(Group.objects.get(name=CLERK))
    admin = django_user_model.objects.create_user("layout-admin", password="browser-test-pw", is_staff=True)
    admin.groups.add(Group.objects.get(name=DEAL_ADMIN))


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"]
        )
        yield b
        b.close()


def _login(browser, live_server, username):
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "browser-test-pw")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=business-date]")
    return page


def _clerk_pages():
    fin = Financing.objects.filter(kind=Financing.Kind.SERIES_J).order_by("id").first()
    inv = fin.preferred_holdings.first().investor
    return [
        ("dashboard", "/"),
        ("conversions", "/conversions/"),
        ("conversion-new", "/conversions/new/"),
        ("exercises", "/exercises/"),
        ("exercise-new", "/exercises/new/"),
        ("redemptions", "/redemptions/"),
        ("cap", "/cap/"),
        ("aging", "/books/aging/"),
        ("investors", "/investors/"),
        ("investor", f"/investors/{inv.pk}/"),
        ("deadlines", "/deadlines/"),
        ("notices", "/notices/"),
        ("company", "/company/"),
        ("registration", f"/company/registration/{fin.pk}/"),
        ("suspensions", f"/company/registration/{fin.pk}/suspensions/"),
        ("damages", f"/company/damages/{fin.pk}/"),
        ("damages-page-2", f"/company/damages/{fin.pk}/?page=2"),
        ("damages-investor", f"/company/damages/{fin.pk}/investors/{inv.pk}/"),
        ("offers", "/company/offers/"),
        ("defaults", "/company/defaults/"),
        ("outbound-notices", "/company/notices/"),
        ("claims", "/company/claims/"),
        ("readings", "/readings/"),
    ]


def test_clerk_pages_fit_every_width_and_pass_axe(demo, live_server, browser):
    page = _login(browser, live_server, "layout-clerk")
    failures = []
    for name, url in _clerk_pages():
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, (url, response.status)
        try:
            check_page(page, f"clerk-{name}")
        except AssertionError as err:
            failures.append(str(err))
    assert not failures, "\n".join(failures)


def test_nav_collapses_at_1024_with_date_user_and_logout_reachable(demo, live_server, browser):
    page = _login(browser, live_server, "layout-clerk")
    page.set_viewport_size({"width": 1024, "height": 800})
    page.goto(f"{live_server.url}/conversions/")
    toggler = page.locator(".navbar-toggler")
    assert toggler.is_visible()
    toggler.click()
    page.locator("[data-testid=business-date]").wait_for(state="visible")
    logout = page.locator("#nav").get_by_role("button", name="Log out")
    box = logout.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 1024
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1024


def test_admin_pages_fit_every_width_and_pass_axe(demo, live_server, browser):
    page = _login(browser, live_server, "layout-admin")
    inv = Investor.objects.order_by("pk").first()
    failures = []
    for name, url in [
        ("admin-index", "/admin/"),
        ("approvals", "/approvals/"),
        ("redemption-new", "/redemptions/new/"),
        ("cap-admin", "/cap/"),
        ("admin-investors", "/admin/deals/investor/"),
        ("admin-investor", f"/admin/deals/investor/{inv.pk}/change/"),
        ("admin-conversions", "/admin/deals/conversion/"),
    ]:
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, (url, response.status)
        try:
            check_page(page, name)
        except AssertionError as err:
            failures.append(str(err))
    assert not failures, "\n".join(failures)
