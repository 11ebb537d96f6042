"""The business date: what the back office treats as "today"."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from deals.models import BusinessDate
from deals.services.errors import WorkflowError
from deals.terms.calendars import FIRST_DAY, LAST_DAY


def business_date() -> datetime.date:
    """The business date (deal admins can set it; default the real New York date)."""
    row = BusinessDate.objects.filter(pk=1).only("business_date").first()
    return row.effective_date() if row else BusinessDate().effective_date()


def future_date_problem(day: datetime.date, *, what: str, today: datetime.date, then: str = "") -> str | None:
    """The one "no future date" rule (issue 15 item 21): a record cannot be dated after the
    business date. The refusal naming both dates, or None when ``day`` is on or before it."""
    if day > today:
        return f"The {what} {day.isoformat()} is after the business date {today.isoformat()}{then}."
    return None


def not_after_business_date(
    day: datetime.date, *, what: str, field: str | None, today: datetime.date | None = None, then: str = ""
) -> datetime.date:
    """``future_date_problem`` for the workflows: raises ``WorkflowError`` (code ``future_date``)
    on ``field``; returns the business date it checked against. ``then``: what follows the
    refusal, e.g. "; a conversion cannot be recorded ahead of time"."""
    today = business_date() if today is None else today
    problem = future_date_problem(day, what=what, today=today, then=then)
    if problem:
        raise WorkflowError(problem, code="future_date", field=field)
    return today


def refuse_future_date(day: datetime.date, *, what: str, field: str, today: datetime.date) -> None:
    """``future_date_problem`` for the company-side services, whose forms take a
    ``ValidationError`` keyed by field."""
    problem = future_date_problem(day, what=what, today=today)
    if problem:
        raise ValidationError({field: problem}, code="future_date")


@transaction.atomic
def business_date_set(*, day: datetime.date, user=None) -> BusinessDate:
    """Move the business date to ``day``. Deal admins only (checked by callers).

    The date moves only to an explicit date inside the calendars' range: ``None`` is refused
    (an empty form once meant "today" and a sweep then expired every warrant; issue 15 item 10).
    The confirmation for a large forward move is asked by the form (``BusinessDateAdminForm``)."""
    if day is None:
        raise ValidationError("The business date moves only to an explicit date; none was given.", code="required")
    if not (FIRST_DAY <= day <= LAST_DAY):
        raise ValidationError(
            f"{day.isoformat()} is outside the supported dates, {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}.",
            code="date_out_of_range")
    row, _ = BusinessDate.objects.select_for_update().get_or_create(pk=1)
    row.business_date = day
    row.changed_by = user
    row.save()
    return row
