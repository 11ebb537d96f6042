"""Issue 18 "done when": a third financing -- a fictional Series K convertible preferred with
its own discount and look-back -- converts under its own terms while Series J conversions
keep theirs; no code changes, only a financing and its terms version."""

import datetime
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
    with pytest.raises(svc.WorkflowError, match=r"1999-12-31 is before Series K \(fictional\) existed"):
        svc.conversion_quote(instrument=deal["k"], amount=D("10000"), conversion_date=datetime.date(1999, 12, 31),
                             as_of=DAY)


def test_the_sweep_runs_over_three_financings(deal, clerk):
    _convert(deal["k"], clerk, "k-1")
    _convert(deal["j"], clerk, "j-1")
    run = sweep_run(as_of=DAY, triggered_by="test")
    assert run.status == "succeeded", run.stats
    notes = [n for r in run.stats["rules"].values() for n in r["notes"]]
    assert not [n for n in notes if "deal terms" in n.lower()], notes
