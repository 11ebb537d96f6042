"""Maker-checker (four eyes): a sensitive change is data until a second deal admin approves it.

An ``Approval`` holds what one deal admin (the maker) asked for -- the kind, a plain summary,
the arguments of the service that will apply it (``payload``), a document and why -- and what
a different deal admin (the checker) decided, when and why. The change takes effect only on
approval, by calling the same service that applies it without approval (one author); the
record the service made is linked back (``result_*``). STYLE.md: "Approval of a sensitive change
is data, not a flag".

Consents (RRA 10 / SPA 9(i)): a terms version that changes a contract term carries the
written instrument (``document``, ``instrument_date``), whether the Company signed, and one
``ApprovalConsent`` per holder with its holding on the instrument's date and whether it signed.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from .common import money_field


class ApprovalKind(models.TextChoices):
    TERMS_VERSION = "terms_version", "New deal terms version"
    PRICE_CORRECTION = "price_correction", "Price correction on a date a conversion used"
    WAIVER = "waiver", "Waiver"
    SETTLEMENT = "settlement", "Payment above the approval threshold"


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved and applied"
    REJECTED = "rejected", "Rejected"


class Approval(models.Model):
    """One change waiting for (or decided by) a second deal admin."""

    kind = models.CharField(max_length=20, choices=ApprovalKind.choices)
    status = models.CharField(max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING)
    summary = models.CharField(max_length=300, help_text="What the change does, in words.")
    payload = models.JSONField(help_text="The arguments of the service that applies the change.")
    financing = models.ForeignKey(
        "deals.Financing", null=True, blank=True, on_delete=models.PROTECT, related_name="approvals"
    )
    obligation = models.ForeignKey(
        "deals.Obligation", null=True, blank=True, on_delete=models.PROTECT, related_name="approvals"
    )
    amount = money_field(null=True, blank=True, help_text="Payments and waivers: the amount.")
    document = models.FileField(
        upload_to="approvals/%Y/%m/", blank=True,
        help_text="The written instrument (RRA 10 / SPA 9(i)), the waiver letter or the remittance advice.",
    )
    instrument_date = models.DateField(null=True, blank=True, help_text="Terms versions: date of the written instrument.")
    company_consents = models.BooleanField(default=False, help_text="Terms versions: the Company signed the instrument.")
    consent_check = models.JSONField(default=dict, blank=True, help_text="The engine's RRA 10 / SPA 9(i) check.")
    maker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300, help_text="Why the maker asks for the change.")
    created_at = models.DateTimeField(auto_now_add=True)
    checker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=300, blank=True, help_text="Rejections: why (kept).")
    result_model = models.CharField(max_length=60, blank=True)
    result_id = models.PositiveBigIntegerField(null=True, blank=True)
    result_label = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"], name="approval_status_newest")]
        constraints = [
            models.CheckConstraint(condition=Q(checker__isnull=True) | ~Q(checker=F("maker")),
                                   name="approval_checker_not_maker"),
            models.CheckConstraint(
                condition=Q(status="pending", checker__isnull=True, decided_at__isnull=True)
                | (~Q(status="pending") & Q(checker__isnull=False, decided_at__isnull=False)),
                name="approval_decided_has_checker",
            ),
            models.CheckConstraint(condition=~Q(status="rejected") | ~Q(decision_reason=""),
                                   name="approval_rejection_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Approval #{self.pk}: {self.get_kind_display()} ({self.get_status_display().lower()})"


class ApprovalConsent(models.Model):
    """One holder's holding on the instrument's date and whether it signed (RRA 10 / SPA 9(i))."""

    approval = models.ForeignKey(Approval, on_delete=models.PROTECT, related_name="consents")
    investor = models.ForeignKey("deals.Investor", on_delete=models.PROTECT, related_name="+")
    holding = money_field(help_text="Liquidation preference (Series J) or principal (debentures) held on the date.")
    signed = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["approval", "investor__legal_name"]
        constraints = [
            models.UniqueConstraint(fields=["approval", "investor"], name="approval_consent_once_per_investor"),
            models.CheckConstraint(condition=Q(holding__gte=0), name="approval_consent_holding_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.investor}: {'signed' if self.signed else 'did not sign'}"
