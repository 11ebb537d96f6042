"""Debenture 4(A): "the number of shares issuable shall be rounded to the nearest whole share" --
the clause rounds shares only; the conversion price is exact unless the deal term
``conversion_price_precision`` says the transfer agent rounds it to $0.0001 (issue 16 item 1)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from deals.terms.calendars import trading_days_before
from deals.terms.conversion import quote_debenture_conversion, quote_preferred_conversion
from deals.terms.params import NHTC_DEFAULTS, PricePrecision

T = NHTC_DEFAULTS
T4 = NHTC_DEFAULTS.with_changes(conversion_price_precision=PricePrecision.FOUR_DP)
CLOSING = date(2000, 5, 1)
DAY = date(2000, 11, 29)  # Wednesday
BIDS = ("0.62", "2.875", "1.5", "2.29", "1.2964")


def debenture(amount: str, bids, terms=T, day=DAY):
    prices = {d: D(b) for d, b in zip(trading_days_before(day, 5), bids, strict=True)}
    return quote_debenture_conversion(
        terms=terms, amount=D(amount), conversion_date=day, principal=D("1000000"),
        closing_date=CLOSING, prices=prices,
    )


def test_issue_example_exact_price_gives_215583_shares():
    # average (0.62 + 2.875 + 1.5 + 2.29 + 1.2964) / 5 = 1.71628; 80% = 1.373024 < $1.4375
    # 296,000 / 1.373024 = 215,583.4 -> 215,583 (the 4-dp price 1.3730 would give 215,586)
    q = debenture("296000", BIDS)
    assert q.applied_price == D("1.373024")
    assert q.shares == 215_583
    assert q.price.shown_price == D("1.3730")


def test_a_deal_whose_transfer_agent_rounds_the_price_gets_the_4dp_count():
    q = debenture("296000", BIDS, terms=T4)
    assert q.applied_price == D("1.3730")
    assert q.shares == 215_586


def test_fixed_price_is_exact_either_way():
    q = debenture("100000", ("3", "3", "3", "3", "3"))
    assert q.applied_price == D("1.4375") and q.shares == 69_565  # 69,565.2


def test_series_j_price_is_exact_too():
    # SPA 1(b)(ix): 3 lowest of the 20 closing bids; 1.01, 1.02, 1.04 -> 1.023333...; 80% = 0.818666...
    day = date(2000, 11, 29)
    days = trading_days_before(day, 20)
    prices = {d: D("2.00") for d in days}
    for d, p in zip(days[:3], ("1.01", "1.02", "1.04"), strict=True):
        prices[d] = D(p)
    q = quote_preferred_conversion(
        terms=T, amount=D("10000"), conversion_date=day, liquidation_preference=D("100000"),
        closing_date=CLOSING, prices=prices,
    )
    exact = D("0.8") * (D("3.07") / 3)
    assert q.applied_price == exact
    assert q.shares == int((D("10000") / exact).quantize(D(1), ROUND_HALF_UP))  # 12,215
    assert q.shares == 12_215
    q4 = quote_preferred_conversion(
        terms=T4, amount=D("10000"), conversion_date=day, liquidation_preference=D("100000"),
        closing_date=CLOSING, prices=prices,
    )
    assert q4.applied_price == D("0.8187") and q4.shares == 12_214


# --- property: an independent reading of Debenture 4(A) -----------------------------------------


def independent_shares(amount: D, bids: list[D], *, four_dp: bool) -> int:
    """From the clause: Conversion Rate = the lesser of $1.4375 and 80% of the average closing bid
    of the 5 trading days immediately preceding the Conversion Date; shares = amount / rate,
    "rounded to the nearest whole share" (ties up). With ``four_dp`` the rate is first rounded
    to $0.0001 half up, as a rounding transfer agent would."""
    rate = sum(bids) / len(bids) * D("0.80")
    if four_dp:
        rate = rate.quantize(D("0.0001"), ROUND_HALF_UP)
    rate = min(rate, D("1.4375"))
    return int((amount / rate).quantize(D(1), ROUND_HALF_UP))


bid = st.decimals(min_value=D("0.0625"), max_value=D("4"), places=4)


@settings(max_examples=200, deadline=None)
@given(
    cents=st.integers(min_value=1, max_value=100_000_000),
    bids=st.lists(bid, min_size=5, max_size=5),
    four_dp=st.booleans(),
    offset=st.integers(min_value=0, max_value=400),
)
def test_share_count_matches_an_independent_reading_of_4a(cents, bids, four_dp, offset):
    amount = D(cents) / 100
    day = DAY + timedelta(days=offset)
    q = debenture(str(amount), [str(b) for b in bids], terms=T4 if four_dp else T, day=day)
    assert q.shares == independent_shares(amount, bids, four_dp=four_dp)
