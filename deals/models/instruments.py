"""Instruments held by investors. Outstanding amounts are maintained by the
workflows (``deals.services``), never edited by hand after issuance; database
constraints keep them non-negative and within the original amount."""

from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Length, Mod, Upper
from django.db.models.lookups import Exact
from simple_history.models import HistoricalRecords

from .common import TimeStamped, money_field, price_field
from .financing import Financing
from .parties import Investor


class InstrumentStatus(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    CONVERTED = "converted", "Fully converted"
    REDEEMED = "redeemed", "Redeemed"
    MATURED = "matured", "Matured"
    EXERCISED = "exercised", "Fully exercised"
    EXPIRED = "expired", "Expired"
    TRANSFERRED = "transferred", "Transferred or exchanged"


class PreferredHolding(TimeStamped):
    """Series J Convertible Preferred held by one buyer (SPA 1(a), 1(b)(iv))."""

    financing = models.ForeignKey(Financing, on_delete=models.PROTECT, related_name="preferred_holdings")
    investor = models.ForeignKey(Investor, on_delete=models.PROTECT, related_name="preferred_holdings")
    certificate_number = models.CharField(max_length=50, unique=True)
    shares = models.PositiveIntegerField(help_text="Series J shares purchased ($1,000 liquidation preference each).")
    liquidation_preference = money_field(help_text="Shares x stated value (SPA 1(b)(iv)).")
    liquidation_preference_outstanding = money_field(help_text="Not yet converted or redeemed; kept by the workflows.")
    purchase_price = money_field()
    closing_date = models.DateField()
    status = models.CharField(max_length=20, choices=InstrumentStatus.choices, default=InstrumentStatus.OUTSTANDING)
    rule_144_from = models.DateField(
        "Rule 144 free from", null=True, blank=True,
        help_text="RRA 2(b)(vi)(ii): first day all the Registrable Securities of this holding may be sold under Rule 144 "
        "(or another exemption) without volume or other limits. Periodic Amounts stop for the holder once every one "
        "of its holdings has this date.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = [Length("certificate_number"), "certificate_number"]  # natural: J-2 before J-10
        # the natural order read from an index, not sorted with the collation (issue 17: the cap
        # table reads every holding in this order -- with the columns it reads, an index-only
        # scan on PostgreSQL, not a sort of 10,000 rows at (b); lists page through it)
        indexes = [
            models.Index(
                Length("certificate_number"), "certificate_number", name="preferred_natural_order",
                include=["id", "investor", "shares", "liquidation_preference", "financing", "closing_date"],
            ),
            # the forms find an instrument by its number, case ignored (``instrument_resolve``: iexact)
            models.Index(Upper("certificate_number"), name="preferred_number_upper"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(shares__gt=0), name="preferred_shares_positive"),
            models.CheckConstraint(condition=Q(liquidation_preference__gt=0), name="preferred_lp_positive"),
            models.CheckConstraint(
                condition=Q(liquidation_preference_outstanding__gte=0)
                & Q(liquidation_preference_outstanding__lte=F("liquidation_preference")),
                name="preferred_lp_outstanding_in_range",
                violation_error_message="Outstanding liquidation preference must be between 0 and the original.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.financing.series} cert. {self.certificate_number} ({self.investor})"

    @property
    def label(self) -> str:
        """"Series K K-1": the holding's own financing's series (issue 18), not always Series J."""
        return f"{self.financing.series} {self.certificate_number}"


class Debenture(TimeStamped):
    """A 6% Convertible Debenture (Debenture; $100,000 denominations)."""

    financing = models.ForeignKey(Financing, on_delete=models.PROTECT, related_name="debentures")
    investor = models.ForeignKey(Investor, on_delete=models.PROTECT, related_name="debentures")
    number = models.CharField(max_length=20, unique=True, help_text="Debenture number, e.g. D-7.")
    principal = money_field(help_text="Face amount, a multiple of $100,000.")
    principal_outstanding = money_field(help_text="Not yet converted or redeemed; kept by the workflows.")
    dated_date = models.DateField(
        verbose_name="dated (\"the date hereof\")",
        help_text="The date written on the face of the Debenture. Interest paragraph: accrual commences on the "
        "first business day after this date.",
    )
    issue_date = models.DateField(
        "date of initial issuance",
        help_text="The day the Debenture was issued against payment. Interest paragraph: interest accrues from "
        "this date, so it never starts before it.",
    )
    closing_date = models.DateField(help_text="Debenture 4(A): eligibility runs from the Closing.")
    maturity_date = models.DateField()
    interest_paid_through = models.DateField(null=True, blank=True, help_text="Interest settled up to this date.")
    status = models.CharField(max_length=20, choices=InstrumentStatus.choices, default=InstrumentStatus.OUTSTANDING)
    history = HistoricalRecords()

    class Meta:
        ordering = ["financing", Length("number"), "number"]  # natural: D-2 before D-10
        indexes = [models.Index(Upper("number"), name="debenture_number_upper")]  # found by number, case ignored
        constraints = [
            models.CheckConstraint(condition=Q(principal__gt=0), name="debenture_principal_positive"),
            models.CheckConstraint(
                condition=Exact(Mod(F("principal"), Value(100000)), Value(0)),
                name="debenture_principal_multiple_100k",
                violation_error_message="Principal must be a multiple of $100,000.",
            ),
            models.CheckConstraint(
                condition=Q(principal_outstanding__gte=0) & Q(principal_outstanding__lte=F("principal")),
                name="debenture_outstanding_in_range",
                violation_error_message="Outstanding principal must be between 0 and the principal.",
            ),
            models.CheckConstraint(condition=Q(maturity_date__gt=F("issue_date")), name="debenture_matures_after_issue"),
        ]

    def __str__(self) -> str:
        return f"Debenture {self.number} ({self.investor})"

    @property
    def label(self) -> str:
        return f"Debenture {self.number}"


class Warrant(TimeStamped):
    """Warrants issued with the Series J (SPA 4(h); form in SPA Annex VI, not in seeds)."""

    financing = models.ForeignKey(Financing, on_delete=models.PROTECT, related_name="warrants")
    investor = models.ForeignKey(Investor, on_delete=models.PROTECT, related_name="warrants")
    number = models.CharField(max_length=20, unique=True)
    shares = models.PositiveIntegerField(help_text="SPA 4(h): 20% of purchase price / (110% of closing bid).")
    shares_remaining = models.PositiveIntegerField(help_text="Not yet exercised; kept by the workflows.")
    exercise_price = price_field(help_text="SPA 4(h): 110% of the closing bid on the trading day before Closing.")
    issue_date = models.DateField()
    expiry_date = models.DateField(help_text="SPA 4(h): last day of the month of the 5th anniversary of Closing.")
    status = models.CharField(max_length=20, choices=InstrumentStatus.choices, default=InstrumentStatus.OUTSTANDING)
    sizing_reason = models.TextField(
        blank=True,
        help_text="SPA 4(h): why the shares, exercise price or expiry differ from the SPA 4(h) sizing (kept with the warrant).",
    )
    sizing_check = models.JSONField(
        default=dict, blank=True, help_text="SPA 4(h) sizing as checked when the warrant was last saved in the admin."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = [Length("number"), "number"]  # natural: W-2 before W-10
        indexes = [models.Index(Upper("number"), name="warrant_number_upper")]  # found by number, case ignored
        constraints = [
            models.CheckConstraint(condition=Q(shares__gt=0), name="warrant_shares_positive"),
            models.CheckConstraint(condition=Q(shares_remaining__lte=F("shares")), name="warrant_remaining_lte_shares"),
            models.CheckConstraint(condition=Q(expiry_date__gt=F("issue_date")), name="warrant_expires_after_issue"),
        ]

    def __str__(self) -> str:
        return f"Warrant {self.number} ({self.investor})"
