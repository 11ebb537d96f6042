"""Delivery Date, SPA 5(c) late payments and revocation, 5(d) Buy-In, 5(f) Mandatory Purchase."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deals.terms.delivery import (
    buy_in_adjustment,
    debenture_delivery_date,
    late_payment,
    late_payment_per_unit,
    mandatory_purchase_amount,
    revocation_right,
    series_j_delivery_date,
)
from deals.terms.errors import InvalidInput
from deals.terms.params import NHTC_DEFAULTS

T = NHTC_DEFAULTS
DELIVERY = date(2000, 6, 1)  # Thursday; grace ends Tue 2000-06-06


@pytest.mark.parametrize(
    ("days", "per_unit"),
    [
        (0, "0"),
        (1, "100"),
        (2, "200"),
        (5, "500"),
        (9, "900"),
        (10, "1000"),
        (11, "1200"),
        (12, "1400"),
        (15, "2000"),
    ],
)
def test_spa_5c_table_rows(days, per_unit):
    assert late_payment_per_unit(days, T) == D(per_unit)


def test_late_payment_grows_200_per_day_after_ten():
    assert late_payment_per_unit(11, T) - late_payment_per_unit(10, T) == D("200")
    assert late_payment_per_unit(10, T) - late_payment_per_unit(9, T) == D("100")


def test_delivery_on_the_last_grace_day_is_not_late():
    lp = late_payment(
        terms=T, amount_converted=D("10000"), delivery_date=DELIVERY, delivered_on=date(2000, 6, 6)
    )
    assert lp.grace_end == date(2000, 6, 6)
    assert lp.business_days_late == 0
    assert lp.amount == D("0.00")
    assert lp.schedule == ()


def test_first_day_after_grace_costs_100_per_10000():
    lp = late_payment(
        terms=T, amount_converted=D("10000"), delivery_date=DELIVERY, delivered_on=date(2000, 6, 7)
    )
    assert lp.business_days_late == 1
    assert lp.amount == D("100.00")


def test_partial_unit_is_prorated_by_default():
    lp = late_payment(
        terms=T, amount_converted=D("25000"), delivery_date=DELIVERY, delivered_on=date(2000, 6, 7)
    )
    assert lp.units == D("2.5")
    assert lp.amount == D("250.00")


def test_partial_unit_ignored_when_proration_is_off():
    terms = T.with_changes(late_payment_prorate_partial_unit=False)
    lp = late_payment(
        terms=terms, amount_converted=D("25000"), delivery_date=DELIVERY, delivered_on=date(2000, 6, 7)
    )
    assert lp.units == D("2")
    assert lp.amount == D("200.00")


def test_lateness_skips_independence_day():
    # Delivery Date Fri 2000-06-30: grace = Mon 7/3, Wed 7/5, Thu 7/6 (7/4 is a holiday)
    lp = late_payment(
        terms=T, amount_converted=D("10000"), delivery_date=date(2000, 6, 30), delivered_on=date(2000, 7, 7)
    )
    assert lp.grace_end == date(2000, 7, 6)
    assert lp.business_days_late == 1


def test_undelivered_shares_count_lateness_to_the_as_of_date_with_a_schedule():
    lp = late_payment(terms=T, amount_converted=D("20000"), delivery_date=DELIVERY, as_of=date(2000, 6, 21))
    # business days after 6/6 through 6/21: 7,8,9,12,13,14,15,16,19,20,21 = 11
    assert lp.business_days_late == 11
    assert lp.per_unit == D("1200")
    assert lp.amount == D("2400.00")
    assert [r.number for r in lp.schedule] == list(range(1, 12))
    assert lp.schedule[-1].day == date(2000, 6, 21)
    assert lp.schedule[9].per_unit == D("1000")
    assert not lp.delivered
    json.dumps(lp.as_dict())


def test_late_payment_rejects_bad_inputs():
    with pytest.raises(InvalidInput):
        late_payment(terms=T, amount_converted=D("0"), delivery_date=DELIVERY, as_of=DELIVERY)
    with pytest.raises(InvalidInput):
        late_payment(terms=T, amount_converted=D("100"), delivery_date=DELIVERY)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=400), st.integers(min_value=0, max_value=400))
def test_penalties_never_decrease_with_lateness(a, b):
    lo, hi = sorted((a, b))
    assert late_payment_per_unit(lo, T) <= late_payment_per_unit(hi, T)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=120))
def test_late_payment_amount_never_decreases_from_one_day_to_the_next(offset):
    from datetime import timedelta

    day = DELIVERY + timedelta(days=offset)
    a = late_payment(terms=T, amount_converted=D("15000"), delivery_date=DELIVERY, as_of=day)
    b = late_payment(
        terms=T, amount_converted=D("15000"), delivery_date=DELIVERY, as_of=day + timedelta(days=1)
    )
    assert a.amount <= b.amount


def test_revocation_opens_after_three_business_days_past_the_delivery_date():
    closed = revocation_right(terms=T, delivery_date=DELIVERY, as_of=date(2000, 6, 6))
    assert closed.window_end == date(2000, 6, 6)
    assert closed.opens_on == date(2000, 6, 7)
    assert not closed.available
    assert revocation_right(terms=T, delivery_date=DELIVERY, as_of=date(2000, 6, 7)).available


def test_no_revocation_once_shares_are_delivered():
    r = revocation_right(
        terms=T, delivery_date=DELIVERY, as_of=date(2000, 6, 9), delivered_on=date(2000, 6, 8)
    )
    assert not r.available


def test_buy_in_worked_example_pays_the_converting_holder_1000():
    b = buy_in_adjustment(covering_purchase_price=D("11000"), sold_net_proceeds=D("10000"))
    assert b.amount == D("1000.00")
    assert b.payee == "Converting Holder"
    assert "to the Company" in b.note


def test_buy_in_is_never_negative():
    assert buy_in_adjustment(covering_purchase_price=D("9000"), sold_net_proceeds=D("10000")).amount == D(
        "0.00"
    )


def test_buy_in_requires_a_purchase_after_the_delivery_date():
    with pytest.raises(InvalidInput):
        buy_in_adjustment(
            covering_purchase_price=D("11000"),
            sold_net_proceeds=D("10000"),
            delivery_date=DELIVERY,
            purchase_date=DELIVERY,
        )
    with pytest.raises(InvalidInput):
        buy_in_adjustment(
            covering_purchase_price=D("11000"),
            sold_net_proceeds=D("10000"),
            delivery_date=DELIVERY,
            delivered_on=DELIVERY,
        )


def test_mandatory_purchase_is_145_percent_plus_dividends_to_payment():
    mp = mandatory_purchase_amount(
        terms=T,
        unconverted_liquidation_preference=D("100000"),
        issue_date=date(2000, 3, 1),
        notice_date=DELIVERY,
    )
    assert mp.due_date == date(2000, 6, 8)  # 5th business day after Thu 6/1
    assert mp.payment_date == mp.due_date
    assert mp.premium_amount == D("145000.00")
    # SPA 5(f): "accrued but unpaid dividends ... through the date of payment": 2000-03-01
    # through 2000-06-08, both included = 100 days
    assert mp.dividends.days == 100
    assert mp.dividends.end == date(2000, 6, 9)  # accrual end (excluded) is the day after payment
    assert mp.dividends.amount == D("1643.84")  # 100,000 x 6% x 100/365 = 1643.835
    assert mp.amount == D("146643.84")
    json.dumps(mp.as_dict())


def test_mandatory_purchase_dividends_include_the_payment_date_itself():
    # SPA 5(f) "through the date of payment": paying on the issue date still owes that day's dividends
    args = dict(terms=T, unconverted_liquidation_preference=D("365000"), issue_date=date(2000, 3, 1), notice_date=DELIVERY)
    same_day = mandatory_purchase_amount(payment_date=date(2000, 3, 1), **args)
    assert same_day.dividends.days == 1 and same_day.dividends.amount == D("60.00")  # 365,000 x 6% / 365
    day_before = mandatory_purchase_amount(payment_date=date(2000, 6, 7), **args)
    on_due = mandatory_purchase_amount(payment_date=date(2000, 6, 8), **args)
    assert on_due.dividends.amount - day_before.dividends.amount == D("60.00")


def test_debenture_delivery_is_three_business_days_from_the_notice():
    assert debenture_delivery_date(date(2000, 4, 20), T) == date(2000, 4, 25)  # Good Friday is a business day
    assert debenture_delivery_date(date(2000, 7, 3), T) == date(2000, 7, 7)  # skips July 4


def test_series_j_delivery_date_default():
    assert series_j_delivery_date(date(2000, 12, 22), T) == date(2000, 12, 28)  # skips Christmas (Mon)
