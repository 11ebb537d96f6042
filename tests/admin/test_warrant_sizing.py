"""Issue 12: warrant entries in the admin are checked against SPA 4(h) sizing.

SPA 4(h): warrants for "(x) twenty percent (20%) of the Purchase Price ... divided by (y) 110% of the
closing bid price ... on the trading day immediately before the Closing Date", exercise price "equal
to 110% of the closing bid price", expiring "on the last day of the calendar month in which the fifth
anniversary of the Closing Date occurs". A different figure needs a reason that is kept.

Buyer: 400 Series J shares closing Tuesday 2000-03-07 (Purchase Price $400,000); closing bid on Monday
2000-03-06 = $1.5000 -> 110% = $1.65; $80,000 / $1.65 = 48,484.85 -> 48,484 shares (rounded down);
expiry 2005-03-31.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from deals.forms.admin import WarrantAdminForm
from deals.models import Financing, MarketPrice, Warrant
from tests.factories import FinancingFactory, InvestorFactory, PreferredHoldingFactory, SeriesJFinancingFactory

CLOSING = datetime.date(2000, 3, 7)


@pytest.fixture
def buyer(db):
    fin, inv = SeriesJFinancingFactory(), InvestorFactory()
    PreferredHoldingFactory(financing=fin, investor=inv, shares=400, closing_date=CLOSING)
    MarketPrice.objects.create(date=datetime.date(2000, 3, 6), closing_bid=Decimal("1.5000"), closing_price=Decimal("1.5625"), source="t")
    MarketPrice.objects.create(date=CLOSING, closing_bid=Decimal("9.0000"), closing_price=Decimal("9.0000"), source="t")  # not used
    return fin, inv


def _form(fin, inv, **over):
    data = {"financing": fin.pk, "investor": inv.pk, "number": "W-77", "shares": "48484", "exercise_price": "1.6500",
            "issue_date": CLOSING.isoformat(), "expiry_date": "2005-03-31", "sizing_reason": ""}
    data.update(over)
    return WarrantAdminForm(data=data)


def test_the_spa_4h_figures_are_accepted_and_the_check_is_kept(buyer):
    form = _form(*buyer)
    assert form.is_valid(), form.errors
    w = form.save()
    assert w.sizing_check["expected"]["shares"] == 48484 and w.sizing_check["differences"] == {}
    assert w.sizing_check["expected"]["pricing_day"] == "2000-03-06"


def test_an_empty_expiry_is_computed_and_matches(buyer):
    form = _form(*buyer, expiry_date="")
    assert form.is_valid(), form.errors
    assert form.save().expiry_date == datetime.date(2005, 3, 31)


@pytest.mark.parametrize("shares", ["48485", "48483"])
def test_one_share_over_or_under_is_refused_with_the_working(buyer, shares):
    form = _form(*buyer, shares=shares)
    assert not form.is_valid()
    (msg,) = form.errors["shares"]
    assert "SPA 4(h) sizes this warrant at 48,484 shares" in msg
    assert "$400,000.00 = $80,000.00 / 110% of the closing bid $1.5000 on 2000-03-06" in msg
    assert f"not {int(shares):,}" in msg and "give a sizing reason" in msg
    assert not Warrant.objects.exists()


def test_a_different_exercise_price_or_expiry_is_refused(buyer):
    form = _form(*buyer, exercise_price="1.6501", expiry_date="2005-03-30")
    assert not form.is_valid()
    assert "= $1.6500, not $1.6501" in form.errors["exercise_price"][0]
    assert "= 2005-03-31, not 2005-03-30" in form.errors["expiry_date"][0]


def test_a_different_figure_with_a_reason_is_kept_with_its_reason(buyer):
    form = _form(*buyer, shares="50000", sizing_reason="Side letter of 2000-03-07 rounds the coverage up to 50,000 shares")
    assert form.is_valid(), form.errors
    w = form.save()
    assert w.sizing_reason.startswith("Side letter")
    assert list(w.sizing_check["differences"]) == ["shares"] and w.sizing_check["reason"] == w.sizing_reason
    assert w.history.get().sizing_reason == w.sizing_reason  # kept in the history too


def test_a_blank_reason_does_not_count(buyer):
    assert not _form(*buyer, shares="50000", sizing_reason="   ").is_valid()


def test_no_closing_bid_for_the_pricing_day_needs_a_reason(buyer):
    MarketPrice.objects.filter(date=datetime.date(2000, 3, 6)).delete()
    form = _form(*buyer)
    assert not form.is_valid()
    assert "no closing bid is recorded for 2000-03-06" in form.non_field_errors()[0]
    assert _form(*buyer, sizing_reason="Bloomberg bid from the closing memo").is_valid()


def test_no_holding_closing_on_the_issue_date_needs_a_reason(buyer):
    fin, inv = buyer
    form = _form(fin, inv, issue_date="2000-03-08", expiry_date="2005-03-31")
    assert not form.is_valid()
    assert "closes on 2000-03-08" in form.non_field_errors()[0]


def test_a_debenture_financing_has_no_warrant_sizing_to_check(db):
    fin, inv = FinancingFactory(kind=Financing.Kind.DEBENTURE), InvestorFactory()
    form = _form(fin, inv, shares="1000", exercise_price="2.0000", expiry_date="2005-03-31")
    assert form.is_valid(), form.errors


def test_editing_a_checked_warrant_is_checked_again(buyer):
    w = _form(*buyer).save()
    form = WarrantAdminForm(
        instance=w,
        data={"financing": w.financing_id, "investor": w.investor_id, "number": w.number, "shares": "48000",
              "exercise_price": "1.6500", "issue_date": "2000-03-07", "expiry_date": "2005-03-31", "sizing_reason": ""},
    )
    assert not form.is_valid() and "48,484" in form.errors["shares"][0]


def test_admin_page_shows_the_refusal_and_saves_with_a_reason(buyer, deal_admin_client):
    admin_client = deal_admin_client
    fin, inv = buyer
    url = reverse("admin:deals_warrant_add")
    data = {"financing": fin.pk, "investor": inv.pk, "number": "W-78", "shares": "48000", "exercise_price": "1.6500",
            "issue_date": "2000-03-07", "expiry_date": "2005-03-31", "sizing_reason": ""}
    r = admin_client.post(url, data)
    assert r.status_code == 200 and "SPA 4(h) sizes this warrant at 48,484 shares" in r.content.decode()
    assert not Warrant.objects.exists()
    r = admin_client.post(url, {**data, "sizing_reason": "Buyer waived 484 warrant shares in writing"})
    assert r.status_code == 302
    w = Warrant.objects.get()
    page = admin_client.get(reverse("admin:deals_warrant_change", args=[w.pk])).content.decode()
    assert "recorded differently because: Buyer waived 484 warrant shares in writing" in page
