"""Warrants: SPA 4(h) and the New Transaction adjustment of SPA 4(j)(v).

SPA 4(h): warrants for (x) 20% of the Purchase Price divided by (y) 110% of
the closing bid on the trading day immediately before the Closing Date;
exercise price = that 110%; expiry = the last day of the calendar month in
which the fifth anniversary of the Closing Date occurs.

Rounding: the share count is rounded down to a whole share (the clause says
nothing; ``DealTerms.warrant_share_rounding``) and is computed from the exact
110% figure; the exercise price is that figure rounded to 4 dp half up.
A Closing on February 29 has its fifth anniversary on February 28 (the
month is the same either way, so the expiry does not depend on the choice).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal

from .calendars import previous_trading_day
from .errors import InvalidInput, MissingPrice
from .params import DealTerms
from .rounding import pct, to_cents, to_price, to_shares

CLAUSE_WARRANTS = "SPA 4(h)"
CLAUSE_ADJUSTMENT = "SPA 4(j)(v)"


def anniversary(d: date, years: int) -> date:
    """The ``years``-th anniversary of ``d`` (SPA 4(h)); February 29 -> February 28."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # Feb 29 in a common year
        return d.replace(year=d.year + years, day=28)


def warrant_expiry(closing_date: date, terms: DealTerms) -> date:
    """SPA 4(h): the last day of the calendar month in which the fifth anniversary of the
    Closing Date occurs."""
    a = anniversary(closing_date, terms.warrant_term_years)
    return a.replace(day=calendar.monthrange(a.year, a.month)[1])


def is_expired(expiry: date, as_of: date) -> bool:
    """SPA 4(h): a Warrant may be exercised through its expiry day and is expired after it."""
    return as_of > expiry


@dataclass(frozen=True, slots=True)
class WarrantTerms:
    """SPA 4(h) warrant count, exercise price and expiry, with the working."""

    purchase_price: Decimal
    closing_date: date
    pricing_day: date  # trading day immediately before the Closing Date
    closing_bid: Decimal
    price_pct: Decimal
    exercise_price_exact: Decimal  # 110% x closing bid, the divisor
    exercise_price: Decimal  # 4 dp half up
    coverage_pct: Decimal
    coverage_amount: Decimal  # 20% x Purchase Price
    shares_exact: Decimal
    shares: int  # rounded down
    expiry: date
    clause: str = CLAUSE_WARRANTS

    def as_dict(self) -> dict:
        return {
            "purchase_price": str(self.purchase_price),
            "closing_date": self.closing_date.isoformat(),
            "pricing_day": self.pricing_day.isoformat(),
            "closing_bid": str(self.closing_bid),
            "price_pct": str(self.price_pct),
            "exercise_price_exact": str(self.exercise_price_exact),
            "exercise_price": str(self.exercise_price),
            "coverage_pct": str(self.coverage_pct),
            "coverage_amount": str(self.coverage_amount),
            "shares_exact": str(self.shares_exact),
            "shares": self.shares,
            "expiry": self.expiry.isoformat(),
            "clause": self.clause,
        }


def warrant_terms(
    *,
    terms: DealTerms,
    purchase_price: Decimal,
    closing_date: date,
    closing_bid: Decimal | None = None,
    prices: Mapping[date, Decimal] | None = None,
) -> WarrantTerms:
    """SPA 4(h): warrant shares = 20% of the Purchase Price / (110% of the closing bid on the
    trading day immediately before the Closing Date), whole shares rounded down; exercise price
    = that 110%; expiry per ``warrant_expiry``. Give ``closing_bid`` or a ``prices`` mapping."""
    if purchase_price <= 0:
        raise InvalidInput(f"The Purchase Price must be positive, not {purchase_price}.")
    pricing_day = previous_trading_day(closing_date)
    if closing_bid is None:
        if prices is None or pricing_day not in prices:
            raise MissingPrice(pricing_day)
        closing_bid = prices[pricing_day]
    if closing_bid <= 0:
        raise InvalidInput(f"The closing bid must be positive, not {closing_bid}.")
    exact = pct(terms.warrant_price_pct) * closing_bid
    coverage = pct(terms.warrant_coverage_pct) * purchase_price
    shares_exact = coverage / exact
    return WarrantTerms(
        purchase_price=purchase_price,
        closing_date=closing_date,
        pricing_day=pricing_day,
        closing_bid=closing_bid,
        price_pct=terms.warrant_price_pct,
        exercise_price_exact=exact,
        exercise_price=to_price(exact),
        coverage_pct=terms.warrant_coverage_pct,
        coverage_amount=to_cents(coverage),
        shares_exact=shares_exact,
        shares=to_shares(shares_exact, terms.warrant_share_rounding),
        expiry=warrant_expiry(closing_date, terms),
    )


