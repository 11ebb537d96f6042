"""Plain fixtures for the contract-engine tests (no database, no Django)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from deals.terms.calendars import trading_days_between
from deals.terms.params import NHTC_DEFAULTS, DealTerms


def constant_prices(value: str, start: date = date(1999, 6, 1), end: date = date(2006, 12, 29)) -> dict:
    """Every trading day from start to end priced at ``value``."""
    v = Decimal(value)
    return {d: v for d in trading_days_between(start, end)}


def wavy_prices(start: date = date(1999, 6, 1), end: date = date(2006, 12, 29)) -> dict:
    """Deterministic prices between $1.00 and $2.06 that move every day."""
    return {
        d: Decimal("1.00") + Decimal((i * 37) % 107) / 100
        for i, d in enumerate(trading_days_between(start, end))
    }


@pytest.fixture
def terms() -> DealTerms:
    return NHTC_DEFAULTS
