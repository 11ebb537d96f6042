from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from .common import price_field


class MarketPrice(models.Model):
    """Closing bid and closing price of the Common Stock on one trading day
    (inputs to SPA 1(b)(ix), 4(h), 4(i)(x) and Debenture 4(A))."""

    date = models.DateField(unique=True)
    closing_bid = price_field()
    closing_price = price_field(null=True, blank=True)
    source = models.CharField(max_length=200, help_text="Where the figure comes from (e.g. 'Nasdaq', 'synthetic demo').")
    imported_by = models.ForeignKey(
        "deals.PriceImport", null=True, blank=True, on_delete=models.SET_NULL, related_name="prices"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(condition=models.Q(closing_bid__gt=0), name="price_bid_positive"),
            models.CheckConstraint(
                condition=models.Q(closing_price__isnull=True) | models.Q(closing_price__gt=0),
                name="price_close_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} bid {self.closing_bid}"


class PriceImport(models.Model):
    """One CSV import of market prices (all-or-nothing)."""

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        REJECTED = "rejected", "Rejected"

    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20, choices=Status.choices)
    rows_total = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True, help_text="Per-row errors and trading-day gaps.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"
