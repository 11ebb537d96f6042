"""Derived figures next to the inputs, computed through deals.terms (with their clauses)."""

import datetime
from decimal import Decimal

import pytest

from deals.selectors import derived

pytestmark = pytest.mark.django_db


def _page(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_allocable_share_is_lp_over_the_offering(deal_admin_client, demo):
    holding = demo["holdings"][0]  # 400 shares of $1,000 of $1,000,000
    assert derived.allocable_share(holding).value == Decimal("0.4")
    assert "40.00%" in _page(deal_admin_client, "/admin/deals/preferredholding/")
    fin_page = _page(deal_admin_client, f"/admin/deals/financing/{demo['series_j'].pk}/change/")
    assert "40.0000%" in fin_page and "35.0000%" in fin_page and "25.0000%" in fin_page
    assert "SPA 1(b)(iv)" in fin_page


def test_reserve_required_vs_available(deal_admin_client, demo):
    fig = derived.reserve_status(demo["issuer"])
    assert fig.ok and fig.extra["available"] == 50_000_000 - 7_860_000
    # 150% of conversion shares of $1,000,000 Series J + $1,300,000 debentures (price <= $1.4375) + warrant shares
    warrant_shares = sum(w.shares for w in demo["warrants"])
    assert fig.value >= int(Decimal("1.5") * Decimal(2_300_000) / Decimal("1.4375")) + warrant_shares
    page = _page(deal_admin_client, f"/admin/deals/issuer/{demo['issuer'].pk}/change/")
    assert "SPA 3(c), 4(g)" in page and "42,140,000" in page


def test_reserve_names_missing_prices_in_plain_words(demo):
    from deals.models import BusinessDate

    BusinessDate.objects.filter(pk=1).update(business_date=datetime.date(2003, 1, 6))
    fig = derived.reserve_status(demo["issuer"])
    assert not fig.ok and "Cannot compute on 2003-01-06" in fig.problem


def test_shares_to_register_at_filing(deal_admin_client, demo):
    rs = demo["registration_statement"]
    fig = derived.registration_status(rs)
    assert fig.ok and fig.value == rs.shares_registered  # the demo registered exactly the RRA 2(a)(i) minimum
    page = _page(deal_admin_client, f"/admin/deals/registrationstatement/{rs.pk}/change/")
    assert "RRA 2(a)(i)" in page and f"{rs.shares_registered:,}" in page


def test_registration_shortfall_is_flagged(demo):
    rs = demo["registration_statement"]
    rs.shares_registered = 1000
    fig = derived.registration_status(rs)
    assert fig.warning and "Increased Registered Shares Date" in fig.lines[-1]


def test_warrant_expiry_and_debenture_convertibility(deal_admin_client, demo):
    w = demo["warrants"][0]
    assert derived.warrant_status(w).value == datetime.date(2005, 3, 31)
    assert "SPA 4(h)" in _page(deal_admin_client, f"/admin/deals/warrant/{w.pk}/change/")
    deb = demo["debentures"][0]
    fig = derived.debenture_status(deb)
    assert "Convertible on 2000-03-27: $100,000.00" in " ".join(fig.lines)
    assert "Debenture 4(A)" in _page(deal_admin_client, f"/admin/deals/debenture/{deb.pk}/change/")


def test_investor_page_has_instrument_inlines(deal_admin_client, demo):
    inv = demo["investors"][0]
    page = _page(deal_admin_client, f"/admin/deals/investor/{inv.pk}/change/")
    assert "J-1" in page and "D-1" in page and "W-1" in page


def test_investor_page_holdings_are_read_only(deal_admin_client, demo):
    """Issue 17: the holdings inlines are read-only -- instruments change only through the services
    (SPA 4(a), RRA 9); the investor page is not a side door. Rows still show and link to each instrument."""
    from deals.models import Debenture

    inv = demo["investors"][0]
    deb = Debenture.objects.filter(investor=inv).first()
    url = f"/admin/deals/investor/{inv.pk}/change/"
    r = deal_admin_client.get(url)
    html = r.content.decode()
    assert r.status_code == 200 and deb.number in html and f"/admin/deals/debenture/{deb.pk}/change/" in html
    assert 'name="debentures-0-principal"' not in html and 'name="debentures-0-number"' not in html
    assert "-0-DELETE\"" not in html  # no delete boxes
    # a hand-made POST of an inline row changes nothing
    prefix = next(fs.formset.prefix for fs in r.context["inline_admin_formsets"] if fs.formset.model is Debenture)
    before = (deb.number, deb.principal)
    data = {"legal_name": inv.legal_name, "kind": inv.kind, "jurisdiction": inv.jurisdiction,
            "notice_address": inv.notice_address, "fax": inv.fax or "", "email": inv.email or "",
            "counsel_contact": inv.counsel_contact or "", "dtc_participant": inv.dtc_participant or "",
            "prime_broker": inv.prime_broker or "",
            f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "1", f"{prefix}-0-id": str(deb.pk),
            f"{prefix}-0-number": "D-HACKED", f"{prefix}-0-principal": "1", f"{prefix}-0-DELETE": "on"}
    for fs in r.context["inline_admin_formsets"]:
        if fs.formset.prefix != prefix:
            data.update({f"{fs.formset.prefix}-TOTAL_FORMS": "0", f"{fs.formset.prefix}-INITIAL_FORMS": "0"})
    resp = deal_admin_client.post(url, data)
    assert resp.status_code == 302, resp.context["errors"] if resp.context else resp  # the investor form itself saved
    deb.refresh_from_db()
    assert (deb.number, deb.principal) == before


def test_investor_page_shows_the_first_rows_and_links_to_all(deal_admin_client, demo):
    """Issue 17, (c): an investor with many holdings gets the first ``INLINE_ROWS`` of each kind on
    its page (the page stays fast at ~200 instruments) and a count linking to each full list, which
    the list filters to the investor; the investor can still be saved."""
    from deals.admin import INLINE_ROWS
    from deals.models import Debenture
    from tests import factories as f

    inv = demo["investors"][0]
    fin = Debenture.objects.filter(investor=inv).first().financing
    for _ in range(INLINE_ROWS + 2):
        f.DebentureFactory(financing=fin, investor=inv, number=f"D-X{_}")
    n = Debenture.objects.filter(investor=inv).count()
    url = f"/admin/deals/investor/{inv.pk}/change/"
    r = deal_admin_client.get(url)
    html = r.content.decode()
    fs = next(fs.formset for fs in r.context["inline_admin_formsets"] if fs.formset.model is Debenture)
    assert len(fs.forms) == INLINE_ROWS < n
    listing = f"/admin/deals/debenture/?investor__id__exact={inv.pk}"
    assert f'<a href="{listing}">{n} debentures</a> (the first {INLINE_ROWS} below)' in html
    page = deal_admin_client.get(listing)
    assert page.status_code == 200 and page.context["cl"].result_count == n
    data = {"legal_name": inv.legal_name + " Ltd", "kind": inv.kind, "jurisdiction": inv.jurisdiction,
            "notice_address": inv.notice_address, "fax": inv.fax or "", "email": inv.email or "",
            "counsel_contact": inv.counsel_contact or "", "dtc_participant": inv.dtc_participant or "",
            "prime_broker": inv.prime_broker or ""}
    for f_ in r.context["inline_admin_formsets"]:
        p = f_.formset.prefix
        data.update({f"{p}-TOTAL_FORMS": str(len(f_.formset.forms)), f"{p}-INITIAL_FORMS": str(len(f_.formset.forms))})
        data.update({f"{p}-{i}-id": str(form.instance.pk) for i, form in enumerate(f_.formset.forms)})
        data.update({f"{p}-{i}-investor": str(inv.pk) for i in range(len(f_.formset.forms))})
    resp = deal_admin_client.post(url, data)
    assert resp.status_code == 302, resp.context["errors"] if resp.context else resp
    inv.refresh_from_db()
    assert inv.legal_name.endswith(" Ltd")
