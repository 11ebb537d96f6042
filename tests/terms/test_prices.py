"""Market-price look-backs: SPA 1(b)(ix), Debenture 4(A), SPA 4(i)(x)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deals.terms.calendars import trading_days_before
from deals.terms.errors import InvalidInput, MissingPrices
from deals.terms.params import LookbackMethod
from deals.terms.prices import (
    debenture_market_price,
    lowest_window_price,
    market_price,
    spa_market_price,
)
from tests.terms.conftest import constant_prices, wavy_prices


def test_debenture_window_skips_good_friday():
    # Conversion Date Mon 2000-04-24; Fri 2000-04-21 (Good Friday) the NYSE was closed.
    prices = {
        date(2000, 4, 14): D("1.00"),
        date(2000, 4, 17): D("1.10"),
        date(2000, 4, 18): D("1.20"),
        date(2000, 4, 19): D("1.30"),
        date(2000, 4, 20): D("1.40"),
    }
    mp = debenture_market_price(prices, date(2000, 4, 24))
    assert [p.day for p in mp.window] == sorted(prices)
    assert all(p.used for p in mp.window)
    assert mp.average == D("1.20")
    assert mp.price == D("1.2000")
    assert mp.clause == "Debenture 4(A)"


def test_window_for_a_weekend_conversion_date_is_the_five_trading_days_before_it():
    prices = wavy_prices()
    saturday = debenture_market_price(prices, date(2000, 4, 22))
    monday = debenture_market_price(prices, date(2000, 4, 24))
    assert saturday.window == monday.window


def test_window_never_includes_the_conversion_date_itself():
    prices = wavy_prices()
    mp = debenture_market_price(prices, date(2000, 5, 10))  # a Wednesday, trading day
    assert mp.window[-1].day == date(2000, 5, 9)
    assert date(2000, 5, 10) not in [p.day for p in mp.window]


def test_window_after_september_11_reaches_back_before_the_closure():
    mp = debenture_market_price(wavy_prices(), date(2001, 9, 17))
    assert [p.day for p in mp.window] == [
        date(2001, 9, 4),
        date(2001, 9, 5),
        date(2001, 9, 6),
        date(2001, 9, 7),
        date(2001, 9, 10),
    ]


def test_spa_market_price_averages_the_three_lowest_of_twenty():
    as_of = date(2000, 6, 1)
    days = trading_days_before(as_of, 20)
    prices = {d: D("2.00") for d in days}
    prices[days[3]] = D("1.10")
    prices[days[10]] = D("1.20")
    prices[days[19]] = D("1.30")
    mp = spa_market_price(prices, as_of)
    assert len(mp.window) == 20
    assert mp.used_days == (days[3], days[10], days[19])
    assert mp.average == D("1.20")
    assert mp.window[-1].day == date(2000, 5, 31)  # ends on the trading day immediately before
    assert mp.clause == "SPA 1(b)(ix)"


def test_ties_among_lowest_mark_the_earliest_days():
    as_of = date(2000, 6, 1)
    days = trading_days_before(as_of, 20)
    prices = {d: D("1.00") for d in days}
    mp = spa_market_price(prices, as_of)
    assert mp.used_days == days[:3]
    assert mp.average == D("1.00")


def test_average_is_exact_and_rounded_half_up_only_for_display():
    as_of = date(2000, 6, 1)
    days = trading_days_before(as_of, 20)
    prices = {d: D("3.00") for d in days}
    prices[days[0]], prices[days[1]], prices[days[2]] = D("1"), D("1"), D("2")
    mp = spa_market_price(prices, as_of)
    assert mp.average == D(4) / D(3)
    assert mp.price == D("1.3333")


def test_missing_prices_lists_every_missing_day():
    as_of = date(2000, 6, 1)
    days = trading_days_before(as_of, 20)
    prices = constant_prices("1.50")
    del prices[days[2]]
    del prices[days[17]]
    with pytest.raises(MissingPrices) as err:
        spa_market_price(prices, as_of)
    assert err.value.dates == (days[2], days[17])
    assert days[2].isoformat() in str(err.value) and days[17].isoformat() in str(err.value)


def test_non_positive_price_is_rejected():
    prices = constant_prices("1.50")
    prices[date(2000, 5, 31)] = D("0")
    with pytest.raises(InvalidInput):
        debenture_market_price(prices, date(2000, 6, 1))


@pytest.mark.parametrize(("days", "lowest"), [(0, 0), (5, 6), (5, 0)])
def test_impossible_lookbacks_are_rejected(days, lowest):
    with pytest.raises(InvalidInput):
        market_price(constant_prices("1.50"), date(2000, 6, 1), LookbackMethod.AVERAGE_LOWEST, days, lowest)


def test_lowest_five_day_window_in_sixty_days():
    notice = date(2000, 9, 1)
    days = trading_days_before(notice, 60)
    prices = {d: D("2.00") for d in days}
    for i in range(30, 35):
        prices[days[i]] = D("1.00")
    prices[days[29]] = D("1.50")  # makes the window starting at 29 cheaper than 2.00 but not lowest
    wp = lowest_window_price(prices, notice)
    assert len(wp.days) == 60
    assert len(wp.windows) == 56
    assert (wp.lowest.start, wp.lowest.end) == (days[30], days[34])
    assert wp.price == D("1.0000")
    assert [p.day for p in wp.days if p.used] == list(days[30:35])
    assert wp.clause == "SPA 4(i)(x)"
    assert wp.field == "closing price"


def test_lowest_window_reports_missing_closing_prices():
    notice = date(2000, 9, 1)
    days = trading_days_before(notice, 60)
    prices = {d: D("2.00") for d in days[1:]}
    with pytest.raises(MissingPrices) as err:
        lowest_window_price(prices, notice)
    assert err.value.dates == (days[0],)
    assert err.value.field == "closing price"


def test_market_price_snapshot_is_json_serialisable():
    mp = spa_market_price(wavy_prices(), date(2000, 6, 1))
    data = json.loads(json.dumps(mp.as_dict()))
    assert data["as_of"] == "2000-06-01"
    assert len(data["window"]) == 20
    assert sum(1 for p in data["window"] if p["used"]) == 3
    assert D(data["price"]) == mp.price


price_st = st.decimals(min_value=D("0.01"), max_value=D("50"), places=4)


@settings(max_examples=150, deadline=None)
@given(st.lists(price_st, min_size=20, max_size=20))
def test_average_of_lowest_is_within_window_and_not_above_the_plain_average(values):
    as_of = date(2000, 6, 1)
    days = trading_days_before(as_of, 20)
    prices = dict(zip(days, values, strict=True))
    lowest = spa_market_price(prices, as_of)
    plain = market_price(prices, as_of, LookbackMethod.AVERAGE_PRECEDING, 20, 20)
    assert min(values) <= lowest.average <= max(values)
    assert lowest.average <= plain.average


def test_missing_prices_survives_context_managers_and_pickling():
    # errors must stay mutable (contextlib sets __traceback__) and picklable (Celery results)
    import pickle
    from contextlib import contextmanager

    @contextmanager
    def passthrough():
        yield

    prices = constant_prices("1.50")
    del prices[date(2000, 5, 31)]
    with pytest.raises(MissingPrices) as err:
        with passthrough():
            debenture_market_price(prices, date(2000, 6, 1))
    again = pickle.loads(pickle.dumps(err.value))
    assert again.dates == (date(2000, 5, 31),)
    assert str(again) == str(err.value)
