from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from .common import TimeStamped
from .financing import Financing
from .parties import Investor


class RegistrationStatement(TimeStamped):
    """The resale registration statement (RRA 2(a), 3)."""

    financing = models.ForeignKey(Financing, on_delete=models.PROTECT, related_name="registration_statements")
    sec_file_number = models.CharField(max_length=50, blank=True)
    counsel_review_sent = models.DateField(null=True, blank=True, help_text="RRA 3(c): draft sent to buyers' counsel.")
    requested_information_received = models.DateField(null=True, blank=True, help_text="RRA 3(c)/4.")
    filed_date = models.DateField(null=True, blank=True)
    effective_date = models.DateField(null=True, blank=True, help_text="RRA 1: the Effective Date.")
    shares_registered = models.PositiveBigIntegerField(default=0)
    registration_period_end = models.DateField(null=True, blank=True, help_text="RRA 3(a).")
    history = HistoricalRecords()

    class Meta:
        ordering = ["financing", "-filed_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_date__isnull=True) | Q(filed_date__isnull=False),
                name="registration_effective_needs_filed",
                violation_error_message="A statement cannot be effective before it is filed.",
            ),
            models.CheckConstraint(
                condition=Q(effective_date__isnull=True) | Q(effective_date__gte=F("filed_date")),
                name="registration_effective_after_filed",
            ),
        ]

    def __str__(self) -> str:
        return f"Registration statement {self.sec_file_number or self.pk} ({self.financing})"


class RegistrationAmendment(TimeStamped):
    """An amendment or new statement registering more shares (RRA 2(a)(ii))."""

    statement = models.ForeignKey(RegistrationStatement, on_delete=models.CASCADE, related_name="amendments")
    increased_registered_shares_date = models.DateField(null=True, blank=True, help_text="RRA 2(a)(ii).")
    filed_date = models.DateField(null=True, blank=True)
    effective_date = models.DateField(null=True, blank=True)
    shares_added = models.PositiveBigIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["statement", "filed_date"]

    def __str__(self) -> str:
        return f"Amendment {self.pk} to {self.statement}"


class SuspensionPeriod(TimeStamped):
    """A period in which sales under the registration statement are suspended
    (Potential Material Event, RRA 3(h))."""

    statement = models.ForeignKey(RegistrationStatement, on_delete=models.CASCADE, related_name="suspensions")
    notice_date = models.DateField(help_text="RRA 3(h): date the Potential Material Event notice was given.")
    start_date = models.DateField()
    end_date = models.DateField()
    reason = models.CharField(max_length=300, blank=True)
    permitted = models.BooleanField(default=True, help_text="Whether every day is a Permitted Suspension Period day.")
    non_permitted_days = models.JSONField(default=list, blank=True, help_text="Days outside a Permitted Suspension Period.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["statement", "start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="suspension_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"Suspension {self.start_date.isoformat()}..{self.end_date.isoformat()}"


class ShareSale(TimeStamped):
    """A sale of conversion shares by an investor (RRA 2(b)(iii) Held Shares Value, FIFO)."""

    investor = models.ForeignKey(Investor, on_delete=models.PROTECT, related_name="share_sales")
    financing = models.ForeignKey(Financing, on_delete=models.PROTECT, related_name="share_sales")
    sale_date = models.DateField()
    shares = models.PositiveIntegerField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["investor", "sale_date"]
        constraints = [models.CheckConstraint(condition=Q(shares__gt=0), name="share_sale_positive")]

    def __str__(self) -> str:
        return f"{self.investor} sold {self.shares} on {self.sale_date.isoformat()}"
