"""After the closing: legend removals, transfers and exchanges, the Debenture register, Sales
under Debenture 7 and transfer-agent instructions for share delivery (SPA 4, 5; RRA 9;
Debenture 1, 3, 7, 8)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .common import TimeStamped, money_field
from .financing import Financing
from .instruments import Debenture, PreferredHolding, Warrant
from .parties import Investor
from .records import Conversion, WarrantExercise


class SecurityKind(models.TextChoices):
    SERIES_J = "series_j", "Series J Convertible Preferred"
    WARRANT = "warrant", "Warrant"
    DEBENTURE = "debenture", "Debenture"
    COMMON = "common", "Common Stock (Converted or Warrant Shares)"


def opinion_upload_to(record, filename: str) -> str:
    return f"transfers/{type(record).__name__.lower()}/{filename}"


class LegendRemoval(TimeStamped):
    """A holder's request to remove the SPA 4(b) legend, with its opinion of counsel, and the
    Company's instruction to the transfer agent (SPA 4(b), 5(a))."""

    class Basis(models.TextChoices):
        REGISTERED_SALE = "registered_sale", "Registered for resale and sold under the Registration Statement (4(b)(i))"
        RULE_144K = "rule_144k", "Rule 144(k) (4(b)(ii))"
        EXEMPTION = "exemption", "Other exemption, per opinion of counsel (4(a)(1)(B), 5(a))"

    class Status(models.TextChoices):
        PENDING = "pending", "Instruction due"
        INSTRUCTED = "instructed", "Transfer agent instructed"

    financing = models.ForeignKey(Financing, on_delete=models.PROTECT, related_name="legend_removals")
    investor = models.ForeignKey(Investor, on_delete=models.PROTECT, related_name="legend_removals")
    security = models.CharField(max_length=20, choices=SecurityKind.choices)
    certificate = models.CharField(max_length=100, help_text="Certificate number(s) bearing the legend.")
    quantity = models.DecimalField(max_digits=16, decimal_places=2, help_text="Shares, or dollars of principal.")
    basis = models.CharField(max_length=20, choices=Basis.choices)
    counsel = models.CharField(max_length=200, help_text="Who gave the opinion of counsel.")
    opinion_date = models.DateField()
    opinion_received = models.DateField(help_text="The deadline runs from here (SPA 5(a): 'promptly').")
    opinion_file = models.FileField(upload_to=opinion_upload_to, max_length=300, blank=True)
    due_date = models.DateField(help_text="Written by the workflow from the engine (deals.terms.transfers).")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    instructed_on = models.DateField(null=True, blank=True)
    snapshot = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opinion_received", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="legendremoval_quantity_positive"),
            models.CheckConstraint(
                condition=Q(opinion_received__gte=models.F("opinion_date")), name="legendremoval_received_after_opinion"
            ),
        ]

    def __str__(self) -> str:
        return f"Legend removal {self.certificate} ({self.investor})"


