"""Four eyes in a real browser (issue 12): a deal admin asks for a new terms version in the admin ->
it is pending (nothing applied, the nav badge counts it) -> a second deal admin approves it on
/approvals/ -> the version applies. Screenshots at 390 / 1024 / 1366 px go to test-artifacts/."""

import datetime
import os

import pytest
from django.contrib.auth.models import Group

from deals.models import Approval, DealTermsVersion, Financing
from deals.services.calendar import business_date
from deals.services.roles import DEAL_ADMIN, ensure_groups
from tests.browser import check_page

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} missing (apt-get install chromium)"),
]


@pytest.fixture
def admins(transactional_db, django_user_model, monkeypatch, settings, tmp_path):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.MEDIA_ROOT = tmp_path
    from deals.demo import load_demo_deal

    load_demo_deal()
    ensure_groups()
    users = []
    for name in ("maker-admin", "checker-admin"):
        u = django_user_model.objects.create_user(name, password="browser-test-pw", is_staff=True)
        u.groups.add(Group.objects.get(name=DEAL_ADMIN))
        users.append(u)
    return users


def _login(page, url, username):
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "browser-test-pw")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=business-date]")


def test_maker_asks_checker_approves_version_applies(admins, live_server):
    from playwright.sync_api import sync_playwright

    fin = Financing.objects.order_by("pk").first()
    latest = fin.terms_versions.order_by("-version").first()
    effective = max(business_date(), latest.effective_from) + datetime.timedelta(days=1)
    new_days = latest.fax_date_max_business_days + 2  # a clerical term: no consent needed (docs/terms.md)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 1000})
            _login(page, live_server.url, "maker-admin")
            page.goto(f"{live_server.url}/admin/deals/dealtermsversion/add/?financing={fin.pk}")
            page.fill("input[name=effective_from]", effective.isoformat())
            page.fill("input[name=reason]", "browser: fax check window")
            page.fill("input[name=fax_date_max_business_days]", str(new_days))
            page.click("input[name=_save]")
            page.wait_for_selector("[data-testid=approval-status]")
            assert page.inner_text("[data-testid=approval-status]").strip() == "Pending"
            assert page.locator("[data-testid=own-request]").count() == 1  # the maker cannot decide
            assert not DealTermsVersion.objects.filter(financing=fin, version=latest.version + 1).exists()
            check_page(page, "approval-pending-maker")
            page.context.clear_cookies()

            _login(page, live_server.url, "checker-admin")
            assert page.inner_text("[data-testid=approvals-badge]").strip() == "1"
            page.click("[data-testid=nav-approvals]")
            page.wait_for_selector("[data-testid=approval-rows]")
            check_page(page, "approvals-list")
            approval = Approval.objects.get()
            page.click(f"[data-testid=approval-rows] a[href='/approvals/{approval.pk}/'] >> nth=0")
            page.wait_for_selector("[data-testid=terms-diff]")
            assert str(new_days) in page.inner_text("[data-testid=terms-diff]")
            check_page(page, "approval-detail-checker")
            page.check("input[name=confirm]")
            page.click("[data-testid=approve-form] button")
            page.wait_for_selector("[data-testid=approval-result]")
            assert page.inner_text("[data-testid=approval-status]").strip() == "Approved and applied"
            check_page(page, "approval-approved")
            assert page.locator("[data-testid=approvals-badge]").count() == 0
        finally:
            browser.close()
    v = DealTermsVersion.objects.get(financing=fin, version=latest.version + 1)
    assert v.fax_date_max_business_days == new_days and v.effective_from == effective
    assert v.created_by.username == "maker-admin"
    approval.refresh_from_db()
    assert approval.checker.username == "checker-admin" and approval.result_id == v.pk
