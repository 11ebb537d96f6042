"""Typed errors of the contract engine. Each says what is missing or wrong.

Callers (services, forms) turn these into user messages; ``str(err)`` is
already a sentence a clerk can act on.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date


class TermsError(Exception):
    """Base class: a contract rule cannot be applied to the given inputs."""

    def __post_init__(self) -> None:
        # Dataclass subclasses: fill ``args`` so the error pickles (Celery) and reprs like any other.
        Exception.__init__(self, *(getattr(self, f.name) for f in fields(self)))


@dataclass(eq=False)  # not frozen: Python must be able to set __traceback__ (contextlib does)
class MissingPrice(TermsError):
    """A look-back needs a price for a trading day we do not have."""

    date: date
    field: str = "closing bid"

    def __str__(self) -> str:
        return f"No {self.field} recorded for trading day {self.date.isoformat()}."


@dataclass(eq=False)  # not frozen: Python must be able to set __traceback__ (contextlib does)
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


@dataclass(eq=False)  # not frozen: Python must be able to set __traceback__ (contextlib does)
class NotEligible(TermsError):
    """More is asked for than the clause allows yet (e.g. Debenture 4(A) tranches).

    ``eligible_on`` is the first date on which the requested amount becomes
    convertible, or None if it never does on the facts given.
    """

    requested: object
    available: object
    eligible_on: date | None = None
    clause: str = ""

    def __str__(self) -> str:
        when = (
            f" It becomes eligible on {self.eligible_on.isoformat()}."
            if self.eligible_on
            else " No later date makes it eligible on the facts given."
        )
        where = f" ({self.clause})" if self.clause else ""
        return f"Requested {self.requested} but only {self.available} is eligible now{where}.{when}"
