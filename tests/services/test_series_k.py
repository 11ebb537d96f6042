"""Issue 18 "done when": a third financing -- a fictional Series K convertible preferred with
its own discount and look-back -- converts under its own terms while Series J conversions
keep theirs; no code changes, only a financing and its terms version."""

import datetime
import re
from decimal import Decimal

import pytest

from deals import models as m
from deals.selectors.terms import terms_in_force
from deals.services import conversions as svc
from deals.services.calendar import business_date_set
from deals.services.sweeps import sweep_run
from deals.terms import calendars
from tests import factories as f

D = Decimal
DAY = datetime.date(2000, 6, 1)  # Thursday; holdings closed 2000-01-14, fully convertible


@pytest.fixture
def deal(db):
    """The two NHTC financings and a Series K (70% of the average of the 2 lowest closing bids
    of the 10 trading days before the Conversion Date; Series J: 80% of the 3 lowest of 20).

    Closing bids are $1.50 except two low days inside Series J's 20-day window but before
    Series K's 10-day window ($0.90, $1.20) and one inside both windows ($1.20)."""
    business_date_set(day=DAY)
    issuer = f.IssuerFactory()
    series_j = f.SeriesJFinancingFactory(issuer=issuer, name="Series J")
    debentures = f.FinancingFactory(issuer=issuer, name="6% Debentures")
    series_k = f.SeriesJFinancingFactory(issuer=issuer, name="Series K (fictional)", terms=False,
                                         agreement_date=datetime.date(2000, 1, 3))
    f.DealTermsVersionFactory(financing=series_k, effective_from=datetime.date(2000, 1, 3), reason="Series K CoD",
                              preferred_discount_pct=D("70"), preferred_lookback_days=10, preferred_lookback_lowest=2)
    f.price_series(datetime.date(2000, 3, 1), DAY, bid=D("1.5000"))
    j_window = calendars.trading_days_before(DAY, 20)
    k_window = set(calendars.trading_days_before(DAY, 10))
    only_j = [d for d in j_window if d not in k_window]
    lows = {only_j[0]: D("0.9000"), only_j[1]: D("1.2000"), max(k_window): D("1.2000")}
    for day, bid in lows.items():
        m.MarketPrice.objects.filter(date=day).update(closing_bid=bid)
    inv = f.InvestorFactory()
    return {
        "j": f.PreferredHoldingFactory(financing=series_j, investor=inv, shares=100),
        "k": f.PreferredHoldingFactory(financing=series_k, investor=inv, shares=100, certificate_number="K-1"),
        "deb": f.DebentureFactory(financing=debentures, investor=inv),
        "series_j": series_j,
        "series_k": series_k,
    }


def _convert(holding, user, key):
    return svc.conversion_submit(instrument=holding, amount=D("10000"), conversion_date=DAY, notice_method="facsimile",
                                 notice_received_date=DAY, idempotency_key=key, user=user)


def test_series_k_converts_under_its_own_discount_and_look_back(deal, clerk):
    k = _convert(deal["k"], clerk, "k-1")
    # Series K: 2 lowest of 10 = ($1.20 + $1.50) / 2 = $1.35; 70% = $0.945 < Fixed Price $1.4375
    assert k.conversion_price == D("0.9450")
    assert k.shares_for_amount == 10582  # $10,000 / $0.945 = 10,582.01 -> nearest
    assert k.terms_version.financing == deal["series_k"]
    assert len(k.snapshot["market_price"]["window"]) == 10


def test_series_j_conversions_keep_their_terms(deal, clerk):
    j_before = _convert(deal["j"], clerk, "j-1")
    k = _convert(deal["k"], clerk, "k-1")
    j_after = _convert(deal["j"], clerk, "j-2")
    # Series J: 3 lowest of 20 = ($0.90 + $1.20 + $1.20) / 3 = $1.10; 80% = $0.88
    for j in (j_before, j_after):
        assert j.conversion_price == D("0.8800")
        assert j.shares_for_amount == 11364  # $10,000 / $0.88 = 11,363.64 -> nearest
        assert j.terms_version.financing == deal["series_j"]
        assert len(j.snapshot["market_price"]["window"]) == 20
    assert k.conversion_price == D("0.9450")
    assert terms_in_force(financing=deal["series_j"], day=DAY).terms.preferred_discount_pct == D("80")


def test_a_new_series_k_version_changes_nothing_for_series_j(deal, clerk):
    f.DealTermsVersionFactory(financing=deal["series_k"], effective_from=DAY, reason="SPA 4(j)(v)-style repricing",
                              preferred_discount_pct=D("60"), preferred_lookback_days=10, preferred_lookback_lowest=2)
    k = _convert(deal["k"], clerk, "k-2")
    j = _convert(deal["j"], clerk, "j-3")
    assert k.terms_version.version == 2 and k.conversion_price == D("0.8100")  # 60% of $1.35
    assert j.terms_version.version == 1 and j.conversion_price == D("0.8800")


