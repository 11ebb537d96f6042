"""Field helpers shared by the deal models."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models


def money_field(**kwargs) -> models.DecimalField:
    """Dollars and cents. Contract amounts never exceed 12 digits before the point."""
    kwargs.setdefault("max_digits", 14)
    kwargs.setdefault("decimal_places", 2)
    return models.DecimalField(**kwargs)


def price_field(**kwargs) -> models.DecimalField:
    """A per-share price, 4 decimal places (the agreements quote $1.4375)."""
    kwargs.setdefault("max_digits", 12)
    kwargs.setdefault("decimal_places", 4)
    kwargs.setdefault("validators", [MinValueValidator(Decimal("0.0001"))])
    return models.DecimalField(**kwargs)


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