class Transfer(TimeStamped):
    """A transfer of Series J, warrants or a debenture to another holder, or an exchange of
    debenture denominations (Debenture 1, 3; SPA 2(b), 4(a); RRA 9)."""

    class Kind(models.TextChoices):
        TRANSFER = "transfer", "Transfer"
        EXCHANGE = "exchange", "Exchange of denominations"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TRANSFER)
    security = models.CharField(max_length=20, choices=SecurityKind.choices)
    financing = models.ForeignKey(Financing, on_delete=models.PROTECT, related_name="transfers")
    transferor = models.ForeignKey(Investor, on_delete=models.PROTECT, related_name="transfers_out")
    transferee = models.ForeignKey(Investor, on_delete=models.PROTECT, related_name="transfers_in")
    preferred = models.ForeignKey(PreferredHolding, null=True, blank=True, on_delete=models.PROTECT, related_name="transfers_out")
    warrant = models.ForeignKey(Warrant, null=True, blank=True, on_delete=models.PROTECT, related_name="transfers_out")
    debenture = models.ForeignKey(Debenture, null=True, blank=True, on_delete=models.PROTECT, related_name="transfers_out")
    amount = money_field(null=True, blank=True, help_text="Liquidation preference or principal transferred.")
    warrant_shares = models.PositiveIntegerField(null=True, blank=True)
    transfer_date = models.DateField()
    notice_to_company_date = models.DateField(help_text="RRA 9(b): written notice with name, address and securities.")
    assignee_non_us = models.BooleanField(default=False, help_text="SPA 2(b): not a U.S. Person, outside the U.S.")
    assignee_accredited = models.BooleanField(default=False, help_text="SPA 2(c): accredited investor.")
    counsel_opinion = models.CharField(max_length=300, blank=True, help_text="SPA 4(a)(1)(B); Debenture 3.")
    rights_requested = models.BooleanField(default=False, help_text="Assign the registration rights (RRA 9).")
    written_assignment = models.BooleanField(default=False, help_text="RRA 9(a)")
    transferee_bound = models.BooleanField(default=False, help_text="RRA 9(d)")
    rights_follow = models.BooleanField(default=False)
    rights_reason = models.CharField(max_length=400, blank=True)
    new_preferred = models.OneToOneField(PreferredHolding, null=True, blank=True, on_delete=models.PROTECT, related_name="transferred_in")
    new_warrant = models.OneToOneField(Warrant, null=True, blank=True, on_delete=models.PROTECT, related_name="transferred_in")
    new_debentures = models.ManyToManyField(Debenture, blank=True, related_name="issued_by_transfer")
    snapshot = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-transfer_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(preferred__isnull=False) & Q(warrant__isnull=True) & Q(debenture__isnull=True))
                | (Q(preferred__isnull=True) & Q(warrant__isnull=False) & Q(debenture__isnull=True))
                | (Q(preferred__isnull=True) & Q(warrant__isnull=True) & Q(debenture__isnull=False)),
                name="transfer_exactly_one_source",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0), name="transfer_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}: {self.transferor} -> {self.transferee}"

    @property
    def source_label(self) -> str:
        src = self.preferred or self.warrant or self.debenture
        return src.label if hasattr(src, "label") else str(src)


class DebentureRegisterEntry(models.Model):
    """The Debenture Register (Debenture face, 3): who is the registered holder of which
    D-number for which principal, from when until when. Closed by a later entry, never edited
    otherwise."""

    class Reason(models.TextChoices):
        ISSUE = "issue", "Issued at the Closing"
        TRANSFER_IN = "transfer_in", "Issued on transfer"
        BALANCE = "balance", "Balance after a transfer"
        EXCHANGE = "exchange", "Issued on exchange"

    debenture = models.ForeignKey(Debenture, on_delete=models.PROTECT, related_name="register_entries")
    holder = models.ForeignKey(Investor, on_delete=models.PROTECT, related_name="register_entries")
    principal = money_field(help_text="Registered principal amount of this D-number while the entry is open.")
    registered_on = models.DateField()
    cancelled_on = models.DateField(null=True, blank=True, help_text="Surrendered or replaced on this date.")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    transfer = models.ForeignKey(Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="register_entries")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["debenture__number", "registered_on", "id"]
        verbose_name_plural = "Debenture register entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(cancelled_on__isnull=True) | Q(cancelled_on__gte=models.F("registered_on")),
                name="register_cancel_after_register",
            ),
            models.UniqueConstraint(
                fields=["debenture"], condition=Q(cancelled_on__isnull=True), name="register_one_open_entry"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.debenture.number}: {self.holder} from {self.registered_on.isoformat()}"


class SaleEvent(TimeStamped):
    """Debenture 7: a proposed merger, consolidation or sale of substantially all assets."""

    class Kind(models.TextChoices):
        MERGER = "merger", "Merger"
        CONSOLIDATION = "consolidation", "Consolidation"
        ASSET_SALE = "asset_sale", "Sale or transfer of all or substantially all assets"

    financing = models.ForeignKey(Financing, on_delete=models.PROTECT, related_name="sale_events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    counterparty = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="What holders of Common Stock receive.")
    notice_date = models.DateField(help_text="The Company's notice of the Sale to the Holders.")
    notice_received = models.DateField(help_text="Debenture 7: the 15 days run from receipt.")
    convert_by = models.DateField(help_text="Written by the workflow from the engine.")
    snapshot = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-notice_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(notice_received__gte=models.F("notice_date")), name="sale_received_after_notice"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} with {self.counterparty}"


