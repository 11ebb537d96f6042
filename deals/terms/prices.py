"""Market-price look-backs over NYSE trading days.

Three look-backs appear in the agreements:

- SPA 1(b)(ix) "Market Price of the Common Stock": the average closing bid of
  the 3 lowest days (not necessarily consecutive) among the 20 trading days
  ending on the trading day immediately before the date (Series J).
- Debenture 4(A) "Market Price": the average closing bid of the 5 trading
  days immediately preceding the Conversion Date.
- SPA 4(i)(x): the average closing *price* of any 5 consecutive trading days
  within the 60 trading days immediately preceding the notice of conversion
  (Cap Regulations remedy (x)); we report every window and the lowest.

Every result lists each trading day of its window with its price and whether
it was used, the exact average and the average rounded to 4 decimal places
(``rounding.to_price``). The exact average is what later formulas use; the
rounded one is for display (docs/interpretations.md, "average rounding").

Prices come in as ``Mapping[date, Decimal]``; a trading day missing from the
mapping is reported together with every other missing day (``MissingPrices``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .calendars import trading_days_before
from .errors import InvalidInput, MissingPrices
from .params import LookbackMethod
from .rounding import to_price

CLAUSE_SPA_MARKET_PRICE = "SPA 1(b)(ix)"
CLAUSE_DEBENTURE_MARKET_PRICE = "Debenture 4(A)"
CLAUSE_CAP_REMEDY_PRICE = "SPA 4(i)(x)"

CLOSING_BID = "closing bid"
CLOSING_PRICE = "closing price"


@dataclass(frozen=True, slots=True)
class PriceDay:
    """One trading day of a look-back window."""

    day: date
    price: Decimal
    used: bool

    def as_dict(self) -> dict:
        return {"day": self.day.isoformat(), "price": str(self.price), "used": self.used}


@dataclass(frozen=True, slots=True)
class MarketPrice:
    """A market price with its working: every window day, which were used, the average."""

    as_of: date
    method: LookbackMethod
    days: int
    lowest: int
    window: tuple[PriceDay, ...]
    average: Decimal  # exact (full Decimal context precision), what formulas use
    price: Decimal  # the average rounded to 4 dp half up, for display
    clause: str
    field: str = CLOSING_BID

    @property
    def used_days(self) -> tuple[date, ...]:
        return tuple(p.day for p in self.window if p.used)

    def as_dict(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "method": self.method.value,
            "days": self.days,
            "lowest": self.lowest,
            "field": self.field,
            "window": [p.as_dict() for p in self.window],
            "average": str(self.average),
            "price": str(self.price),
            "clause": self.clause,
        }


def prices_for_days(prices: Mapping[date, Decimal], days: tuple[date, ...], field: str) -> list[Decimal]:
    """Prices for each look-back day (SPA 1(b)(ix), 4(i); Debenture 4(A)).

    Raises ``MissingPrices`` naming every day without a price, and
    ``InvalidInput`` for a price that is not positive.
    """
    get = prices.get
    values = [get(d) for d in days]
    if None in values:
        missing = tuple(d for d, v in zip(days, values, strict=True) if v is None)
        raise MissingPrices(missing, field)
    for d, v in zip(days, values, strict=True):
        if not v > 0:
            raise InvalidInput(f"The {field} for {d.isoformat()} is {v}; prices must be positive.")
    return values


def market_price(
    prices: Mapping[date, Decimal],
    as_of: date,
    method: LookbackMethod,
    days: int,
    lowest: int,
    *,
    clause: str | None = None,
    field: str = CLOSING_BID,
) -> MarketPrice:
    """Average closing bid over the ``days`` trading days immediately before ``as_of``.

    SPA 1(b)(ix) (``AVERAGE_LOWEST``: the ``lowest`` lowest prices of the
    window) or Debenture 4(A) (``AVERAGE_PRECEDING``: every day of the window;
    ``lowest`` is ignored and reported as ``days``). The window never includes
    ``as_of`` itself, whether or not it is a trading day. Ties among the lowest
    prices: the earlier day is marked used (the average is the same either way).
    """
    if days < 1:
        raise InvalidInput(f"A look-back needs at least one trading day, not {days}.")
    window_days = trading_days_before(as_of, days)
    values = prices_for_days(prices, window_days, field)
    if method is LookbackMethod.AVERAGE_PRECEDING:
        k = days
        used = [True] * days
        total = sum(values, Decimal(0))
    elif method is LookbackMethod.AVERAGE_LOWEST:
        if not 1 <= lowest <= days:
            raise InvalidInput(f"Cannot average the {lowest} lowest of {days} trading days.")
        k = lowest
        order = sorted(range(days), key=lambda i: (values[i], i))[:k]
        used = [False] * days
        for i in order:
            used[i] = True
        total = sum((values[i] for i in order), Decimal(0))
    else:  # pragma: no cover - enum is closed
        raise InvalidInput(f"Unknown look-back method {method!r}.")
    average = total / k
    if clause is None:
        clause = (
            CLAUSE_DEBENTURE_MARKET_PRICE
            if method is LookbackMethod.AVERAGE_PRECEDING
            else CLAUSE_SPA_MARKET_PRICE
        )
    window = tuple(PriceDay(d, v, u) for d, v, u in zip(window_days, values, used, strict=True))
    return MarketPrice(as_of, method, days, k, window, average, to_price(average), clause, field)


def spa_market_price(
    prices: Mapping[date, Decimal], as_of: date, *, days: int = 20, lowest: int = 3
) -> MarketPrice:
    """SPA 1(b)(ix) Market Price: average of the 3 lowest closing bids of the 20 trading
    days ending on the trading day immediately before ``as_of``."""
    return market_price(
        prices, as_of, LookbackMethod.AVERAGE_LOWEST, days, lowest, clause=CLAUSE_SPA_MARKET_PRICE
    )


def debenture_market_price(
    prices: Mapping[date, Decimal], conversion_date: date, *, days: int = 5
) -> MarketPrice:
    """Debenture 4(A) Market Price: average closing bid of the 5 trading days immediately
    preceding the Conversion Date."""
    return market_price(
        prices,
        conversion_date,
        LookbackMethod.AVERAGE_PRECEDING,
        days,
        days,
        clause=CLAUSE_DEBENTURE_MARKET_PRICE,
    )


@dataclass(frozen=True, slots=True)
class WindowAverage:
    """One run of consecutive trading days and its average closing price."""

    start: date
    end: date
    average: Decimal
    price: Decimal

    def as_dict(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "average": str(self.average),
            "price": str(self.price),
        }


@dataclass(frozen=True, slots=True)
class WindowedPrice:
    """SPA 4(i)(x): every ``window_days``-day window in the look-back and the lowest."""

    as_of: date
    lookback_days: int
    window_days: int
    days: tuple[PriceDay, ...]  # the whole look-back; ``used`` marks the lowest window
    windows: tuple[WindowAverage, ...]
    lowest: WindowAverage
    average: Decimal  # exact average of the lowest window
    price: Decimal  # rounded to 4 dp
    clause: str
    field: str = CLOSING_PRICE

    def as_dict(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "lookback_days": self.lookback_days,
            "window_days": self.window_days,
            "field": self.field,
            "days": [p.as_dict() for p in self.days],
            "windows": [w.as_dict() for w in self.windows],
            "lowest": self.lowest.as_dict(),
            "average": str(self.average),
            "price": str(self.price),
            "clause": self.clause,
        }


def lowest_window_price(
    prices: Mapping[date, Decimal],
    notice_date: date,
    *,
    window_days: int = 5,
    lookback_days: int = 60,
) -> WindowedPrice:
    """SPA 4(i)(x): average closing price of any 5 consecutive trading days during the
    60 trading days immediately preceding the notice of conversion.

    "Any" window is the holder's choice; the lowest average gives the most
    shares, so it is the one reported as ``price`` (the list of all windows
    lets the holder pick another). Ties: the earliest window.
    """
    if not 1 <= window_days <= lookback_days:
        raise InvalidInput(f"Cannot take {window_days}-day windows in {lookback_days} trading days.")
    look_days = trading_days_before(notice_date, lookback_days)
    values = prices_for_days(prices, look_days, CLOSING_PRICE)
    windows = []
    running = sum(values[:window_days], Decimal(0))
    best = 0
    best_total = running
    for i in range(lookback_days - window_days + 1):
        if i:
            running = running - values[i - 1] + values[i + window_days - 1]
            if running < best_total:
                best, best_total = i, running
        avg = running / window_days
        windows.append(WindowAverage(look_days[i], look_days[i + window_days - 1], avg, to_price(avg)))
    lowest = windows[best]
    days = tuple(
        PriceDay(d, v, best <= i < best + window_days)
        for i, (d, v) in enumerate(zip(look_days, values, strict=True))
    )
    return WindowedPrice(
        notice_date,
        lookback_days,
        window_days,
        days,
        tuple(windows),
        lowest,
        lowest.average,
        lowest.price,
        CLAUSE_CAP_REMEDY_PRICE,
    )
