"""The demo loader: matches the agreements, is deterministic and idempotent."""

import datetime
import time
from decimal import ROUND_FLOOR, Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

from deals import models as m
from deals.demo import DEMO_BUSINESS_DATE, PRICE_SOURCE, load_demo_deal, synthetic_prices
from deals.services.calendar import business_date
from deals.terms import calendars

pytestmark = pytest.mark.django_db


def _history_rows() -> int:
    return sum(model.history.count() for model in (m.Issuer, m.Financing, m.Investor, m.Debenture, m.Warrant,
                                                     m.PreferredHolding, m.RegistrationStatement, m.BusinessDate,
                                                     m.DealTermsVersion))


def test_thirteen_debentures_of_100000_make_the_1300000_issue():
    demo = load_demo_deal()
    debs = m.Debenture.objects.all()
    assert sorted(d.number for d in debs) == sorted(f"D-{n}" for n in range(1, 14))
    assert {d.principal for d in debs} == {Decimal("100000.00")}
    assert debs.aggregate(s=Sum("principal"))["s"] == demo["debenture_financing"].total_offering == Decimal("1300000")
    # Debenture, first page: "due March 31, 2000"; 4(A): all convertible 120 days after Closing.
    assert {d.maturity_date for d in debs} == {datetime.date(2000, 3, 31)}
    closing = demo["debenture_financing"].initial_closing_date
    assert closing + datetime.timedelta(days=120) <= DEMO_BUSINESS_DATE < datetime.date(2000, 3, 31)


def test_series_j_liquidation_preferences_sum_to_the_offering():
    demo = load_demo_deal()
    lp = m.PreferredHolding.objects.aggregate(s=Sum("liquidation_preference"))["s"]
    assert lp == demo["series_j"].total_offering == Decimal("1000000")
    assert sorted(h.shares for h in m.PreferredHolding.objects.all()) == [250, 350, 400]
    assert all("(demo)" in i.legal_name and "Fictional" in i.legal_name for i in m.Investor.objects.all())
    # SPA 1(b)(iv): Allocable Shares sum to 1.
    fin = demo["series_j"]
    assert sum(fin.allocable_share(h.liquidation_preference) for h in m.PreferredHolding.objects.all()) == 1


def test_issuer_details_come_from_the_spa():
    load_demo_deal()
    issuer = m.Issuer.objects.get()
    assert issuer.state_of_incorporation == "Florida"
    assert "380 Lashley Street" in issuer.address
    assert issuer.fax == "(303) 682-4236"
    assert "Silverman, Collura & Chernis" in issuer.counsel
    assert issuer.authorized_common_shares == 50_000_000
    assert issuer.shares_outstanding_at_signing == 7_860_000


def test_warrants_are_sized_per_spa_4h_from_the_bid_before_closing():
    demo = load_demo_deal()
    closing = demo["series_j"].initial_closing_date
    pricing_day = calendars.previous_trading_day(closing)
    bid = m.MarketPrice.objects.get(date=pricing_day).closing_bid
    for holding in m.PreferredHolding.objects.select_related("investor"):
        warrant = m.Warrant.objects.get(investor=holding.investor)
        # 20% x Purchase Price / (110% x closing bid), whole shares rounded down.
        expected = (Decimal("0.2") * holding.purchase_price / (Decimal("1.1") * bid)).to_integral_value(ROUND_FLOOR)
        assert warrant.shares == int(expected)
        assert warrant.exercise_price == (Decimal("1.1") * bid).quantize(Decimal("0.0001"))
        # Last day of the month of the 5th anniversary of the Closing Date.
        assert warrant.expiry_date == datetime.date(2005, 3, 31)


def test_price_series_is_synthetic_deterministic_and_on_trading_days_only():
    load_demo_deal()
    days = calendars.trading_days_between(datetime.date(1999, 11, 1), datetime.date(2001, 12, 31))
    prices = list(m.MarketPrice.objects.order_by("date"))
    assert [p.date for p in prices] == list(days)
    assert {p.source for p in prices} == {PRICE_SOURCE}
    assert all(Decimal("1.5") <= p.closing_bid <= Decimal("2.5") for p in prices)
    assert all(p.closing_bid.as_tuple().exponent >= -4 for p in prices)
    assert datetime.date(2001, 9, 11) not in {p.date for p in prices}  # NYSE closed
    assert synthetic_prices() == synthetic_prices()
    assert len({p.closing_bid for p in prices}) > 100  # a walk, not a constant


def test_second_run_changes_nothing():
    load_demo_deal()
    before = _history_rows(), m.MarketPrice.objects.count()
    again = load_demo_deal()
    assert again["created"] == {} and again["updated"] == {}
    assert (_history_rows(), m.MarketPrice.objects.count()) == before


def test_business_date_is_set_once_and_an_admin_choice_is_kept():
    load_demo_deal()
    assert business_date() == DEMO_BUSINESS_DATE
    m.BusinessDate.objects.filter(pk=1).update(business_date=datetime.date(2000, 6, 1))
    load_demo_deal()
    assert business_date() == datetime.date(2000, 6, 1)


def test_each_financing_has_its_own_version_one_with_the_nhtc_defaults_from_1999():
    from deals.selectors.terms import terms_in_force
    from deals.terms.params import NHTC_DEFAULTS, fields_for

    demo = load_demo_deal()
    load_demo_deal()  # idempotent: still one version per financing
    for fin in (demo["series_j"], demo["debenture_financing"]):
        v1 = m.DealTermsVersion.objects.get(financing=fin)
        assert v1.version == 1 and v1.effective_from == datetime.date(1999, 1, 1)
        carried = set(fields_for(fin.terms_kind))
        terms = terms_in_force(financing=fin, day=datetime.date(2000, 6, 1)).terms
        for name in NHTC_DEFAULTS.field_names():
            expected = getattr(NHTC_DEFAULTS, name) if name in carried else None
            assert getattr(terms, name) == expected, (fin, name)
    assert demo["terms_version"].financing == demo["series_j"]


def test_registration_statement_registers_rra_2a_shares():
    demo = load_demo_deal()
    rs = demo["registration_statement"]
    warrant_shares = sum(w.shares for w in m.Warrant.objects.all())
    assert rs.filed_date and rs.effective_date is None
    assert rs.shares_registered > warrant_shares


def test_management_command_runs_fast(capsys):
    start = time.perf_counter()
    call_command("load_demo_deal")
    elapsed = time.perf_counter() - start
    out = capsys.readouterr().out
    assert "13 debentures" in out
    print(f"bench load_demo_deal_seconds={elapsed:.3f}")
    assert elapsed < 10
