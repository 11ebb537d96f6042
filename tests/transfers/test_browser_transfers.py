"""Browser: a legend removal (instruction letter and deadline) and a debenture transfer (new
D-number, register)."""

import pytest

from tests.closing.test_browser_closing import browser, login  # noqa: F401  (fixture)

from .conftest import on


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_legend_removal_and_debenture_transfer(browser, live_server, deal, django_user_model, tmp_path):  # noqa: F811
    import datetime

    from deals.models import Debenture, Obligation

    on(datetime.date(2001, 2, 1))
    opinion = tmp_path / "opinion.pdf"
    opinion.write_bytes(b"%PDF-1.4 opinion")
    page = browser.new_page(viewport={"width": 1024, "height": 900})
    csp = []
    page.on("console", lambda msg: csp.append(msg.text) if "Content Security Policy" in msg.text else None)
    login(page, live_server, django_user_model, "/transfers/")
    assert "Not restricted" in page.inner_text("[data-testid=restrictions]")

    page.click("text=Legend removal")
    page.select_option("select[name=financing]", str(deal["fin"].pk))
    page.fill("input[name=investor]", deal["a"].legal_name)  # by name (issue 17)
    page.select_option("select[name=security]", "common")
    page.fill("input[name=certificate]", "C-1001")
    page.fill("input[name=quantity]", "50000")
    page.select_option("select[name=basis]", "rule_144k")
    page.fill("input[name=counsel]", "Smith & Jones LLP")
    page.fill("input[name=opinion_date]", "2001-01-31")
    page.fill("input[name=opinion_received]", "2001-02-01")
    page.set_input_files("input[name=opinion_file]", str(opinion))
    page.click("button:has-text('Record')")
    page.wait_for_selector("[data-testid=legend-due]")
    # Thu 2001-02-01 + 3 business days = Tue 2001-02-06 (SPA 4(b), 5(a) read as 3 business days)
    assert page.inner_text("[data-testid=legend-due]") == "2001-02-06"
    assert Obligation.objects.get(kind="legend_removal").due_date == datetime.date(2001, 2, 6)
    page.wait_for_selector("[data-testid=record-notices] >> text=Legend removal instruction letter")
    page.reload()
    assert "Download PDF" in page.inner_text("[data-testid=record-notices]")

    page.goto(f"{live_server.url}/transfers/new/")
    page.fill("input[name=source]", deal['deb'].number)  # by number (issue 17)
    page.fill("input[name=transferee]", deal["off"].legal_name)  # by name (issue 17)
    page.fill("input[name=amount]", "150000")
    page.fill("input[name=transfer_date]", "2001-02-01")
    page.fill("input[name=notice_to_company_date]", "2001-02-01")
    page.check("input[name=assignee_non_us]")
    page.fill("input[name=counsel_opinion]", "Smith & Jones LLP, 2001-01-31")
    page.click("button:has-text('Record')")
    page.wait_for_selector("text=Debenture 1")  # $150,000 refused: not a $100,000 multiple
    assert Debenture.objects.count() == 1
    page.fill("input[name=amount]", "100000")
    page.click("button:has-text('Record')")
    page.wait_for_selector("[data-testid=new-instruments]")
    assert "D-2" in page.inner_text("[data-testid=new-instruments]")

    page.goto(f"{live_server.url}/transfers/register/?financing={deal['deb_fin'].pk}&on=2001-02-01")
    reg = page.inner_text("[data-testid=register]")
    assert "D-2" in reg and "Gamma Offshore Ltd." in reg and "$200,000.00" in reg
    assert "2001-03-21" in page.inner_text("[data-testid=record-date]")
    assert csp == []