def test_series_k_before_its_terms_took_effect_is_refused_naming_it(deal, clerk):
    # the holding did not exist yet either: the conversion says so, naming the Series K holding
    # (issue 15 item 17); the financing's own terms lookup names the financing and the date
    with pytest.raises(svc.WorkflowError, match=r"1999-12-31 is before Series K K-1 existed"):
        svc.conversion_quote(instrument=deal["k"], amount=D("10000"), conversion_date=datetime.date(1999, 12, 31),
                             as_of=DAY)
    with pytest.raises(svc.WorkflowError, match=r"1999-12-31 is before Series K \(fictional\) existed"):
        terms_in_force(financing=deal["series_k"], day=datetime.date(1999, 12, 31))


def test_the_sweep_runs_over_three_financings(deal, clerk):
    _convert(deal["k"], clerk, "k-1")
    _convert(deal["j"], clerk, "j-1")
    run = sweep_run(as_of=DAY, triggered_by="test")
    assert run.status == "succeeded", run.stats
    notes = [n for r in run.stats["rules"].values() for n in r["notes"]]
    assert not [n for n in notes if "deal terms" in n.lower()], notes


# --- issue 18: the cap table and the what-if price each holding with ITS financing's terms -----


def test_cap_table_prices_the_series_k_holding_with_series_k_terms(deal):
    from deals.selectors.captable import cap_table_as_of

    t = cap_table_as_of(DAY)
    prices = {p.name: p for p in t.prices}
    assert prices["Series J"].price.applied_price == D("0.8800")  # 80% of the 3 lowest of 20
    assert prices["Series K (fictional)"].price.applied_price == D("0.9450")  # 70% of the 2 lowest of 10
    assert t.series_j_price.applied_price == D("0.8800")  # the SPA's own price stays the headline figure
    row = next(r for r in t.rows if r.holder_id == deal["j"].investor_id)
    # J: $100,000 / $0.88 = 113,636.36 -> 113,636; K: $100,000 / $0.945 = 105,820.11 -> 105,820
    # (both at the Series J price it would be 2 x 113,636 = 227,272)
    assert row.series_j_as_converted == 113_636 + 105_820
    shown = {p["financing"]: D(p["conversion_price"]) for p in t.as_dict()["conversion_prices"]}
    assert shown["Series J"] == D("0.88") and shown["Series K (fictional)"] == D("0.945")
    assert set(shown) == {"Series J", "Series K (fictional)", deal["deb"].financing.name}


def test_cap_table_notes_a_financing_whose_terms_are_not_in_force_yet(deal):
    from deals.selectors.captable import cap_table_as_of

    later = f.SeriesJFinancingFactory(issuer=deal["series_j"].issuer, name="Series L (fictional)", terms=False)
    f.DealTermsVersionFactory(financing=later, effective_from=datetime.date(2000, 7, 1), reason="Series L CoD")
    f.PreferredHoldingFactory(financing=later, investor=f.InvestorFactory(), shares=10, certificate_number="L-1")
    t = cap_table_as_of(DAY)
    assert any("Series L (fictional)" in n and DAY.isoformat() in n for n in t.notes), t.notes
    assert t.series_j_as_converted is None  # unknown, not priced with another financing's terms


def test_holding_labels_name_their_own_series(deal):
    assert deal["j"].label == "Series J " + deal["j"].certificate_number
    assert deal["k"].label == "Series K K-1"
    assert str(deal["k"]).startswith("Series K cert. K-1")


def test_series_k_conversion_delivery_row_names_series_k_in_workflow_and_sweep(deal, clerk):
    conv = _convert(deal["k"], clerk, "k-lbl")
    ob = m.Obligation.objects.get(object_id=conv.pk, kind="share_delivery")
    assert "Series K K-1" in ob.description
    sweep_run(as_of=DAY, triggered_by="test")
    ob.refresh_from_db()
    assert "Series K K-1" in ob.description and "Series J K-1" not in ob.description


def test_whatif_quotes_the_series_k_holding_like_the_app(deal):
    from deals.selectors.whatif import PricePath, event_for, run_scenario

    deal["k"].refresh_from_db()  # the amounts as the database keeps them (cents)
    expected = svc.conversion_quote(instrument=deal["k"], amount=D("10000.00"), conversion_date=DAY, notice_method="facsimile",
                                    notice_received_date=DAY, interest_election="cash").as_dict()
    _, result = run_scenario(start=DAY, trading_days=1, path=PricePath("history"), policy="events",
                             events=[event_for(deal["k"], D("10000.00"), DAY)])
    quote = result.rows[0].quotes[0]["quote"]
    assert quote == expected
    assert D(quote["applied_price"]) == D("0.945") and quote["shares"] == 10582 and D(quote["discount_pct"]) == 70
    assert result.rows[0].series_j_price == D("0.8800")  # the column stays the Series J price


def test_cap_table_page_shows_each_financings_price(deal, clerk_client):
    html = clerk_client.get("/cap-table/", {"as_of": DAY.isoformat()}).content.decode()
    found = re.findall(r'([^<>,:]+?)\s*<strong data-testid="financing-price">\$([\d.]+)</strong>', html)
    shown = {name.strip(): price for name, price in found}
    assert shown["Series K (fictional)"] == "0.9450" and shown["Series J"] == "0.8800", shown
