"""Interest and dividend accruals: Debenture interest paragraph, 4(A); Series J dividends (CoD).

Kept apart from conversion.py so that the modules that need an accrual
(delivery for SPA 5(f), redemption for Debenture 4(B), registration for
RRA 2(a)) do not import the conversion module, which imports them.

An accrual runs from ``start`` (included) to ``end`` (excluded); a clause
that accrues "through" a date passes the day after it (``accrue_through``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .calendars import add_business_days
from .errors import InvalidInput
from .params import DayCount, DealTerms
from .rounding import pct, to_cents

CLAUSE_DEB_INTEREST = "Debenture (interest paragraph), 4(A)"
CLAUSE_SERIES_J_DIVIDENDS = "Series J Certificate of Designations dividends (preferred-stock terms)"

ZERO = Decimal(0)


def accrue_through(day: date) -> date:
    """The excluded end date for an accrual "through" ``day`` (``day`` itself accrues)."""
    return day + timedelta(days=1)


def day_count_fraction(start: date, end: date, day_count: DayCount) -> tuple[int, Decimal]:
    """Days and year fraction from ``start`` (included) to ``end`` (excluded) (Debenture
    interest paragraph "6% per annum"; convention per ``DealTerms.*_day_count``).

    30/360 is the US (bond basis) rule: day 31 becomes 30, and an end day 31
    becomes 30 when the start day is 30 or 31. Negative spans count as 0.
    """
    if end <= start:
        return 0, ZERO
    if day_count is DayCount.THIRTY_360:
        d1 = min(start.day, 30)
        d2 = end.day
        if d2 == 31 and d1 == 30:
            d2 = 30
        days = 360 * (end.year - start.year) + 30 * (end.month - start.month) + (d2 - d1)
        return days, Decimal(days) / 360
    days = (end - start).days
    basis = 360 if day_count is DayCount.ACT_360 else 365
    return days, Decimal(days) / basis


@dataclass(frozen=True, slots=True)
class Accrual:
    """Accrued interest or dividends with the working."""

    kind: str  # "interest" or "dividends"
    base: Decimal  # principal or liquidation preference it accrues on
    rate_pct: Decimal
    day_count: DayCount
    start: date  # first day of accrual (included)
    end: date  # conversion/payment date (excluded)
    days: int
    fraction: Decimal
    amount: Decimal  # cents
    clause: str
    start_reason: str = ""  # which date drove ``start`` (shown on the review page)

    def as_dict(self) -> dict:
        return {
            "start_reason": self.start_reason,
            "kind": self.kind,
            "base": str(self.base),
            "rate_pct": str(self.rate_pct),
            "day_count": self.day_count.value,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "days": self.days,
            "fraction": str(self.fraction),
            "amount": str(self.amount),
            "clause": self.clause,
        }


def debenture_interest_start(dated_date: date, issued_date: date | None = None) -> date:
    """Debenture (interest paragraph): "6% per annum accruing from the date of initial issuance.
    Accrual of interest shall commence on the first such business day to occur after the date
    hereof" -- the first business day after the Debenture's date, or its date of initial
    issuance if that is later (no interest on money not yet advanced)."""
    return _interest_start(dated_date, issued_date)[0]


def _interest_start(dated_date: date, issued_date: date | None) -> tuple[date, str]:
    first = add_business_days(dated_date, 1)
    if issued_date is not None and issued_date > first:
        return issued_date, (
            f"the date of initial issuance, {issued_date.isoformat()}, which is after the first business day "
            f"({first.isoformat()}) after the Debenture's date {dated_date.isoformat()}"
        )
    return first, f"the first business day after the Debenture's date {dated_date.isoformat()} (\"the date hereof\")"


def _accrue(
    kind: str,
    base: Decimal,
    rate_pct: Decimal,
    day_count: DayCount,
    start: date,
    to_date: date,
    clause: str,
    start_reason: str = "",
) -> Accrual:
    if base < 0:
        raise InvalidInput(f"Cannot accrue {kind} on a negative amount ({base}).")
    days, fraction = day_count_fraction(start, to_date, day_count)
    amount = to_cents(base * pct(rate_pct) * fraction)
    return Accrual(kind, base, rate_pct, day_count, start, to_date, days, fraction, amount, clause, start_reason)


def accrued_interest(
    *,
    terms: DealTerms,
    principal: Decimal,
    dated_date: date,
    to_date: date,
    issued_date: date | None = None,
    paid_through: date | None = None,
) -> Accrual:
    """Debenture interest paragraph and 4(A): 6% a year on ``principal`` from the first business
    day after the Debenture's date ``dated_date`` ("the date hereof"), or from its date of initial
    issuance ``issued_date`` if later, or from ``paid_through`` if interest was paid to that date,
    to ``to_date`` (the Conversion Date), excluded. Interest keeps accruing after the March 31,
    2000 Maturity Date "until payment in full". ``start_reason`` says which date drove the start."""
    start, reason = _interest_start(dated_date, issued_date)
    if paid_through is not None and paid_through > start:
        start, reason = paid_through, f"interest already paid up to {paid_through.isoformat()}"
    return _accrue(
        "interest",
        principal,
        terms.debenture_interest_rate_pct,
        terms.debenture_day_count,
        start,
        to_date,
        CLAUSE_DEB_INTEREST,
        reason,
    )


def accrued_dividends(
    *,
    terms: DealTerms,
    liquidation_preference: Decimal,
    issue_date: date,
    to_date: date,
    paid_through: date | None = None,
) -> Accrual:
    """Series J dividends (CoD, not in the seeds; SPA 4(g), 5(f) refer to them): the
    ``preferred_dividend_rate_pct`` a year on the liquidation preference from the issue (Closing)
    date, or from ``paid_through``, to ``to_date`` excluded."""
    start = issue_date if paid_through is None or paid_through < issue_date else paid_through
    reason = f"the issue (Closing) date {issue_date.isoformat()}" if start == issue_date else (
        f"dividends already paid up to {start.isoformat()}"
    )
    return _accrue(
        "dividends",
        liquidation_preference,
        terms.preferred_dividend_rate_pct,
        terms.preferred_day_count,
        start,
        to_date,
        CLAUSE_SERIES_J_DIVIDENDS,
        reason,
    )


