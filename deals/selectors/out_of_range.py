"""Stored dates outside the contract calendars' range (issue 15 item 11).

Forms refuse such dates now, but rows loaded before (or through SQL) may hold one. A page whose
figures need the calendars for such a row cannot compute them; ``nhtc.security.OutOfRangeMiddleware``
then shows this list -- which record, which date, where to correct it -- instead of a server error.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from deals.terms.calendars import FIRST_DAY, LAST_DAY

SUPPORTED = f"{FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"


@dataclass(frozen=True)
class OutOfRangeDate:
    model: str
    record: str
    field: str
    value: datetime.date
    admin_url: str | None


def out_of_range_message(exc: BaseException) -> str:
    """The error in words, with the supported range."""
    if isinstance(exc, OverflowError):
        return f"a stored date is too far in the future to count days from (supported dates: {SUPPORTED})."
    return f"{exc} Supported dates: {SUPPORTED}."


def out_of_range_dates(limit: int = 50) -> list[OutOfRangeDate]:
    """Every stored deals/notices date outside the calendars' range (one query per model with dates)."""
    found: list[OutOfRangeDate] = []
    for app in ("deals", "notices"):
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical"):
                continue
            names = [f.name for f in model._meta.concrete_fields
                     if isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField)]
            if not names:
                continue
            cond = Q()
            for n in names:
                cond |= Q(**{f"{n}__lt": FIRST_DAY}) | Q(**{f"{n}__gt": LAST_DAY})
            for obj in model.objects.filter(cond).order_by("pk")[:limit]:
                try:
                    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
                except NoReverseMatch:
                    url = None
                for n in names:
                    value = getattr(obj, n)
                    if value is not None and not (FIRST_DAY <= value <= LAST_DAY):
                        found.append(OutOfRangeDate(model._meta.verbose_name.capitalize(), str(obj),
                                                    model._meta.get_field(n).verbose_name, value, url))
                if len(found) >= limit:
                    return found
    return found
