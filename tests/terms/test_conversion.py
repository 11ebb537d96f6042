"""Conversion: Debenture 4(A) (price, shares, interest, eligibility, Conversion Date, Exhibit A)
and the Series J quote (CoD deal terms, SPA 1(b)(ix), cap, reserve)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deals.terms.calendars import trading_days_before
from deals.terms.conversion import (
    ConversionDateBasis,
    PaymentForm,
    PriceBasis,
    accrued_dividends,
    accrued_interest,
    conversion_shares,
    day_count_fraction,
    debenture_conversion_date,
    debenture_conversion_price,
    debenture_eligibility,
    debenture_interest_start,
    quote_debenture_conversion,
    quote_preferred_conversion,
    series_j_conversion_price,
)
from deals.terms.errors import InvalidInput, MissingPrices, NotEligible
from deals.terms.params import NHTC_DEFAULTS, DayCount, PricePrecision
from deals.terms.rounding import ShareRounding
from tests.terms.conftest import constant_prices, wavy_prices

T = NHTC_DEFAULTS
CLOSING = date(2000, 1, 31)  # Monday


def five_days_at(conversion_date: date, value: str) -> dict:
    return {d: D(value) for d in trading_days_before(conversion_date, 5)}


# --- conversion price -----------------------------------------------------------


def test_fixed_price_applies_when_80_percent_of_market_is_higher():
    cp = debenture_conversion_price(
        terms=T, prices=five_days_at(date(2000, 6, 1), "2.00"), conversion_date=date(2000, 6, 1)
    )
    assert cp.discounted_price == D("1.6000")
    assert cp.applied_price == D("1.4375")
    assert cp.basis is PriceBasis.FIXED


def test_discounted_market_price_applies_when_lower():
    cp = debenture_conversion_price(
        terms=T, prices=five_days_at(date(2000, 6, 1), "1.50"), conversion_date=date(2000, 6, 1)
    )
    assert cp.applied_price == D("1.2000")
    assert cp.basis is PriceBasis.MARKET


def test_equal_prices_name_the_fixed_price():
    # 80% x 1.796875 = 1.4375 exactly
    cp = debenture_conversion_price(
        terms=T, prices=five_days_at(date(2000, 6, 1), "1.796875"), conversion_date=date(2000, 6, 1)
    )
    assert cp.discounted_price == cp.fixed_price == cp.applied_price
    assert cp.basis is PriceBasis.FIXED


def test_discounted_price_is_exact_and_shown_rounded_half_up():
    # average 1.2345625; 80% = 0.98765 exactly: Debenture 4(A) rounds only shares, so the
    # price divided by stays 0.98765; pages show 0.9877 (half up)
    cp = debenture_conversion_price(
        terms=T, prices=five_days_at(date(2000, 6, 1), "1.2345625"), conversion_date=date(2000, 6, 1)
    )
    assert cp.discounted_price == D("0.98765") and cp.applied_price == D("0.98765")
    assert cp.shown_price == D("0.9877")


def test_discounted_price_rounds_once_half_up_when_the_deal_rounds_to_4dp():
    cp = debenture_conversion_price(
        terms=T.with_changes(conversion_price_precision=PricePrecision.FOUR_DP),
        prices=five_days_at(date(2000, 6, 1), "1.2345625"),
        conversion_date=date(2000, 6, 1),
    )
    assert cp.discounted_price == D("0.9877") and cp.applied_price == D("0.9877")


def test_series_j_price_uses_three_lowest_of_twenty():
    as_of = date(2000, 6, 1)
    days = trading_days_before(as_of, 20)
    prices = {d: D("3.00") for d in days}
    prices[days[0]], prices[days[5]], prices[days[9]] = D("1.00"), D("1.50"), D("2.00")
    cp = series_j_conversion_price(terms=T, prices=prices, conversion_date=as_of)
    assert cp.market.average == D("1.50")
    assert cp.applied_price == D("1.2000")


# --- shares ------------------------------------------------------------------------


def test_shares_round_to_nearest_with_ties_up():
    assert conversion_shares(D("10000"), D("1.28"), T) == 7813  # 7812.5
    assert conversion_shares(D("10000"), D("1.6"), T) == 6250


def test_shares_can_be_truncated_by_deal_term():
    assert conversion_shares(D("10000"), D("1.28"), T.with_changes(share_rounding=ShareRounding.DOWN)) == 7812


# --- interest and dividends ----------------------------------------------------------


def test_interest_starts_the_first_business_day_after_the_debenture_date():
    assert debenture_interest_start(date(2000, 1, 31)) == date(2000, 2, 1)
    # Fri 2000-01-14, then MLK Day Mon 2000-01-17
    assert debenture_interest_start(date(2000, 1, 14)) == date(2000, 1, 18)


def test_interest_act_365_through_leap_february():
    acc = accrued_interest(terms=T, principal=D("50000"), dated_date=CLOSING, to_date=date(2000, 5, 1))
    assert acc.start == date(2000, 2, 1)
    assert acc.days == 90  # Feb has 29 days in 2000
    assert acc.amount == D("739.73")  # 50,000 x 6% x 90/365 = 739.726...


def test_interest_paid_through_moves_the_start():
    acc = accrued_interest(
        terms=T,
        principal=D("100000"),
        dated_date=CLOSING,
        to_date=date(2000, 5, 1),
        paid_through=date(2000, 3, 31),
    )
    assert acc.start == date(2000, 3, 31)
    assert acc.days == 31


def test_no_interest_before_accrual_starts():
    acc = accrued_interest(terms=T, principal=D("50000"), dated_date=CLOSING, to_date=date(2000, 2, 1))
    assert acc.days == 0 and acc.amount == D("0.00")


@pytest.mark.parametrize(
    ("start", "end", "dc", "days"),
    [
        (date(2000, 1, 31), date(2000, 3, 1), DayCount.ACT_365, 30),
        (date(2000, 1, 31), date(2000, 3, 1), DayCount.ACT_360, 30),
        (date(2000, 1, 31), date(2000, 3, 1), DayCount.THIRTY_360, 31),  # 30 Jan -> 1 Mar
        (date(2000, 1, 30), date(2000, 3, 31), DayCount.THIRTY_360, 60),
        (date(2000, 2, 1), date(2000, 3, 1), DayCount.THIRTY_360, 30),
    ],
)
def test_day_counts(start, end, dc, days):
    n, fraction = day_count_fraction(start, end, dc)
    assert n == days
    assert fraction == D(days) / (365 if dc is DayCount.ACT_365 else 360)


def test_series_j_dividends_accrue_from_issue_date():
    acc = accrued_dividends(
        terms=T, liquidation_preference=D("100000"), issue_date=date(2000, 3, 1), to_date=date(2000, 3, 31)
    )
    assert acc.days == 30
    assert acc.amount == D("493.15")  # 100,000 x 6% x 30/365 = 493.150...


# --- eligibility ----------------------------------------------------------------------


def test_half_becomes_convertible_on_day_90_in_a_leap_year():
    closing = date(2000, 1, 1)
    before = debenture_eligibility(
        terms=T, principal=D("100000"), as_of=date(2000, 3, 30), closing_date=closing
    )
    on = debenture_eligibility(terms=T, principal=D("100000"), as_of=date(2000, 3, 31), closing_date=closing)
    assert before.convertible_now == 0
    assert before.next_date == date(2000, 3, 31) and before.next_amount == D("50000")
    assert on.convertible_now == D("50000")
    assert on.next_date == date(2000, 4, 30)


def test_all_convertible_from_day_120():
    e = debenture_eligibility(
        terms=T, principal=D("100000"), as_of=date(2000, 4, 30), closing_date=date(2000, 1, 1)
    )
    assert e.convertible_now == D("100000")
    assert e.next_date is None


def test_effective_registration_makes_everything_convertible_early():
    e = debenture_eligibility(
        terms=T,
        principal=D("100000"),
        as_of=date(2000, 3, 15),
        closing_date=date(2000, 1, 1),
        effective_date=date(2000, 3, 15),
    )
    assert e.convertible_now == D("100000")
    assert "effective date" in e.reason


def test_effective_date_after_day_120_changes_nothing():
    e = debenture_eligibility(
        terms=T,
        principal=D("100000"),
        as_of=date(2000, 4, 1),
        closing_date=date(2000, 1, 1),
        effective_date=date(2000, 6, 1),
    )
    assert e.convertible_now == D("50000")
    assert e.next_date == date(2000, 4, 30)


def test_already_converted_principal_reduces_what_is_convertible():
    e = debenture_eligibility(
        terms=T,
        principal=D("100000"),
        as_of=date(2000, 4, 10),
        closing_date=date(2000, 1, 1),
        converted_principal=D("50000"),
    )
    assert e.convertible_now == 0
    assert e.next_date == date(2000, 4, 30) and e.next_amount == D("50000")


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=0, max_value=400),
    st.integers(min_value=0, max_value=400),
    st.one_of(st.none(), st.integers(min_value=0, max_value=300)),
)
def test_convertible_amount_never_decreases_with_time(a, b, eff):
    closing = date(2000, 1, 3)
    effective = closing + timedelta(days=eff) if eff is not None else None
    d1, d2 = sorted((closing + timedelta(days=a), closing + timedelta(days=b)))
    e1 = debenture_eligibility(
        terms=T, principal=D("130000"), as_of=d1, closing_date=closing, effective_date=effective
    )
    e2 = debenture_eligibility(
        terms=T, principal=D("130000"), as_of=d2, closing_date=closing, effective_date=effective
    )
    assert e1.convertible_now <= e2.convertible_now


# --- Conversion Date and Exhibit A ------------------------------------------------------


def test_fax_date_stands_when_original_arrives_within_three_business_days():
    cd = debenture_conversion_date(terms=T, fax_date=date(2000, 4, 14), original_received=date(2000, 4, 19))
    assert cd.conversion_date == date(2000, 4, 14)
    assert cd.basis is ConversionDateBasis.FAX_DATE
    assert cd.fax_window_end == date(2000, 4, 19)
    assert cd.original_late is False


def test_original_after_three_business_days_makes_its_arrival_the_conversion_date():
    cd = debenture_conversion_date(terms=T, fax_date=date(2000, 4, 14), original_received=date(2000, 4, 20))
    assert cd.conversion_date == date(2000, 4, 20)
    assert cd.basis is ConversionDateBasis.DELIVERY


def test_exhibit_a_original_due_counts_good_friday_as_a_business_day():
    # Good Friday 2000-04-21: the NYSE is closed but banks are open.
    cd = debenture_conversion_date(terms=T, fax_date=date(2000, 4, 14), original_received=date(2000, 4, 21))
    assert cd.original_due == date(2000, 4, 21)
    assert cd.original_late is False
    late = debenture_conversion_date(terms=T, fax_date=date(2000, 4, 14), original_received=date(2000, 4, 24))
    assert late.original_late is True


def test_pending_original_keeps_the_fax_date_until_the_window_closes():
    pending = debenture_conversion_date(terms=T, fax_date=date(2000, 4, 14), as_of=date(2000, 4, 19))
    assert pending.basis is ConversionDateBasis.FAX_DATE_PENDING
    assert pending.conversion_date == date(2000, 4, 14)
    lapsed = debenture_conversion_date(terms=T, fax_date=date(2000, 4, 14), as_of=date(2000, 4, 20))
    assert lapsed.basis is ConversionDateBasis.AWAITING_ORIGINAL
    assert lapsed.conversion_date is None


def test_hand_delivered_original_is_the_conversion_date():
    cd = debenture_conversion_date(terms=T, original_received=date(2000, 5, 2))
    assert cd.conversion_date == date(2000, 5, 2)
    assert cd.original_due == date(2000, 5, 9)


def test_conversion_date_needs_a_fax_or_an_original():
    with pytest.raises(InvalidInput):
        debenture_conversion_date(terms=T)


# --- quotes ------------------------------------------------------------------------------


def deb_quote(**kw):
    args = dict(
        terms=T,
        amount=D("50000"),
        conversion_date=date(2000, 5, 1),
        principal=D("100000"),
        closing_date=CLOSING,
        prices=constant_prices("1.50"),
    )
    args.update(kw)
    return quote_debenture_conversion(**args)


def test_debenture_quote_hand_computed():
    q = deb_quote(interest_payment=PaymentForm.CASH)
    assert q.eligibility.convertible_now == D("50000")
    assert q.market_price.average == D("1.50")
    assert q.applied_price == D("1.2000") and q.price_basis is PriceBasis.MARKET
    assert q.shares == 41667  # 50,000 / 1.20 = 41,666.67
    assert q.accrual.amount == D("739.73")
    assert q.accrual_cash == D("739.73") and q.accrual_shares == 0
    assert q.total_shares == 41667
    assert q.delivery_date == date(2000, 5, 4)
    assert q.original_notice_due == date(2000, 5, 8)
    assert q.cap.fits and q.reserve.sufficient


def test_interest_in_shares_is_rounded_together_with_principal():
    q = deb_quote(interest_payment=PaymentForm.SHARES)
    # (50,000 + 739.73) / 1.20 = 42,283.108 -> 42,283; principal alone 41,667
    assert q.total_shares == 42283
    assert q.accrual_shares == 42283 - 41667
    assert q.accrual_cash == D("0.00")


def test_quote_rejects_non_positive_amounts():
    for amount in (D("0"), D("-1")):
        with pytest.raises(InvalidInput):
            deb_quote(amount=amount)


def test_quote_above_eligible_names_the_date_it_becomes_eligible():
    with pytest.raises(NotEligible) as err:
        deb_quote(amount=D("60000"))
    assert err.value.eligible_on == CLOSING + timedelta(days=120)
    assert err.value.available == D("50000")


def test_quote_above_outstanding_is_invalid():
    with pytest.raises(InvalidInput):
        deb_quote(amount=D("60000"), converted_principal=D("50000"), conversion_date=date(2000, 7, 1))


def test_quote_lists_all_missing_prices():
    prices = constant_prices("1.50")
    for d in (date(2000, 4, 25), date(2000, 4, 27)):
        del prices[d]
    with pytest.raises(MissingPrices) as err:
        deb_quote(prices=prices)
    assert err.value.dates == (date(2000, 4, 25), date(2000, 4, 27))


def test_quote_reports_the_cap_overflow():
    q = deb_quote(cap_shares_issued=1_560_000)
    assert q.cap.room == 12_000
    assert q.cap.within_cap == 12_000 and q.cap.over_cap == 41667 - 12_000
    assert not q.cap.fits


def test_quote_snapshot_is_json_serialisable():
    q = deb_quote(interest_payment=PaymentForm.SHARES)
    data = json.loads(json.dumps(q.as_dict()))
    assert D(data["applied_price"]) == D("1.2") and data["shown_price"] == "1.2000"
    assert data["precision"] == "exact"
    assert data["delivery_date"] == "2000-05-04"
    assert len(data["market_price"]["window"]) == 5
    assert data["clauses"]


def pref_quote(**kw):
    args = dict(
        terms=T,
        amount=D("50000"),
        conversion_date=date(2000, 5, 1),
        liquidation_preference=D("100000"),
        closing_date=CLOSING,
        prices=constant_prices("1.50"),
    )
    args.update(kw)
    return quote_preferred_conversion(**args)


def test_preferred_quote_hand_computed():
    q = pref_quote()
    assert q.applied_price == D("1.2000")
    assert q.shares == 41667
    # dividends from the Closing Date 2000-01-31 to 2000-05-01: 91 days
    assert q.accrual.days == 91
    assert q.accrual.amount == D("747.95")  # 50,000 x 6% x 91/365 = 747.945...
    assert q.delivery_date == date(2000, 5, 4)
    assert q.original_notice_due is None


def test_preferred_quote_splits_unconverted_shares_under_the_cap():
    q = pref_quote(cap_shares_issued=1_560_000)
    # 12,000 shares of room at 1.20: 14 preferred shares -> 11,667 common; 15 -> 12,500
    assert q.unconverted is not None
    assert q.unconverted.convertible_preferred == 14
    assert q.unconverted.common_shares == 11667
    assert q.unconverted.unconverted_preferred == 36


def test_preferred_quote_snapshot_is_json_serialisable():
    q = pref_quote(cap_shares_issued=1_560_000, dividend_payment=PaymentForm.SHARES)
    assert json.loads(json.dumps(q.as_dict()))["unconverted"]["preferred_shares"] == 50


# --- properties -----------------------------------------------------------------------------

prices_st = st.lists(st.decimals(min_value=D("0.05"), max_value=D("20"), places=4), min_size=5, max_size=5)


@settings(max_examples=200, deadline=None)
@given(prices_st)
def test_conversion_price_is_never_above_the_fixed_price(values):
    conv = date(2000, 6, 1)
    prices = dict(zip(trading_days_before(conv, 5), values, strict=True))
    cp = debenture_conversion_price(terms=T, prices=prices, conversion_date=conv)
    assert cp.applied_price <= T.debenture_fixed_price
    assert cp.applied_price == min(cp.fixed_price, cp.discounted_price)


@settings(max_examples=200, deadline=None)
@given(
    st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=2),
    st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=2),
    st.decimals(min_value=D("0.0100"), max_value=D("5"), places=4),
)
def test_shares_are_monotone_in_amount(a, b, price):
    lo, hi = sorted((a, b))
    assert conversion_shares(lo, price, T) <= conversion_shares(hi, price, T)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=49_999).map(lambda n: D(n)))
def test_quoted_total_shares_are_monotone_in_amount(amount):
    prices = wavy_prices()
    small = deb_quote(amount=amount, prices=prices, interest_payment=PaymentForm.SHARES)
    bigger = deb_quote(amount=amount + 1, prices=prices, interest_payment=PaymentForm.SHARES)
    assert small.total_shares <= bigger.total_shares
