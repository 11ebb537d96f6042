from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from .common import TimeStamped, money_field
from .financing import Financing
from .parties import Investor


class RegistrationStatement(TimeStamped):
    """The resale registration statement (RRA 2(a), 3)."""

    financing = models.ForeignKey(Financing, on_delete=models.PROTECT, related_name="registration_statements")
    sec_file_number = models.CharField(max_length=50, blank=True)
    anticipated_filing_date = models.DateField(
        null=True, blank=True, help_text="RRA 3(c), 4(a): the counsel-review and Requested Information dates run back from it."
    )
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
    snapshot = models.JSONField(default=dict, blank=True, help_text="Increased Shares Amount working (RRA 2(a)(ii)).")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["statement", "filed_date"]

    def __str__(self) -> str:
        return f"Amendment {self.pk} to {self.statement}"


class SuspensionPeriod(TimeStamped):
    """A period in which sales under the registration statement are suspended
    (Potential Material Event, RRA 3(h))."""

    statement = models.ForeignKey(RegistrationStatement, on_delete=models.CASCADE, related_name="suspensions")
    notice_date = models.DateField(
        null=True, blank=True, help_text="RRA 3(h): date the Potential Material Event notice was given (empty: none)."
    )
    start_date = models.DateField()
    end_date = models.DateField()
    reason = models.CharField(max_length=300, blank=True)
    permitted = models.BooleanField(default=True, help_text="Whether every day is a Permitted Suspension Period day.")
    non_permitted_days = models.JSONField(default=list, blank=True, help_text="Days outside a Permitted Suspension Period.")
    notice_required = models.BooleanField(
        default=True, help_text="RRA 3(h) proviso: False when notice of the event would have been unlawful."
    )
    verdict = models.JSONField(default=dict, blank=True, help_text="deals.terms.suspensions verdict as recorded.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["statement", "start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="suspension_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"Suspension {self.start_date.isoformat()}..{self.end_date.isoformat()}"


class ExcusedDelay(TimeStamped):
    """Days of a delay in filing or effectiveness on which Periodic Amounts are not payable:
    RRA 2(b)(vi)(i) (an act or failure to act of the Initial Investor or its counsel -- that
    investor's amounts only) or RRA 9 (a delay resulting from an assignment of the registration
    rights -- the Company "shall not be liable for any damages", every investor's amounts).
    Recorded by a deal admin with the reason; a mistaken record is withdrawn with a reason, never
    edited or deleted (``withdrawn_*``)."""

    class Cause(models.TextChoices):
        INITIAL_INVESTOR = "initial_investor", "Act or failure to act of the Initial Investor or its counsel (RRA 2(b)(vi)(i))"
        ASSIGNMENT = "assignment", "Delay resulting from an assignment of the registration rights (RRA 9)"

    financing = models.ForeignKey(Financing, on_delete=models.PROTECT, related_name="excused_delays")
    investor = models.ForeignKey(
        Investor, null=True, blank=True, on_delete=models.PROTECT, related_name="excused_delays",
        help_text="RRA 2(b)(vi)(i): the Initial Investor whose amounts are excused; empty for RRA 9 (all investors).",
    )
    cause = models.CharField(max_length=20, choices=Cause.choices)
    transfer = models.ForeignKey(
        "deals.Transfer", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="RRA 9: the assignment that caused the delay.",
    )
    first_day = models.DateField()
    last_day = models.DateField()
    reason = models.CharField(max_length=500)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    withdrawn_reason = models.CharField(max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["financing", "first_day", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(last_day__gte=F("first_day")), name="excused_delay_last_after_first"),
            models.CheckConstraint(
                condition=~Q(cause="initial_investor") | Q(investor__isnull=False),
                name="excused_delay_initial_investor_named",
                violation_error_message="RRA 2(b)(vi)(i) excuses one Initial Investor's amounts: name the investor.",
            ),
        ]

    def __str__(self) -> str:
        return f"Excused {self.first_day.isoformat()}..{self.last_day.isoformat()} ({self.get_cause_display()})"

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1


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


class PeriodicAmountPayment(TimeStamped):
    """A Periodic Amount (RRA 2(b)(iii)-(iv)) for one investor and Computation
    Date, recorded when the company marks it paid; ``snapshot`` is the line as
    computed by ``deals.terms.registration.periodic_amounts``."""

    class Lateness(models.TextChoices):
        REQUIRED_EFFECTIVE_DATE = "required_effective_date", "Missed Required Effective Date (RRA 2(b)(i))"
        RESTRICTED_SALE_DATE = "restricted_sale_date", "Restricted Sale Date (RRA 2(b)(ii))"

    financing = models.ForeignKey(Financing, on_delete=models.PROTECT, related_name="periodic_payments")
    investor = models.ForeignKey(Investor, on_delete=models.PROTECT, related_name="periodic_payments")
    lateness = models.CharField(max_length=30, choices=Lateness.choices)
    trigger_date = models.DateField(help_text="Required Effective Date or Restricted Sale Date.")
    computation_date = models.DateField(help_text="RRA 2(b)(vii).")
    days = models.PositiveIntegerField()
    base = money_field()
    amount = money_field()
    due_date = models.DateField()
    paid_date = models.DateField()
    payment_reference = models.CharField(max_length=200, blank=True)
    snapshot = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["investor", "computation_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["financing", "investor", "lateness", "trigger_date", "computation_date"],
                name="one_payment_per_computation_date",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="periodic_payment_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"Periodic Amount {self.amount} to {self.investor} for {self.computation_date.isoformat()}"


class LiquidatedDamagesStatement(TimeStamped):
    """A monthly statement of Periodic Amounts for one investor (RRA 2(b)(iv):
    payable monthly without demand); the PDF is rendered by ``notices``."""

    financing = models.ForeignKey(Financing, on_delete=models.PROTECT, related_name="ld_statements")
    investor = models.ForeignKey(Investor, on_delete=models.PROTECT, related_name="ld_statements")
    month = models.DateField(help_text="First day of the month the statement covers.")
    as_of = models.DateField(help_text="Business date the statement was computed on.")
    total_due = money_field(help_text="Periodic Amounts with a Computation Date in the month.")
    total_paid = money_field(default=0)
    snapshot = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "investor", "-id"]

    def __str__(self) -> str:
        return f"Liquidated damages statement {self.month:%Y-%m} for {self.investor}"
