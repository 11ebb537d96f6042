"""The cap table engine's per-instrument rounding (issue 17): a holder's instruments come grouped
by financing, each group priced once, every amount still rounded on its own."""

import datetime
import random
from decimal import Decimal
from types import SimpleNamespace

import pytest

from deals.terms.captable import FinancingPrice, HolderInput, Holdings, build_cap_table
from deals.terms.conversion import conversion_shares, conversion_shares_each
from deals.terms.errors import InvalidInput
from deals.terms.params import DealTerms
from deals.terms.rounding import ShareRounding

D = Decimal
HALF_UP, DOWN = DealTerms(), DealTerms(share_rounding=ShareRounding.DOWN)
PRICE = D("0.8") * D("1.1") / 3  # an exact price with 28 digits, as a look-back average leaves it


@pytest.mark.parametrize("terms", [HALF_UP, DOWN])
def test_each_amount_is_rounded_on_its_own(terms):
    rng = random.Random(7)
    amounts = [D(rng.randint(1, 10_000_000)) / 100 for _ in range(500)] + [D("0.44"), D("0.1466666666666666666666666667")]
    assert conversion_shares_each(amounts, PRICE, terms) == sum(conversion_shares(a, PRICE, terms) for a in amounts)
    # and not the rounded sum: 3 x $0.15 at $0.30 is 3 x 0.5 shares
    assert conversion_shares_each([D("0.15")] * 3, D("0.30"), HALF_UP) == 3
    assert conversion_shares_each([D("0.15")] * 3, D("0.30"), DOWN) == 0


def test_bad_input_is_refused_like_conversion_shares():
    with pytest.raises(InvalidInput):
        conversion_shares_each([D("1")], D("0"), HALF_UP)
    with pytest.raises(InvalidInput):
        conversion_shares_each([D("1"), D("-1")], D("1"), HALF_UP)
    assert conversion_shares_each([], D("1"), HALF_UP) == 0


def _price(applied):
    return SimpleNamespace(applied_price=applied)


def _table(series_j: Holdings, prices):
    return build_cap_table(
        terms=HALF_UP, as_of=datetime.date(2000, 6, 1), holders=[HolderInput(1, "A", 0, series_j)],
        series_j_price=_price(D("1")), debenture_price=_price(D("1")), authorized=50_000_000,
        shares_outstanding_at_signing=7_860_000, cap_shares_issued=0, prices=prices,
    )


def test_a_holders_instruments_are_priced_by_their_own_financing():
    j = FinancingPrice(1, "Series J", "preferred", HALF_UP, _price(D("0.88")))
    k = FinancingPrice(2, "Series K", "preferred", DOWN, _price(D("0.945")))
    holdings = Holdings((D("100000"), D("100000"), D("0"), D("50000")), (1, 2, 2, 1))
    row = _table(holdings, [j, k]).rows[0]
    # J: 113,636.36 -> 113,636 and 56,818.18 -> 56,818; K (down): 105,820.10 -> 105,820; the 0 is no position
    assert row.series_j_as_converted == 113_636 + 56_818 + 105_820
    assert row.series_j_amount == D("250000")
    # a financing the caller could not price makes the class unknown, whatever the order
    unknown = FinancingPrice(2, "Series K", "preferred", DOWN, None)
    assert _table(holdings, [j, unknown]).rows[0].series_j_as_converted is None
    # ... unless its only instrument is used up
    assert _table(Holdings((D("100000"), D("0")), (1, 2)), [j, unknown]).rows[0].series_j_as_converted == 113_636
    with pytest.raises(InvalidInput):
        _table(Holdings((D("1"),), ()), [j])
