"""The one calendar module: NYSE trading days and New York business days.

Three kinds of day appear in the agreements (see shared/GLOSSARY.md):
calendar days (plain ``timedelta``), business days and trading days.

- Trading day: a day the New York Stock Exchange is open -- weekdays less the
  NYSE holidays and unscheduled closures (e.g. 2001-09-11..14, 2012-10-29..30)
  from the maintained ``holidays`` package (``financial_holidays("NYSE")``).
  Used for market-price look-backs (SPA 1(b)(ix), 4(i)(x); Debenture 4(A))
  and the warrant price (SPA 4(h)).
- Business day: a weekday on which New York banks are open -- weekdays less
  the Federal Reserve holidays (``financial_holidays("XFED")``). Used for
  SPA 5(c) lateness, 5(f), 10; RRA 2(a)(ii), 3(c), 3(h); Debenture delivery,
  redemption and cure periods. See docs/interpretations.md ("business day").

Both calendars are precomputed once for 1999-01-01..2035-12-31 into sorted
tuples; every operation is a dict look-up or a bisect, so the module is fast
enough to run inside a quote loop.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import date, timedelta
from enum import Enum

import holidays

from .errors import CalendarRangeError

FIRST_DAY = date(1999, 1, 1)
LAST_DAY = date(2035, 12, 31)
_YEARS = range(FIRST_DAY.year, LAST_DAY.year + 1)


class DayKind(str, Enum):
    CALENDAR = "calendar"
    BUSINESS = "business"
    TRADING = "trading"


class _Calendar:
    """Sorted open days between FIRST_DAY and LAST_DAY with O(1) membership."""

    def __init__(self, closed: dict[date, str]):
        self.closed = dict(closed)
        days: list[date] = []
        d = FIRST_DAY
        while d <= LAST_DAY:
            if d.weekday() < 5 and d not in closed:
                days.append(d)
            d += timedelta(days=1)
        self.days: tuple[date, ...] = tuple(days)
        self.index: dict[date, int] = {d: i for i, d in enumerate(days)}

    def check(self, d: date) -> None:
        if not (FIRST_DAY <= d <= LAST_DAY):
            raise CalendarRangeError(
                f"{d.isoformat()} is outside the calendars' range "
                f"{FIRST_DAY.isoformat()}..{LAST_DAY.isoformat()}."
            )

    def is_open(self, d: date) -> bool:
        self.check(d)
        return d in self.index

    def add(self, d: date, n: int) -> date:
        """The n-th open day after d (n > 0) or before d (n < 0); n == 0 -> d rolled forward."""
        self.check(d)
        if n >= 0:
            # first open day strictly after d is at bisect_right
            start = bisect_right(self.days, d) - 1 if n > 0 else bisect_left(self.days, d)
            i = start + n
        else:
            i = bisect_left(self.days, d) + n
        if not (0 <= i < len(self.days)):
            raise CalendarRangeError(f"{n} open days from {d.isoformat()} leaves the calendars' range.")
        return self.days[i]

    def count_between(self, start: date, end: date) -> int:
        """Open days d with start < d <= end (negative if end < start)."""
        self.check(start)
        self.check(end)
        if end >= start:
            return bisect_right(self.days, end) - bisect_right(self.days, start)
        return -self.count_between(end, start)

    def days_between(self, start: date, end: date) -> tuple[date, ...]:
        """Open days d with start <= d <= end, in order."""
        self.check(start)
        self.check(end)
        return self.days[bisect_left(self.days, start) : bisect_right(self.days, end)]

    def preceding(self, d: date, n: int) -> tuple[date, ...]:
        """The n open days strictly before d, oldest first."""
        self.check(d)
        i = bisect_left(self.days, d)
        if i - n < 0:
            raise CalendarRangeError(f"{n} open days before {d.isoformat()} leave the calendars' range.")
        return self.days[i - n : i]


_TRADING = _Calendar(holidays.financial_holidays("NYSE", years=_YEARS))
_BUSINESS = _Calendar(holidays.financial_holidays("XFED", years=_YEARS))


# --- trading days (NYSE) ---------------------------------------------------

def is_trading_day(d: date) -> bool:
    """Whether the NYSE is open on d (SPA 1(b)(ix) "Trading Day")."""
    return _TRADING.is_open(d)


def add_trading_days(d: date, n: int) -> date:
    """The n-th trading day after d (n < 0: before d). d itself never counts."""
    return _TRADING.add(d, n)


def previous_trading_day(d: date) -> date:
    """The last trading day strictly before d (SPA 4(h) "trading day before Closing")."""
    return _TRADING.add(d, -1)


def trading_days_before(d: date, n: int) -> tuple[date, ...]:
    """The n trading days immediately preceding d, oldest first (Debenture 4(A), SPA 1(b)(ix))."""
    return _TRADING.preceding(d, n)


def trading_days_between(start: date, end: date) -> tuple[date, ...]:
    """Trading days from start to end inclusive."""
    return _TRADING.days_between(start, end)


def count_trading_days(start: date, end: date) -> int:
    """Trading days d with start < d <= end."""
    return _TRADING.count_between(start, end)


def trading_closure_reason(d: date) -> str | None:
    """Why the NYSE is closed on d, or None if it is open."""
    if d.weekday() >= 5:
        return "weekend"
    return _TRADING.closed.get(d)


# --- business days (New York banks) -----------------------------------------

def is_business_day(d: date) -> bool:
    """Whether d is a New York business day (weekday, not a Federal Reserve holiday)."""
    return _BUSINESS.is_open(d)


def add_business_days(d: date, n: int) -> date:
    """The n-th business day after d (n < 0: before d). d itself never counts.

    "Within N business days after X" and "the Nth business day after X" both
    resolve to ``add_business_days(X, N)``.
    """
    return _BUSINESS.add(d, n)


def nth_business_day_after(d: date, n: int) -> date:
    """The n-th business day after d (Debenture Exhibit A: "5th business day")."""
    if n < 1:
        raise ValueError("n must be at least 1")
    return _BUSINESS.add(d, n)


def count_business_days(start: date, end: date) -> int:
    """Business days d with start < d <= end (negative if end < start)."""
    return _BUSINESS.count_between(start, end)


def business_days_between(start: date, end: date) -> tuple[date, ...]:
    """Business days from start to end inclusive."""
    return _BUSINESS.days_between(start, end)


def roll_to_business_day(d: date) -> date:
    """d if it is a business day, else the next business day."""
    return d if _BUSINESS.is_open(d) else _BUSINESS.add(d, 1)


def add_days(d: date, n: int, kind: DayKind) -> date:
    """Add n days of the given kind."""
    if kind is DayKind.CALENDAR:
        return d + timedelta(days=n)
    if kind is DayKind.BUSINESS:
        return add_business_days(d, n)
    return add_trading_days(d, n)
