"""What holders send and what follows: conversions, buy-ins, cap remedies,
warrant exercises and redemptions. Each submitted record stores the
computation it used (``snapshot``: prices, dates, working) and the terms
version, so it can be re-checked after the terms change."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .common import TimeStamped, money_field, price_field
from .instruments import Debenture, PreferredHolding, Warrant
from .parties import Investor
from .terms import DealTermsVersion


class NoticeMethod(models.TextChoices):
    FACSIMILE = "facsimile", "Facsimile"
    ORIGINAL = "original", "Original (delivered)"
    OTHER = "other", "Other"


class InterestElection(models.TextChoices):
    CASH = "cash", "Cash"
    SHARES = "shares", "Common shares at the conversion price"


class ConversionStatus(models.TextChoices):
    PENDING_DELIVERY = "pending_delivery", "Awaiting delivery"
    DELIVERED = "delivered", "Shares delivered"
    REVOKED = "revoked", "Revoked by holder (SPA 5(c))"
    DISHONOURED = "dishonoured", "Dishonoured (SPA 5(f))"


class Conversion(TimeStamped):
    """A Notice of Conversion recorded by a clerk (Debenture 4(A) + Exhibit A;
    Series J per the Certificate of Designations and SPA 5)."""

    debenture = models.ForeignKey(Debenture, null=True, blank=True, on_delete=models.PROTECT, related_name="conversions")
    preferred = models.ForeignKey(
        PreferredHolding, null=True, blank=True, on_delete=models.PROTECT, related_name="conversions"
    )
    investor = models.ForeignKey(Investor, on_delete=models.PROTECT, related_name="conversions")
    terms_version = models.ForeignKey(DealTermsVersion, on_delete=models.PROTECT, related_name="conversions")
    amount = money_field(help_text="Principal (debenture) or liquidation preference (Series J) converted.")
    conversion_date = models.DateField(help_text="Date of Conversion.")
    notice_method = models.CharField(max_length=20, choices=NoticeMethod.choices)
    notice_received_date = models.DateField()
    interest_election = models.CharField(max_length=10, choices=InterestElection.choices, default=InterestElection.CASH)
    reference = models.CharField(max_length=200, blank=True)
    market_price = price_field(null=True, blank=True)
    conversion_price = price_field()
    shares_for_amount = models.PositiveBigIntegerField()
    interest_amount = money_field(default=0, help_text="Accrued interest / dividends on the amount converted.")
    interest_shares = models.PositiveBigIntegerField(default=0)
    late_payment_base = money_field(
        default=0,
        help_text='SPA 5(c): "Liquidation Preference or Dividend Amount being converted" -- the liquidation '
        "preference actually converted plus dividends taken in shares (Unconverted Shares and cash dividends excluded).",
    )
    shares_issuable = models.PositiveBigIntegerField(help_text="Shares to deliver now (after the 20% cap).")
    unconverted_shares = models.PositiveBigIntegerField(default=0, help_text="SPA 4(i) Unconverted Shares.")
    delivery_date = models.DateField(help_text="Delivery Date: certificates due.")
    original_due_date = models.DateField(null=True, blank=True, help_text="Debenture Exhibit A: 5th business day.")
    original_received_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=ConversionStatus.choices, default=ConversionStatus.PENDING_DELIVERY)
    delivered_date = models.DateField(null=True, blank=True)
    delivery_reference = models.CharField(max_length=300, blank=True, help_text="Certificate numbers or DWAC/FAST ref.")
    revoked_date = models.DateField(null=True, blank=True)
    dishonoured_date = models.DateField(null=True, blank=True)
    snapshot = models.JSONField(help_text="The full computation as quoted and confirmed.")
    idempotency_key = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-conversion_date", "-id"]
        indexes = [
            models.Index(fields=["status", "delivery_date"]),
            # the list page and /api/conversions/ read page 1 newest first without sorting the table
            models.Index(fields=["-conversion_date", "-id"], name="conversion_newest_first"),
            # each list filter with the list's order (issue 17: no sort of the filtered rows)
            models.Index(fields=["status", "-conversion_date", "-id"], name="conversion_status_newest"),
            models.Index(fields=["investor", "-conversion_date", "-id"], name="conversion_investor_newest"),
            models.Index(fields=["debenture", "-conversion_date", "-id"], name="conversion_debenture_newest"),
            models.Index(fields=["preferred", "-conversion_date", "-id"], name="conversion_preferred_newest"),
            # SPA 4(d)(ii) cap and RRA 2(a) registrable shares: the Conversion Shares of live Series J
            # conversions summed by an index-only scan (PostgreSQL; no table rows, no snapshots)
            models.Index(
                fields=["preferred"], include=["shares_issuable"], name="conversion_live_seriesj_shares",
                condition=Q(preferred__isnull=False, status__in=["pending_delivery", "delivered"]),
            ),
            # SPA 4(d)(ii): the cap count and the Meeting Date's issuances per day, read under the
            # issuer lock by every issuance (issue 14/17): live conversions by date with the shares and
            # the instrument, so both are index-only scans (no table rows, no snapshots)
            models.Index(
                fields=["conversion_date"], include=["shares_issuable", "preferred", "debenture"], name="conversion_live_by_date",
                condition=Q(status__in=["pending_delivery", "delivered"]),
            ),
            # the cap table as of any date (issue 17): per instrument and holder, the amounts,
            # shares and SPA 4(i) Unconverted Shares of the conversions in effect, grouped in index
            # order by an index-only scan (PostgreSQL; no table rows, no snapshots, no hash)
            models.Index(
                fields=["debenture", "preferred", "investor"], name="conversion_captable_rollup",
                include=["conversion_date", "revoked_date", "dishonoured_date", "amount", "shares_issuable",
                         "unconverted_shares"],
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(debenture__isnull=False) & Q(preferred__isnull=True))
                | (Q(debenture__isnull=True) & Q(preferred__isnull=False)),
                name="conversion_exactly_one_instrument",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="conversion_amount_positive"),
            models.CheckConstraint(condition=Q(conversion_price__gt=0), name="conversion_price_positive"),
        ]

    def __str__(self) -> str:
        return f"Conversion #{self.pk} of {self.instrument_label} on {self.conversion_date.isoformat()}"

    @property
    def instrument(self):
        return self.debenture or self.preferred

    @property
    def instrument_label(self) -> str:
        return self.debenture.label if self.debenture_id else self.preferred.label

    @property
    def is_debenture(self) -> bool:
        return self.debenture_id is not None


class BuyIn(TimeStamped):
    """A Buy-In and its Buy-In Adjustment Amount (SPA 5(d))."""

    conversion = models.ForeignKey(Conversion, on_delete=models.PROTECT, related_name="buy_ins")
    buy_in_date = models.DateField()
    covering_cost = money_field(help_text="Total purchase price of the Covering Shares incl. commissions.")
    sold_proceeds = money_field(help_text="Net proceeds of the Sold Shares after commissions.")
    adjustment_amount = money_field()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "buy-in"
        constraints = [models.CheckConstraint(condition=Q(adjustment_amount__gte=0), name="buyin_amount_nonnegative")]


class CapRemedy(TimeStamped):
    """The holder's choice for Unconverted Shares (SPA 4(i) remedies (x) and (y))."""

    class Remedy(models.TextChoices):
        X_PRICE = "x", "(x) Conversion at the remedy price"
        Y_REDEMPTION = "y", "(y) Cap Limitation Redemption Amount"

    conversion = models.ForeignKey(Conversion, on_delete=models.PROTECT, related_name="cap_remedies")
    remedy = models.CharField(max_length=2, choices=Remedy.choices)
    chosen_date = models.DateField()
    unconverted_shares = models.PositiveBigIntegerField()
    amount = money_field(null=True, blank=True, help_text="Remedy (y): V x M / CP.")
    due_date = models.DateField(null=True, blank=True)
    snapshot = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "cap remedies"


