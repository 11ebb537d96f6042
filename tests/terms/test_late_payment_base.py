"""SPA 5(c): "Late Payment For Each $10,000 of Liquidation Preference or Dividend Amount Being
Converted" -- the base is what is actually converted (issue 16 item 2)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from deals.terms.calendars import add_business_days
from deals.terms.conversion import PaymentForm, quote_preferred_conversion
from deals.terms.delivery import late_payment
from deals.terms.params import NHTC_DEFAULTS
from tests.terms.conftest import constant_prices

T = NHTC_DEFAULTS
CLOSING = date(2000, 1, 31)
PRICES = constant_prices("1.50")  # 80% x 1.50 = 1.20 < 1.4375
CAP = 1_572_000  # 20% of 7,860,000 (SPA 4(d)(ii))


def quote(amount: str, *, day: date, election=PaymentForm.CASH, cap_issued=0):
    return quote_preferred_conversion(
        terms=T,
        amount=D(amount),
        conversion_date=day,
        liquidation_preference=D("400000"),
        closing_date=CLOSING,
        prices=PRICES,
        dividend_payment=election,
        cap_shares_issued=cap_issued,
    )


def late_by(q, business_days: int):
    """SPA 5(c) late payment when the shares arrive ``business_days`` beyond 3 business days
    after the Delivery Date."""
    grace_end = add_business_days(q.delivery_date, 3)
    return late_payment(
        terms=T,
        amount_converted=q.late_payment_base,
        delivery_date=q.delivery_date,
        delivered_on=add_business_days(grace_end, business_days),
    )


def test_dividends_taken_in_shares_are_part_of_the_base():
    # 139 days of 6% on $10,000 = $228.49 of dividends converted with the preferred share
    q = quote("10000", day=CLOSING + timedelta(days=139), election=PaymentForm.SHARES)
    assert q.accrual.amount == D("228.49")
    assert q.late_payment_base == D("10228.49")
    # two business days late: $200 per $10,000 -> 10,228.49 / 10,000 x $200 = $204.57 (not $200)
    assert late_by(q, 2).amount == D("204.57")


def test_dividends_paid_in_cash_are_not_converted():
    q = quote("10000", day=CLOSING + timedelta(days=139), election=PaymentForm.CASH)
    assert q.late_payment_base == D("10000.00")
    assert late_by(q, 2).amount == D("200.00")


def test_unconverted_shares_under_the_cap_are_not_being_converted():
    # 52,000 shares of room at $1.20: 62 preferred shares -> 51,667 common; 63 -> 52,500 (SPA 4(i))
    q = quote("400000", day=date(2000, 6, 1), cap_issued=CAP - 52_000)
    assert q.unconverted.convertible_preferred == 62
    assert q.late_payment_base == D("62000.00")
    # two days late: 6.2 units x $200 = $1,240 (the requested $400,000 would give $8,000)
    assert late_by(q, 2).amount == D("1240.00")


def test_no_room_left_means_nothing_is_being_converted():
    q = quote("5000", day=date(2000, 6, 1), cap_issued=CAP)
    assert q.unconverted.convertible_preferred == 0
    assert q.late_payment_base == D("0.00")


def test_base_is_in_the_quote_snapshot():
    q = quote("10000", day=CLOSING + timedelta(days=139), election=PaymentForm.SHARES)
    assert q.as_dict()["late_payment_base"] == "10228.49"


# --- property: an independent reading of SPA 5(c) + SPA 4(i) --------------------------------


def independent_late_payment(*, n_pref: int, days_accrued: int, shares_elected: bool, room: int, days_late: int) -> D:
    """Written from the clauses, not the engine: dividends 6% a year act/365 on $1,000 a share,
    rounded to cents for the whole conversion; the price is 80% of $1.50 = $1.20; SPA 4(i): the
    most whole preferred shares whose common (nearest whole share) fits in the room convert;
    SPA 5(c): per $10,000 of liquidation preference or dividend amount being converted,
    $100 a day late to 10 days, then $1,000 + $200 a day beyond 10."""
    cent = D("0.01")
    total_div = (D(n_pref * 1000) * D("0.06") * D(days_accrued) / D(365)).quantize(cent, ROUND_HALF_UP)
    per_share = D(1000) + (total_div / n_pref if shares_elected else 0)
    k = 0
    for j in range(n_pref, -1, -1):
        if (j * per_share / D("1.20")).quantize(D(1), ROUND_HALF_UP) <= room:
            k = j
            break
    converted_pref = D(1000 * k)
    converted_div = (total_div * k / n_pref).quantize(cent, ROUND_HALF_UP) if shares_elected else D(0)
    per_unit = D(100 * days_late) if days_late <= 10 else D(1000 + 200 * (days_late - 10))
    return ((converted_pref + converted_div) / D(10000) * per_unit).quantize(cent, ROUND_HALF_UP)


@settings(max_examples=150, deadline=None)
@given(
    n_pref=st.integers(1, 400),
    days_accrued=st.integers(0, 400),
    shares_elected=st.booleans(),
    room=st.integers(0, 400_000),
    days_late=st.integers(1, 25),
)
def test_late_payment_base_matches_an_independent_reading(n_pref, days_accrued, shares_elected, room, days_late):
    q = quote(
        str(n_pref * 1000),
        day=CLOSING + timedelta(days=days_accrued),
        election=PaymentForm.SHARES if shares_elected else PaymentForm.CASH,
        cap_issued=CAP - room,
    )
    expected = independent_late_payment(
        n_pref=n_pref, days_accrued=days_accrued, shares_elected=shares_elected, room=room, days_late=days_late
    )
    if q.late_payment_base == 0:
        assert expected == 0
        return
    assert late_by(q, days_late).amount == expected
