"""The closing room of a financing (SPA 1(c)-(e), 6, 7, 8; the debentures' closing likewise).

The Closing Date is never typed: ``deals.selectors.closing.closing_status`` computes it from
the conditions (SPA 6(a)) and ``deals.services.closing.closing_record`` stores the date it
recorded with the working. The condition texts live in ``deals.terms.closing.CONDITIONS``;
a row here holds only its code and what happened to it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from deals.terms import closing as engine

from .common import TimeStamped, money_field, price_field
from .financing import Financing
from .parties import Investor


class ClosingRoom(TimeStamped):
    """One per financing: acceptance, escrow, conditions and the recorded closing."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    financing = models.OneToOneField(Financing, on_delete=models.PROTECT, related_name="closing_room")
    acceptance_date = models.DateField(help_text="SPA 1(d): the Company accepted and returned the signed counterpart.")
    first_offered_on = models.DateField(
        null=True, blank=True, help_text="SPA 2(b)(iv)(A): first offer to persons other than Distributors (if known)."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closing_date = models.DateField(null=True, blank=True, help_text="SPA 6(a), as computed when recorded.")
    closing_bid = price_field(null=True, blank=True, help_text="SPA 4(h): closing bid on the trading day before.")
    escrow_released_on = models.DateField(null=True, blank=True, help_text="SPA 6(c).")
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    snapshot = models.JSONField(default=dict, blank=True, help_text="What the closing issued, with the working.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-acceptance_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | (Q(closing_date__isnull=False) & Q(escrow_released_on__isnull=False)),
                name="closingroom_closed_has_date",
                violation_error_message="A closed room needs its Closing Date and escrow release.",
            ),
        ]

    def __str__(self) -> str:
        return f"Closing room: {self.financing}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class Subscription(TimeStamped):
    """One Buyer's part of the offering: the liquidation preference (Series J, SPA 1(a)(i)) or
    principal (debentures) on its signature page, and the Purchase Price (SPA 1(a)(ii))."""

    room = models.ForeignKey(ClosingRoom, on_delete=models.PROTECT, related_name="subscriptions")
    investor = models.ForeignKey(Investor, on_delete=models.PROTECT, related_name="subscriptions")
    amount = money_field(help_text="Liquidation preference (Series J) or principal (debentures).")
    purchase_price = money_field(help_text="SPA 1(a)(ii): the amount on the Buyer's signature page.")
    denominations = models.PositiveSmallIntegerField(
        default=1, help_text="Debentures: how many D-numbers to issue (Debenture 1: $100,000 multiples)."
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["room", "investor"], name="subscription_one_per_buyer"),
            models.CheckConstraint(condition=Q(amount__gt=0) & Q(purchase_price__gt=0), name="subscription_positive"),
            models.CheckConstraint(condition=Q(denominations__gte=1), name="subscription_denominations_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.investor}: ${self.amount:,.2f}"


class EscrowDeposit(models.Model):
    """A deposit of the Purchase Price with the Escrow Agent (SPA 1(d)). A book entry: never
    edited; a mistake is corrected by a reversing entry (negative amount, ``reverses`` set)."""

    room = models.ForeignKey(ClosingRoom, on_delete=models.PROTECT, related_name="deposits")
    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="deposits")
    amount = money_field()
    deposited_on = models.DateField()
    reference = models.CharField(max_length=200, help_text="Wire reference or the Escrow Agent's receipt.")
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    reason = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["deposited_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(reverses__isnull=True) & Q(amount__gt=0)) | (Q(reverses__isnull=False) & Q(amount__lt=0)),
                name="escrowdeposit_sign_matches_kind",
                violation_error_message="A deposit is positive; only a reversal is negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"Escrow deposit ${self.amount:,.2f} on {self.deposited_on.isoformat()}"


class ConditionStatus(models.TextChoices):
    OPEN = "open", "Open"
    SATISFIED = "satisfied", "Satisfied"
    WAIVED = "waived", "Waived"


def evidence_upload_to(item: ClosingCondition, filename: str) -> str:
    return f"closing/{item.room_id}/{item.code.replace('(', '').replace(')', '')}/{filename}"


class ClosingCondition(models.Model):
    """One condition of SPA 7 or SPA 8 in a room; text and clause come from the engine."""

    room = models.ForeignKey(ClosingRoom, on_delete=models.PROTECT, related_name="conditions")
    code = models.CharField(max_length=10, help_text="7(a) .. 8(h)")
    status = models.CharField(max_length=10, choices=ConditionStatus.choices, default=ConditionStatus.OPEN)
    met_on = models.DateField(null=True, blank=True, help_text="Satisfied or waived on this date.")
    evidence = models.FileField(upload_to=evidence_upload_to, max_length=300, blank=True)
    note = models.TextField(blank=True, help_text="What the evidence shows, or the terms of the waiver.")
    waived_by = models.CharField(
        max_length=300, blank=True, help_text="SPA 6(a): the party in whose favour the condition runs."
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["room", "code"]
        constraints = [
            models.UniqueConstraint(fields=["room", "code"], name="condition_one_per_code"),
            models.CheckConstraint(
                condition=Q(status="open", met_on__isnull=True) | (~Q(status="open") & Q(met_on__isnull=False)),
                name="condition_met_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="waived") | ~Q(waived_by=""), name="condition_waiver_names_party"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clause} ({self.get_status_display()})"

    @property
    def spec(self) -> engine.Condition:
        return engine.condition(self.code)

    @property
    def clause(self) -> str:
        return self.spec.clause

    @property
    def text(self) -> str:
        return self.spec.text

    @property
    def in_favour_of(self) -> str:
        return self.spec.in_favour_of
