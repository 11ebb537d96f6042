"""Typed errors of the contract engine. Each says what is missing or wrong.

Callers (services, forms) turn these into user messages; ``str(err)`` is
already a sentence a clerk can act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


class TermsError(Exception):
    """Base class: a contract rule cannot be applied to the given inputs."""


@dataclass(frozen=True)
class MissingPrice(TermsError):
    """A look-back needs a price for a trading day we do not have."""

    date: date
    field: str = "closing bid"

    def __str__(self) -> str:
        return f"No {self.field} recorded for trading day {self.date.isoformat()}."


@dataclass(frozen=True)
class MissingPrices(TermsError):
    """Several look-back days lack prices; lists every one of them."""

    dates: tuple[date, ...]
    field: str = "closing bid"

    def __str__(self) -> str:
        days = ", ".join(d.isoformat() for d in self.dates)
        return f"No {self.field} recorded for trading day(s): {days}."


class CalendarRangeError(TermsError):
    """A date outside the range the calendars cover (1999-2035)."""


class InvalidInput(TermsError):
    """An argument outside the domain the clause allows (e.g. amount <= 0)."""
