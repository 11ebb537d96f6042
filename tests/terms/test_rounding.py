"""Quantize helpers (deals/terms/rounding.py)."""

from __future__ import annotations

from decimal import Decimal as D

from deals.terms.rounding import ShareRounding, pct, to_cents, to_price, to_shares


def test_prices_round_half_up_to_four_places():
    assert to_price(D("1.23445")) == D("1.2345")
    assert to_price(D("1.23444")) == D("1.2344")
    assert to_price(D("1.4375")) == D("1.4375")


def test_money_rounds_half_up_to_cents():
    assert to_cents(D("739.725")) == D("739.73")
    assert to_cents(D("739.724")) == D("739.72")


def test_shares_nearest_with_ties_up_by_default():
    assert to_shares(D("7812.5")) == 7813
    assert to_shares(D("7812.49")) == 7812


def test_shares_round_down_when_asked():
    assert to_shares(D("129292.93"), ShareRounding.DOWN) == 129292


def test_pct_turns_a_percentage_into_a_fraction():
    assert pct(D("80")) == D("0.8")
    assert pct(D("145")) * D("1000") == D("1450")
