"""Warrants: SPA 4(h), 4(j)(v)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D

import pytest

from deals.terms.errors import InvalidInput, MissingPrice
from deals.terms.params import NHTC_DEFAULTS
from deals.terms.warrants import (
    adjust_for_new_transaction,
    exercise_cost,
    is_expired,
    warrant_expiry,
    warrant_terms,
)

T = NHTC_DEFAULTS


def test_warrant_count_and_price_from_bid_before_closing_skipping_good_friday():
    # Closing Mon 2000-04-24; the trading day before is Thu 4/20 (Good Friday closed)
    prices = {date(2000, 4, 20): D("1.40625"), date(2000, 4, 21): D("9.99")}
    w = warrant_terms(terms=T, purchase_price=D("1000000"), closing_date=date(2000, 4, 24), prices=prices)
    assert w.pricing_day == date(2000, 4, 20)
    assert w.exercise_price_exact == D("1.546875")
    assert w.exercise_price == D("1.5469")
    assert w.coverage_amount == D("200000.00")
    assert w.shares == 129_292  # 200,000 / 1.546875 = 129,292.93, rounded down
    assert w.expiry == date(2005, 4, 30)
    json.dumps(w.as_dict())


def test_warrant_shares_round_down_not_to_nearest():
    w = warrant_terms(
        terms=T, purchase_price=D("1000000"), closing_date=date(2000, 4, 24), closing_bid=D("1.40625")
    )
    assert w.shares_exact > D("129292.5")
    assert w.shares == 129_292


def test_missing_bid_before_closing():
    with pytest.raises(MissingPrice) as err:
        warrant_terms(terms=T, purchase_price=D("1000000"), closing_date=date(2000, 4, 24), prices={})
    assert err.value.date == date(2000, 4, 20)


def test_bad_purchase_price():
    with pytest.raises(InvalidInput):
        warrant_terms(terms=T, purchase_price=D("0"), closing_date=date(2000, 4, 24), closing_bid=D("1"))


@pytest.mark.parametrize(
    ("closing", "expiry"),
    [
        (date(2000, 2, 29), date(2005, 2, 28)),  # leap-day Closing: anniversary in February 2005
        (date(1999, 2, 15), date(2004, 2, 29)),  # expiry month is a leap February
        (date(2000, 12, 15), date(2005, 12, 31)),
        (date(2000, 1, 31), date(2005, 1, 31)),
        (date(2000, 4, 24), date(2005, 4, 30)),
    ],
)
def test_expiry_is_last_day_of_the_fifth_anniversary_month(closing, expiry):
    assert warrant_expiry(closing, T) == expiry


def test_warrant_is_live_on_its_expiry_day_and_expired_the_next():
    expiry = date(2005, 2, 28)
    assert not is_expired(expiry, expiry)
    assert is_expired(expiry, date(2005, 3, 1))


def test_exercise_cost():
    assert exercise_cost(129_292, D("1.5469")) == D("200001.79")
    with pytest.raises(InvalidInput):
        exercise_cost(0, D("1.5469"))


def test_new_transaction_with_lower_price_and_richer_coverage_adjusts_both():
    a = adjust_for_new_transaction(
        terms=T,
        exercise_price=D("1.5469"),
        shares=129_292,
        purchase_price=D("1000000"),
        new_exercise_price=D("1.00"),
        new_warrant_shares=300_000,
        new_investment=D("1000000"),
        consummated_on=date(2000, 9, 1),
        effective_date=date(2000, 6, 1),
    )
    assert a.applies
    assert a.new_exercise_price == D("1.00")
    assert a.new_shares == 300_000


def test_new_transaction_that_is_not_cheaper_changes_nothing():
    a = adjust_for_new_transaction(
        terms=T,
        exercise_price=D("1.5469"),
        shares=129_292,
        purchase_price=D("1000000"),
        new_exercise_price=D("2.00"),
    )
    assert not a.applies
    assert (a.new_exercise_price, a.new_shares) == (D("1.5469"), 129_292)


def test_new_transaction_after_240_days_from_effectiveness_does_not_adjust():
    a = adjust_for_new_transaction(
        terms=T,
        exercise_price=D("1.5469"),
        shares=129_292,
        purchase_price=D("1000000"),
        new_exercise_price=D("1.00"),
        consummated_on=date(2001, 1, 28),  # 2000-06-01 + 240 days = 2001-01-27
        effective_date=date(2000, 6, 1),
    )
    assert not a.applies
    on_last_day = adjust_for_new_transaction(
        terms=T,
        exercise_price=D("1.5469"),
        shares=129_292,
        purchase_price=D("1000000"),
        new_exercise_price=D("1.00"),
        consummated_on=date(2001, 1, 27),
        effective_date=date(2000, 6, 1),
    )
    assert on_last_day.applies
