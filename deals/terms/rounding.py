"""One quantize helper per kind of quantity, each with an explicit rounding mode.

- Money (cents): ROUND_HALF_UP to $0.01 -- amounts the company pays or receives.
- Prices: ROUND_HALF_UP to 4 decimal places -- the agreements quote prices to
  1/10,000 of a dollar (Debenture 4(A) Fixed Conversion Price $1.4375).
- Shares: whole shares. Debenture 4(A) says "rounded to the nearest whole
  share"; a tie (exactly .5) rounds up (ROUND_HALF_UP), see
  docs/interpretations.md. Other clauses that speak of whole shares without
  saying how (warrants, SPA 4(h)) round down, so the company never issues a
  fraction it did not promise.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import Enum

CENT = Decimal("0.01")
PRICE_QUANTUM = Decimal("0.0001")
ONE = Decimal("1")
HUNDRED = Decimal("100")


class ShareRounding(str, Enum):
    """How a fractional share count becomes whole shares."""

    HALF_UP = "half_up"  # nearest whole share, .5 rounds up (Debenture 4(A))
    DOWN = "down"  # truncate: never issue a share not fully paid for

    @property
    def decimal_mode(self) -> str:
        return ROUND_HALF_UP if self is ShareRounding.HALF_UP else ROUND_DOWN


def to_cents(amount: Decimal) -> Decimal:
    """Money to whole cents, half up."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def to_price(price: Decimal) -> Decimal:
    """A per-share price to 4 decimal places, half up."""
    return Decimal(price).quantize(PRICE_QUANTUM, rounding=ROUND_HALF_UP)


def to_shares(quantity: Decimal, rounding: ShareRounding = ShareRounding.HALF_UP) -> int:
    """A share count to an int by the given rule (default: nearest, ties up)."""
    return int(Decimal(quantity).quantize(ONE, rounding=rounding.decimal_mode))


def pct(value: Decimal) -> Decimal:
    """A percentage written as a number (e.g. 80) to a fraction (0.80)."""
    return Decimal(value) / HUNDRED
