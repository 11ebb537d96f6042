"""Settlements: the books side of the obligations ledger.

A ``Settlement`` is one entry against an amount owed: a payment, a waiver,
or a reversal of an earlier payment or waiver. Entries are never edited or
deleted; a correction is a reversing entry (Fineract's rule). The service
``deals.services.ledger.settlements`` is their only author and keeps the
obligation's ``settled`` total and status in step, under a row lock.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .common import money_field
from .obligations import Obligation


class SettlementKind(models.TextChoices):
    PAYMENT = "payment", "Payment"
    WAIVER = "waiver", "Waiver"
    REVERSAL = "reversal", "Reversal"


class SettlementMethod(models.TextChoices):
    WIRE = "wire", "Wire transfer"
    CHECK = "check", "Check"
    SHARES = "shares", "Shares issued"
    SET_OFF = "set_off", "Set-off"


class Settlement(models.Model):
    """One payment, waiver or reversal against an obligation (never edited)."""

    obligation = models.ForeignKey(Obligation, on_delete=models.PROTECT, related_name="settlements")
    kind = models.CharField(max_length=10, choices=SettlementKind.choices)
    date = models.DateField(help_text="Payment date, date of the written waiver, or date of the reversal.")
    amount = money_field(help_text="Always positive; a reversal takes back the amount of the entry it reverses.")
    amount_due = money_field(
        null=True, blank=True, help_text="The amount owed on this date (fixed at payment for amounts that grow)."
    )
    method = models.CharField(max_length=10, choices=SettlementMethod.choices, blank=True)
    reference = models.CharField(max_length=200, blank=True, help_text="Wire reference, check number, certificate numbers ...")
    document = models.FileField(upload_to="settlements/%Y/%m/", blank=True, help_text="Remittance advice, waiver letter ...")
    waived_by = models.CharField(max_length=200, blank=True, help_text="Waivers: who waived (the holder and its signatory).")
    instrument = models.CharField(max_length=300, blank=True, help_text="Waivers: the written instrument (title, date).")
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by",
        help_text="Reversals: the entry taken back.",
    )
    reason = models.CharField(max_length=300, blank=True, help_text="Reversals: why.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["obligation", "date"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="settlement_amount_positive"),
            models.CheckConstraint(
                condition=Q(kind="reversal", reverses__isnull=False) | (~Q(kind="reversal") & Q(reverses__isnull=True)),
                name="settlement_reversal_points_back",
            ),
            models.CheckConstraint(condition=~Q(kind="payment") | ~Q(method=""), name="settlement_payment_has_method"),
            models.CheckConstraint(
                condition=~Q(kind="waiver") | (~Q(waived_by="") & ~Q(instrument="")),
                name="settlement_waiver_names_instrument",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of ${self.amount:,} on {self.date.isoformat()}"

    @property
    def signed_amount(self):
        """What this entry adds to the settled total (reversals take back)."""
        return -self.amount if self.kind == SettlementKind.REVERSAL else self.amount


class AccountStatement(models.Model):
    """A statement of account for one investor as of a date: every amount owed, open and settled,
    with its clause (frozen in ``snapshot``); the PDF is rendered by ``notices`` (kind
    ``account_statement``)."""

    investor = models.ForeignKey("deals.Investor", on_delete=models.PROTECT, related_name="account_statements")
    as_of = models.DateField()
    total_owed = money_field(default=0)
    total_settled = money_field(default=0)
    balance = money_field(default=0)
    snapshot = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-as_of", "-id"]

    def __str__(self) -> str:
        return f"Statement of account for {self.investor} as of {self.as_of.isoformat()}"
