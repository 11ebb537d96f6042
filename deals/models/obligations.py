"""The obligations ledger: every contract deadline and amount the sweeps and
workflows record, keyed so that re-running a sweep changes nothing."""

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from simple_history.models import HistoricalRecords

from .common import money_field
from .parties import Investor


class ObligationKind(models.TextChoices):
    SHARE_DELIVERY = "share_delivery", "Share delivery (SPA 5(c); Debenture 4(A))"
    LATE_PAYMENT = "late_payment", "Late payment for late delivery (SPA 5(c))"
    REVOCATION_RIGHT = "revocation_right", "Holder may revoke (SPA 5(c))"
    ORIGINAL_NOTICE = "original_notice", "Original Notice of Conversion due (Debenture Exhibit A)"
    BUY_IN = "buy_in", "Buy-In Adjustment Amount (SPA 5(d))"
    MANDATORY_PURCHASE = "mandatory_purchase", "Mandatory Purchase Amount (SPA 5(f))"
    CAP_REDEMPTION = "cap_redemption", "Cap Limitation Redemption Amount (SPA 4(i)(y))"
    MEETING_DATE = "meeting_date", "Stockholders' Meeting Date (SPA 4(i))"
    WARRANT_DELIVERY = "warrant_delivery", "Warrant share delivery"
    WARRANT_EXPIRY = "warrant_expiry", "Warrant expiry (SPA 4(h))"
    MATURITY = "maturity", "Debenture maturity"
    REDEMPTION_PAYMENT = "redemption_payment", "Redemption payment (Debenture 4(B))"
    REDEMPTION_CONVERT_WINDOW = "redemption_convert_window", "Holder may convert instead (Debenture 4(B))"
    REQUIRED_EFFECTIVE = "required_effective", "Required Effective Date (RRA 2(a))"
    AMENDMENT_DUE = "amendment_due", "Registration amendment due (RRA 2(a)(ii))"
    PERIODIC_AMOUNT = "periodic_amount", "Periodic Amount (RRA 2(b))"
    SUSPENSION_EXCESS = "suspension_excess", "Suspension outside a Permitted Suspension Period (RRA 3(h))"
    ROFR_ANSWER = "rofr_answer", "First-refusal answer due (SPA 4(j))"
    ROFR_CONSUMMATION = "rofr_consummation", "Consummation window (SPA 4(j))"
    ROFR_PERIOD_END = "rofr_period_end", "End of the 240-day first-refusal period (SPA 4(j))"
    CURE_PERIOD = "cure_period", "Cure period ends (Debenture 10)"
    REGISTRATION_PERIOD_END = "registration_period_end", "Registration Period ends (RRA 3(a))"
    ESCROW_DEPOSIT = "escrow_deposit", "Purchase Price into escrow (SPA 1(d))"
    LEGEND_REMOVAL = "legend_removal", "Legend removal instruction to the transfer agent (SPA 4(b), 5(a))"
    SALE_CONVERSION_WINDOW = "sale_conversion_window", "Holder may convert before a Sale (Debenture 7)"
    SALE_PREPAYMENT = "sale_prepayment", "Prepayment tendered before a Sale (Debenture 7)"
    INDEMNIFICATION_SURVIVAL = "indemnification_survival", "Indemnification survival ends (Indemnification 6)"
    CONVERSION_CASH = "conversion_cash", "Cash interest/dividends paid on conversion (Debenture 4(A); Series J CoD)"
    ACCELERATION = "acceleration", "Accelerated amount after an Event of Default (Debenture 10)"
    RESERVE_SHORTFALL = "reserve_shortfall", "Share reserve shortfall: authorize and reserve more Common Stock (SPA 3(c), 4(g))"
    PRICE_PROTECTION_SHARES = "price_protection_shares", "Additional shares for past conversions (SPA 4(j)(v))"
    PRICE_PROTECTION_REFUND = "price_protection_refund", "Exercise price repaid on past exercises (SPA 4(j)(v))"


