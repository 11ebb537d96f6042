"""The one place prices are loaded from the records (issue 15 item 21): every look-back,
chart, cap-table, what-if and remedy window reads closing bids (or closing prices) here.

One query per call; days without the field recorded are left out, so the engine's
``MissingPrices`` names them."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from deals.models import MarketPrice

CLOSING_BID = "closing_bid"  # SPA 1(b)(ix), Debenture 4(A): "closing bid ... as reported by the NASD"
CLOSING_PRICE = "closing_price"  # SPA 4(i)(x), (y): closing prices


def prices_between(start: datetime.date, end: datetime.date, field_name: str = CLOSING_BID) -> dict[datetime.date, Decimal]:
    """{date: price} for the recorded days from ``start`` to ``end`` inclusive."""
    if start > end:
        return {}
    rows = MarketPrice.objects.filter(date__gte=start, date__lte=end).values_list("date", field_name)
    return {d: p for d, p in rows if p is not None}


def prices_for(days: Iterable[datetime.date], field_name: str = CLOSING_BID) -> dict[datetime.date, Decimal]:
    """{date: price} recorded from the first to the last of ``days`` (a look-back window's
    trading days; the engine picks the days it needs)."""
    wanted = list(days)
    if not wanted:
        return {}
    return prices_between(min(wanted), max(wanted), field_name)


def price_on(day: datetime.date, field_name: str = CLOSING_BID) -> Decimal | None:
    """The price recorded for one day, or None."""
    return prices_between(day, day, field_name).get(day)
