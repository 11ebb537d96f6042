"""Browser: a deal admin records a suspension and sees the RRA 3(h) verdict before saving."""

import datetime
import os

import pytest

from deals.services.company import registration as reg_svc
from tests.browser import check_page

D = datetime.date


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API runs an event loop; the ORM calls in the test are ours.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    playwright = pytest.importorskip("playwright.sync_api")
    if not os.path.exists("/usr/bin/chromium"):
        pytest.skip("Debian Chromium not installed at /usr/bin/chromium")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"]
        )
        yield b
        b.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_deal_admin_sees_permitted_and_not_permitted_verdicts_then_saves(browser, live_server, deal, as_of, django_user_model):
    from django.contrib.auth.models import Group

    from deals.models import SuspensionPeriod
    from deals.services.roles import DEAL_ADMIN, ensure_groups

    ensure_groups()
    admin = django_user_model.objects.create_user(username="browser-admin", password="pw-browser-1")
    admin.groups.add(Group.objects.get(name=DEAL_ADMIN))
    reg_svc.registration_statement_save(
        financing=deal["financing"],
        data={"filed_date": D(2000, 3, 20), "effective_date": D(2000, 3, 24), "shares_registered": 2_000_000},
        user=None,
        as_of=as_of,
    )
    page = browser.new_page()
    target = f"/company/registration/{deal['financing'].pk}/suspensions/"
    page.goto(f"{live_server.url}/accounts/login/?next={target}")
    page.fill("input[name=username]", "browser-admin")
    page.fill("input[name=password]", "pw-browser-1")
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"**{target}")
    page.fill("input[name=notice_date]", "2000-05-01")
    page.fill("input[name=start_date]", "2000-05-03")
    page.fill("input[name=end_date]", "2000-05-22")
    page.locator("input[name=end_date]").dispatch_event("change")
    verdict = page.locator("[data-testid=verdict]")
    verdict.wait_for()
    assert verdict.get_attribute("data-permitted") == "true"
    assert "Permitted Suspension Period" in verdict.inner_text()
    # One day earlier: only one business day's notice -> 2000-05-02 is not permitted, and
    # 2000-05-22 becomes the 21st day (RRA 3(h)(i)).
    page.fill("input[name=start_date]", "2000-05-02")
    page.locator("input[name=start_date]").dispatch_event("change")
    page.wait_for_selector("[data-testid=verdict][data-permitted=false]")
    text = page.locator("[data-testid=verdict]").inner_text()
    assert "Not a Permitted Suspension Period" in text and "2000-05-02" in text and "2000-05-22" in text
    os.makedirs("/tmp/shots", exist_ok=True)
    page.screenshot(path="/tmp/shots/company_suspension_verdict.png", full_page=True)
    check_page(page, "company-suspension-verdict")
    assert SuspensionPeriod.objects.count() == 0  # nothing saved by the preview
    page.click("[data-testid=save-suspension]")
    page.wait_for_selector("text=Suspension recorded")
    assert SuspensionPeriod.objects.get().non_permitted_days == ["2000-05-02", "2000-05-22"]
    page.screenshot(path="/tmp/shots/company_suspension_saved.png", full_page=True)
    check_page(page, "company-suspension-saved")
