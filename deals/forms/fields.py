"""Input limits every form shares (issue 15 items 11 and 12).

- Dates: the contract calendars cover ``deals.terms.calendars.FIRST_DAY``..``LAST_DAY``
  (1999-01-01..2035-12-31); a date outside is refused by the form, naming the range, before any
  deadline is computed from it.
- Integers: refused beyond what the database column holds (PostgreSQL ``integer`` unless the
  model says ``bigint``/``smallint``), naming the maximum.
- Text: a NUL character is refused (Django's text fields already do; ``SafeInputMixin`` adds it
  to any other field that takes text, and ``nhtc.middleware`` refuses it in query strings).

``SafeForm`` / ``SafeModelForm`` apply these to every field a form has when it validates,
including fields added in ``__init__``; use them as the base of every form.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError

from deals.terms.calendars import FIRST_DAY, LAST_DAY

INT_RANGES = {
    "SmallIntegerField": (-32_768, 32_767),
    "PositiveSmallIntegerField": (0, 32_767),
    "IntegerField": (-2_147_483_648, 2_147_483_647),
    "PositiveIntegerField": (0, 2_147_483_647),
    "BigIntegerField": (-9_223_372_036_854_775_808, 9_223_372_036_854_775_807),
    "PositiveBigIntegerField": (0, 9_223_372_036_854_775_807),
}
DEFAULT_INT_RANGE = INT_RANGES["IntegerField"]
SUPPORTED_RANGE = f"{FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"


def date_out_of_range(value: datetime.date | None) -> bool:
    return value is not None and not (FIRST_DAY <= value <= LAST_DAY)


def validate_calendar_range(value: datetime.date) -> None:
    """Refuse a date the contract calendars do not cover (deals/terms/calendars.py)."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if date_out_of_range(value):
        raise ValidationError(
            "%(value)s is outside the supported dates, %(range)s (the NYSE and Federal Reserve calendars the "
            "contract deadlines are counted on).",
            code="date_out_of_range", params={"value": value.isoformat(), "range": SUPPORTED_RANGE},
        )


class _LimitValidator:
    """Min/max with a message naming the limit with thousands separators."""

    def __init__(self, low: int, high: int):
        self.low, self.high = low, high

    def __call__(self, value):
        if value is None:
            return
        if value > self.high:
            raise ValidationError("%(value)s is too large; the maximum is %(limit)s.", code="max_value",
                                  params={"value": f"{value:,}", "limit": f"{self.high:,}"})
        if value < self.low:
            raise ValidationError("%(value)s is too small; the minimum is %(limit)s.", code="min_value",
                                  params={"value": f"{value:,}", "limit": f"{self.low:,}"})

    def __eq__(self, other):
        return isinstance(other, _LimitValidator) and (self.low, self.high) == (other.low, other.high)


def _no_nul(value):
    if isinstance(value, str) and "\x00" in value:
        raise ValidationError("This field contains a NUL character (U+0000); remove it.", code="null_characters")


class ContractDateField(forms.DateField):
    """A date the contract calendars cover."""

    default_validators = [validate_calendar_range]


class BoundedIntegerField(forms.IntegerField):
    """An integer the database column holds (PostgreSQL ``integer`` by default)."""

    def __init__(self, *args, db_range: tuple[int, int] = DEFAULT_INT_RANGE, **kwargs):
        super().__init__(*args, **kwargs)
        self.validators.append(_LimitValidator(*db_range))


def harden_field(field: forms.Field, db_range: tuple[int, int] = DEFAULT_INT_RANGE) -> None:
    """Add the shared limits to one field (idempotent)."""
    if getattr(field, "_nhtc_hardened", False):
        return
    field._nhtc_hardened = True
    if isinstance(field, forms.DateField | forms.DateTimeField) and validate_calendar_range not in field.validators:
        field.validators.append(validate_calendar_range)
    elif isinstance(field, forms.IntegerField) and not isinstance(field, forms.DecimalField | forms.FloatField):
        field.validators.append(_LimitValidator(*db_range))
    if not isinstance(field, forms.CharField | forms.FileField):
        field.validators.append(_no_nul)


class SafeInputMixin:
    """Apply ``harden_field`` to every field before validation."""

    def _db_range(self, name: str) -> tuple[int, int]:
        meta = getattr(self, "_meta", None)
        model = getattr(meta, "model", None)
        if model is not None:
            try:
                kind = model._meta.get_field(name).get_internal_type()
            except Exception:  # a form-only field
                return DEFAULT_INT_RANGE
            return INT_RANGES.get(kind, DEFAULT_INT_RANGE)
        return DEFAULT_INT_RANGE

    def full_clean(self):
        for name, field in self.fields.items():
            harden_field(field, self._db_range(name))
        return super().full_clean()


class SafeForm(SafeInputMixin, forms.Form):
    pass


class SafeModelForm(SafeInputMixin, forms.ModelForm):
    pass
