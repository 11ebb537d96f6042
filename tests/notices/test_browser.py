"""The notices pages in Chromium: list -> detail -> download -> verify, and a deal admin's
correction. Screenshots go to /tmp/shots/ (outside the repo)."""

import hashlib
import os
from pathlib import Path

import pytest

from tests.browser import check_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path("/tmp/shots")


@pytest.fixture
def browser(monkeypatch):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Debian Chromium not installed at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # test makes between page actions are safe (nothing else runs here).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"]
        )
        yield b
        b.close()


def _login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-for-tests-only")
    page.click("button[type=submit], input[type=submit]")


def test_clerk_downloads_and_verifies_admin_corrects(live_server, browser, conversion, clerk, deal_admin, tmp_path):
    from notices.models import Notice
    from notices.services import notice_request

    notice = notice_request(record=conversion, kind="conversion", user=clerk)  # autocommit: renders now
    notice.refresh_from_db()
    assert notice.status == "ready", notice.error
    SHOTS.mkdir(exist_ok=True)

    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    _login(page, live_server.url, clerk.username)
    page.goto(f"{live_server.url}/notices/")
    assert page.locator("[data-testid=notice-table]").is_visible()
    page.screenshot(path=str(SHOTS / "notices-list.png"), full_page=True)
    check_page(page, "notices-list")

    page.click(f"text={notice.reference}")
    assert page.locator("[data-testid=sha256]").inner_text() == notice.sha256
    with page.expect_download() as info:
        page.click("[data-testid=download]")
    download = info.value
    assert download.suggested_filename == "notice-of-conversion-D-7-2000-05-15.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == notice.sha256

    page.click("[data-testid=verify]")
    assert "Verified." in page.locator("[data-testid=verification]").inner_text()
    page.screenshot(path=str(SHOTS / "notice-detail-verified.png"), full_page=True)
    check_page(page, "notice-detail-verified")
    page.close()

    admin = browser.new_page(viewport={"width": 1280, "height": 900})
    _login(admin, live_server.url, deal_admin.username)
    admin.goto(f"{live_server.url}/notices/{notice.pk}/")
    admin.click("[data-testid=supersede-form] button[type=submit]")  # no reason: refused, nothing lost
    assert "reason" in admin.content().lower()
    admin.fill("textarea[name=reason]", "Holder's address updated")
    admin.click("[data-testid=supersede-form] button[type=submit]")
    new = Notice.objects.get(supersedes=notice)
    admin.wait_for_url(f"**/notices/{new.pk}/")
    admin.goto(f"{live_server.url}/notices/{new.pk}/")
    assert "v2" in admin.locator("[data-testid=versions]").inner_text()
    admin.screenshot(path=str(SHOTS / "notice-detail-v2.png"), full_page=True)
    admin.goto(f"{live_server.url}/notices/{notice.pk}/")
    assert "Superseded by" in admin.locator("[data-testid=superseded]").inner_text()
    admin.screenshot(path=str(SHOTS / "notice-detail-superseded.png"), full_page=True)
    check_page(admin, "notice-detail-superseded")
    admin.close()
