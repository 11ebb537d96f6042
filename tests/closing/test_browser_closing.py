"""Browser: acceptance -> deposit -> conditions -> Closing Date computed -> holdings and warrants issued."""

import os

import pytest

from tests.closing.conftest import ACCEPTED


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


def login(page, live_server, django_user_model, target):
    from django.contrib.auth.models import Group

    from deals.services.roles import DEAL_ADMIN, ensure_groups

    ensure_groups()
    admin = django_user_model.objects.create_user(username="browser-admin", password="pw-browser-1")
    admin.groups.add(Group.objects.get(name=DEAL_ADMIN))
    page.goto(f"{live_server.url}/accounts/login/?next={target}")
    page.fill("input[name=username]", "browser-admin")
    page.fill("input[name=password]", "pw-browser-1")
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"**{target}")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_closing_walkthrough(browser, live_server, series_j, buyers, django_user_model, tmp_path):
    from deals.models import ClosingRoom, PreferredHolding, Warrant

    evidence = tmp_path / "evidence.pdf"
    evidence.write_bytes(b"%PDF-1.4 evidence")
    page = browser.new_page(viewport={"width": 1024, "height": 900})
    csp = []
    page.on("console", lambda msg: csp.append(msg.text) if "Content Security Policy" in msg.text else None)
    login(page, live_server, django_user_model, "/closing/new/")
    page.select_option("select[name=financing]", str(series_j.pk))
    page.fill("input[name=acceptance_date]", ACCEPTED.isoformat())
    page.click("text=Open the room")
    page.wait_for_selector("[data-testid=room-status]")
    assert page.inner_text("[data-testid=escrow-due]") == "2000-01-18"  # 3 NYSE trading days; MLK day skipped
    assert "SPA 7(a)" in page.inner_text("[data-testid=missing]")

    form = page.locator("[data-testid=subscription-form]")
    form.locator("summary").click()
    form.locator("input[name=investor]").fill(buyers[0].legal_name)  # by name (issue 17)
    form.locator("input[name=amount]").fill("1000000")
    form.locator("input[name=purchase_price]").fill("1000000")
    form.locator("button").click()
    page.wait_for_selector("text=Subscription added")

    dep = page.locator("[data-testid=deposit-form]")
    dep.locator("summary").click()
    dep.locator("input[name=amount]").fill("1000000")
    dep.locator("input[name=deposited_on]").fill("2000-01-14")
    dep.locator("input[name=reference]").fill("FED REF 123")
    dep.locator("button").click()
    page.wait_for_selector("text=Deposit recorded")
    assert page.inner_text("[data-testid=escrow-total]") == "$1,000,000.00"

    codes = ["7(a)", "7(b)", "7(c)", "7(d)", "7(e)", "8(a)", "8(b)", "8(c)", "8(d)", "8(e)", "8(f)", "8(g)", "8(h)"]
    for code in codes:
        row = page.locator(f"tr[data-code='{code}']")
        if code in ("7(e)", "8(h)"):
            row.locator("summary", has_text="Waived").click()
            row.locator("input[name=met_on]").last.fill("2000-01-20")
            row.locator("input[name=waived_by]").fill("The Company" if code == "7(e)" else "Alpha Fund Ltd.")
            row.locator("input[name=note]").last.fill("Waiver letter of 2000-01-20")
            row.locator("button", has_text="Record waiver").click()
        else:
            row.locator("summary", has_text="Satisfied").click()
            row.locator("input[name=met_on]").first.fill("2000-01-20")
            row.locator("input[name=evidence]").set_input_files(str(evidence))
            row.locator("button", has_text="Mark satisfied").click()
        page.wait_for_selector(
            f"text={code[0]}({code[2]}) {'waived' if code in ('7(e)', '8(h)') else 'satisfied'}.".replace(f"{code[0]}(", f"SPA {code[0]}(")
        )
        if code != codes[-1]:
            assert "Not yet determined" in page.inner_text("[data-testid=closing-date]")
    # SPA 6(a): the first NYSE trading day after the last condition (Thursday 2000-01-20)
    assert page.inner_text("[data-testid=closing-date]") == "2000-01-21"
    page.screenshot(path=str(tmp_path / "closing_room.png"), full_page=True)
    page.check("input[name=bring_down_confirmed]")
    page.click("[data-testid=record-form] button")
    page.wait_for_selector("[data-testid=issued]")
    issued = page.inner_text("[data-testid=issued]")
    assert "J-1" in issued and "W-1" in issued and "1.000000" in issued
    assert ClosingRoom.objects.get().status == "closed"
    h = PreferredHolding.objects.get()
    w = Warrant.objects.get()
    # SPA 4(h): 20% of $1,000,000 / (110% x $2.00) = 90,909.09 -> 90,909 at $2.20
    assert (h.shares, w.shares, str(w.exercise_price)) == (1000, 90_909, "2.2000")
    # phone width: the room still renders without horizontal overflow of the page body
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
        ".filter(e => !e.closest('.table-responsive')).map(e => e.tagName + '.' + e.className + '#' + (e.dataset.testid||'')).slice(0, 8)"
    )
    assert page.evaluate("document.body.scrollWidth <= window.innerWidth + 1"), wide
    assert csp == []