class WarrantExercise(TimeStamped):
    """A Notice of Exercise of a warrant (SPA 4(h); warrant form not in seeds)."""

    class Status(models.TextChoices):
        PENDING_DELIVERY = "pending_delivery", "Awaiting delivery"
        DELIVERED = "delivered", "Shares delivered"
        DISHONOURED = "dishonoured", "Dishonoured (SPA 5(f))"

    warrant = models.ForeignKey(Warrant, on_delete=models.PROTECT, related_name="exercises")
    investor = models.ForeignKey(Investor, on_delete=models.PROTECT, related_name="exercises")
    terms_version = models.ForeignKey(DealTermsVersion, on_delete=models.PROTECT, related_name="exercises")
    shares = models.PositiveIntegerField()
    exercise_date = models.DateField()
    exercise_price = price_field()
    aggregate_price = money_field()
    payment_amount = money_field()
    payment_date = models.DateField()
    delivery_date = models.DateField()
    delivered_date = models.DateField(null=True, blank=True)
    delivery_reference = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING_DELIVERY)
    dishonoured_date = models.DateField(null=True, blank=True, help_text="SPA 5(f): the holder's written notice.")
    snapshot = models.JSONField()
    idempotency_key = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-exercise_date", "-id"]
        indexes = [
            models.Index(fields=["-exercise_date", "-id"], name="exercise_newest_first"),
            models.Index(fields=["status", "-exercise_date", "-id"], name="exercise_status_newest"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(shares__gt=0), name="exercise_shares_positive"),
            models.CheckConstraint(
                condition=Q(payment_amount__gte=models.F("aggregate_price")), name="exercise_not_underpaid"
            ),
        ]

    def __str__(self) -> str:
        return f"Exercise #{self.pk} of {self.warrant.number} ({self.shares:,} shares)"


class RedemptionStatus(models.TextChoices):
    PENDING = "pending", "Awaiting payment"
    PAID = "paid", "Paid"
    VOID = "void", "Void (paid late, Debenture 4(B))"
    CONVERTED = "converted", "Holder converted instead"


class Redemption(TimeStamped):
    """A Notice of Redemption of a debenture (Debenture 4(B))."""

    debenture = models.ForeignKey(Debenture, on_delete=models.PROTECT, related_name="redemptions")
    terms_version = models.ForeignKey(DealTermsVersion, on_delete=models.PROTECT, related_name="redemptions")
    notice_date = models.DateField()
    notice_received_date = models.DateField(help_text="When the holder received it (SPA 10 deemed-given date).")
    principal = money_field()
    premium_amount = money_field(help_text="Principal x 120%.")
    interest_amount = money_field()
    total_amount = money_field()
    payment_due_date = models.DateField()
    convert_until = models.DateField(help_text="Holder may convert instead until this date.")
    payment_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=RedemptionStatus.choices, default=RedemptionStatus.PENDING)
    snapshot = models.JSONField()
    idempotency_key = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-notice_date", "-id"]
        indexes = [models.Index(fields=["-notice_date", "-id"], name="redemption_newest_first")]
        constraints = [
            models.CheckConstraint(condition=Q(principal__gt=0), name="redemption_principal_positive"),
        ]

    def __str__(self) -> str:
        return f"Redemption of {self.debenture.number} noticed {self.notice_date.isoformat()}"