def exercise_cost(shares: int, exercise_price: Decimal) -> Decimal:
    """SPA 4(h): the aggregate exercise price for ``shares`` Warrant Shares, in cents."""
    if shares <= 0:
        raise InvalidInput(f"The number of shares to exercise must be positive, not {shares}.")
    if exercise_price <= 0:
        raise InvalidInput("The exercise price must be positive.")
    return to_cents(exercise_price * shares)


@dataclass(frozen=True, slots=True)
class WarrantAdjustment:
    """SPA 4(j)(v)(y) repricing of the Warrants after a cheaper New Transaction."""

    applies: bool
    reason: str
    old_exercise_price: Decimal
    new_exercise_price: Decimal
    old_shares: int
    new_shares: int
    old_shares_per_dollar: Decimal
    new_transaction_shares_per_dollar: Decimal | None
    clause: str = CLAUSE_ADJUSTMENT

    def as_dict(self) -> dict:
        spd = self.new_transaction_shares_per_dollar
        return {
            "applies": self.applies,
            "reason": self.reason,
            "old_exercise_price": str(self.old_exercise_price),
            "new_exercise_price": str(self.new_exercise_price),
            "old_shares": self.old_shares,
            "new_shares": self.new_shares,
            "old_shares_per_dollar": str(self.old_shares_per_dollar),
            "new_transaction_shares_per_dollar": str(spd) if spd is not None else None,
            "clause": self.clause,
        }


def adjust_for_new_transaction(
    *,
    terms: DealTerms,
    exercise_price: Decimal,
    shares: int,
    purchase_price: Decimal,
    new_exercise_price: Decimal | None = None,
    new_warrant_shares: int | None = None,
    new_investment: Decimal | None = None,
    consummated_on: date | None = None,
    effective_date: date | None = None,
) -> WarrantAdjustment:
    """SPA 4(j)(v)(y): if a New Transaction consummated before 240 days after the Effective Date
    issues warrants at a lower exercise price and/or for more shares per dollar invested, the
    Warrants' exercise price falls to that price and/or their share count rises to the New
    Transaction's shares per dollar x our Purchase Price (rounded down).

    The increased Warrants take the New Transaction's exercise price formula
    (4(j)(v) proviso); the caller records that formula, we report the numbers.
    """
    if exercise_price <= 0 or shares <= 0 or purchase_price <= 0:
        raise InvalidInput("Exercise price, shares and Purchase Price must be positive.")
    old_spd = Decimal(shares) / purchase_price
    new_spd = None
    if new_warrant_shares is not None or new_investment is not None:
        if not new_warrant_shares or not new_investment or new_warrant_shares <= 0 or new_investment <= 0:
            raise InvalidInput("Give both the New Transaction's warrant shares and the amount invested.")
        new_spd = Decimal(new_warrant_shares) / new_investment
    if new_exercise_price is not None and new_exercise_price <= 0:
        raise InvalidInput("The New Transaction's exercise price must be positive.")
    if consummated_on is not None and effective_date is not None:
        last = effective_date + timedelta(days=terms.rofr_period_days)
        if consummated_on > last:
            return WarrantAdjustment(
                False,
                f"consummated {consummated_on.isoformat()}, after the {terms.rofr_period_days} days "
                f"following the Effective Date (last day {last.isoformat()})",
                exercise_price,
                exercise_price,
                shares,
                shares,
                old_spd,
                new_spd,
            )
    new_price = exercise_price
    new_shares = shares
    reasons = []
    if new_exercise_price is not None and new_exercise_price < exercise_price:
        new_price = new_exercise_price
        reasons.append("lower exercise price")
    if new_spd is not None and new_spd > old_spd:
        new_shares = max(shares, int((new_spd * purchase_price).to_integral_value(rounding=ROUND_FLOOR)))
        reasons.append("more shares per dollar")
    applies = bool(reasons)
    return WarrantAdjustment(
        applies,
        ", ".join(reasons) if applies else "the New Transaction is not more favourable",
        exercise_price,
        new_price,
        shares,
        new_shares,
        old_spd,
        new_spd,
    )