class ObligationStatus(models.TextChoices):
    OPEN = "open", "Open"
    PART_PAID = "part_paid", "Part-paid"
    PAID = "paid", "Paid"
    SATISFIED = "satisfied", "Satisfied"
    WAIVED = "waived", "Waived"
    VOID = "void", "Void"


class Obligation(models.Model):
    """One deadline or amount owed, tied to the record it comes from.

    Unique per (kind, source record, period_key): sweeps upsert on that key.
    ``period_key`` distinguishes repeating items (e.g. a Computation Date)
    and is empty for one-off ones.
    """

    kind = models.CharField(max_length=40, choices=ObligationKind.choices)
    clause = models.CharField(max_length=60)
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    source = GenericForeignKey("content_type", "object_id")
    period_key = models.CharField(max_length=40, blank=True, default="")
    investor = models.ForeignKey(Investor, null=True, blank=True, on_delete=models.PROTECT, related_name="obligations")
    due_date = models.DateField(db_index=True)
    amount = money_field(null=True, blank=True, help_text="Amount owed (accrued so far for growing items).")
    status = models.CharField(max_length=20, choices=ObligationStatus.choices, default=ObligationStatus.OPEN)
    satisfied_date = models.DateField(null=True, blank=True)
    description = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True, help_text="Working: days counted, base, schedule row.")
    as_of = models.DateField(null=True, blank=True, help_text="Business date of the last sweep that updated it.")
    settled = money_field(
        default=Decimal("0.00"),
        db_default=Decimal("0.00"),  # the sweep's raw-SQL writer inserts without it
        help_text="Net of payments, waivers and reversals (deals.services.ledger.settlements keeps it).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            # the deadlines page, the dashboard and the investor page: a status (and investor or
            # kind) filter read in due order without sorting (issue 17)
            models.Index(fields=["status", "due_date", "id"], name="obligation_status_due"),
            models.Index(fields=["investor", "status", "due_date", "id"], name="obligation_investor_due"),
            models.Index(fields=["kind", "status", "due_date", "id"], name="obligation_kind_due"),
            models.Index(fields=["due_date", "id"], name="obligation_due_order"),
            models.Index(fields=["content_type", "object_id"]),
            # what is still owed, in due order, with the columns the dashboard's grouped counts and the
            # aging's rows read (PostgreSQL: an index-only scan of the open rows, not of the whole
            # ledger; issue 17: aging 136 -> 2 ms, dashboard 225 -> 100 ms at (b))
            models.Index(fields=["due_date", "id"], include=["investor", "kind", "amount", "settled"],
                         condition=models.Q(status__in=["open", "part_paid"]), name="obligation_open_due"),
            # the sweep's digest: the open rows created by this run (``sweeps.digest.new_overdue``:
            # an index range, not a walk through every overdue row)
            models.Index(fields=["created_at"], condition=models.Q(status="open"), name="obligation_open_created"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "content_type", "object_id", "period_key"], name="obligation_unique_per_period"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0), name="obligation_amount_nonnegative"
            ),
            models.CheckConstraint(condition=models.Q(settled__gte=0), name="obligation_settled_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} due {self.due_date.isoformat()}"


class SweepRun(models.Model):
    """One run of the deadline sweep (``deals.services.sweeps``)."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    as_of = models.DateField()
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    stats = models.JSONField(default=dict, blank=True, help_text="Rows created/updated per rule.")
    errors = models.JSONField(default=list, blank=True)
    triggered_by = models.CharField(max_length=100, blank=True, help_text="beat, command, user name ...")
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Last sign of life of the process running it (claim, each rule); see sweeps.run."
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            # The sweep lock: at most one run in progress (deals.services.sweeps.sweep_claim).
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="running"), name="sweeprun_one_running"
            ),
        ]

    def __str__(self) -> str:
        return f"Sweep as of {self.as_of.isoformat()} ({self.status})"