class SalePrepayment(TimeStamped):
    """Debenture 7: the Company's tender of prepayment (principal + accrued interest, less what the
    law requires to be deducted) to a Holder who elected not to convert before a Sale; the right
    of conversion terminates on the tender. The amount is a ledger row settled on the tender date."""

    sale = models.ForeignKey(SaleEvent, on_delete=models.PROTECT, related_name="prepayments")
    debenture = models.ForeignKey(Debenture, on_delete=models.PROTECT, related_name="sale_prepayments")
    investor = models.ForeignKey(Investor, on_delete=models.PROTECT, related_name="sale_prepayments")
    holder_declined_on = models.DateField(null=True, blank=True, help_text="The Holder's written election not to convert, if any.")
    tender_date = models.DateField(help_text="Debenture 7: the right of conversion terminates on the tender of payment.")
    principal = money_field()
    interest = money_field()
    gross_amount = money_field(help_text="Principal + interest accrued through the tender date.")
    deducted = money_field(default=0, help_text="Required by law to be deducted (withheld for the Holder's account).")
    deduction_basis = models.CharField(max_length=300, blank=True, help_text="The law requiring the deduction.")
    net_amount = money_field(help_text="Tendered to the Holder.")
    snapshot = models.JSONField(default=dict, blank=True, help_text="The engine's working (deals.terms.sale).")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-tender_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["sale", "debenture"], name="saleprepayment_once_per_debenture"),
            models.CheckConstraint(condition=Q(deducted__gte=0), name="saleprepayment_deducted_not_negative"),
            models.CheckConstraint(condition=Q(net_amount__gte=0), name="saleprepayment_net_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Prepayment of {self.debenture.number} on {self.tender_date.isoformat()} (Debenture 7)"


class TransferAgentInstruction(TimeStamped):
    """The Company's instruction to its transfer agent to issue the shares for a conversion or a
    warrant exercise (SPA 5(a); DWAC per SPA 5(e) where the holder asks)."""

    conversion = models.OneToOneField(Conversion, null=True, blank=True, on_delete=models.PROTECT, related_name="ta_instruction")
    exercise = models.OneToOneField(WarrantExercise, null=True, blank=True, on_delete=models.PROTECT, related_name="ta_instruction")
    investor = models.ForeignKey(Investor, on_delete=models.PROTECT, related_name="ta_instructions")
    shares = models.PositiveBigIntegerField()
    registered_name = models.CharField(max_length=200, help_text="SPA 5(a): the Buyer or its nominee.")
    denominations = models.CharField(max_length=200, blank=True, help_text="SPA 5(a): as specified by the Buyer.")
    legended = models.BooleanField(help_text="SPA 4(b), 5(a): legend until registered and sold or Rule 144(k).")
    dwac = models.BooleanField(default=False, help_text="SPA 5(e): electronic delivery through DTC DWAC.")
    dtc_participant = models.CharField(max_length=100, blank=True)
    prime_broker = models.CharField(max_length=200, blank=True)
    instruction_date = models.DateField()
    snapshot = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-instruction_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(conversion__isnull=False) & Q(exercise__isnull=True))
                | (Q(conversion__isnull=True) & Q(exercise__isnull=False)),
                name="tainstruction_exactly_one_record",
            ),
            models.CheckConstraint(condition=Q(shares__gt=0), name="tainstruction_shares_positive"),
            models.CheckConstraint(condition=~Q(dwac=True, legended=True), name="tainstruction_no_dwac_with_legend"),
        ]

    def __str__(self) -> str:
        return f"Transfer-agent instruction: {self.shares:,} shares to {self.registered_name}"

    @property
    def record(self):
        return self.conversion or self.exercise
