"""What the company must do and track: first-refusal offers, events of
default, outbound notices, address changes, indemnification claims."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .common import TimeStamped, money_field
from .financing import Financing
from .instruments import Debenture
from .parties import Investor


class NewTransactionOffer(TimeStamped):
    """A New Transaction Offer under the Right of First Refusal (SPA 4(j))."""

    class Status(models.TextChoices):
        OPEN = "open", "Open for answers"
        ANSWERED = "answered", "Answers in"
        CONSUMMATED = "consummated", "Consummated with third party"
        LAPSED = "lapsed", "Lapsed (not consummated in time)"
        SUPERSEDED = "superseded", "Superseded by changed terms"

    financing = models.ForeignKey(Financing, on_delete=models.PROTECT, related_name="offers")
    description = models.TextField()
    amount = money_field(help_text="Amount of New Common Stock offered.")
    terms = models.JSONField(default=dict, help_text="Price terms: discount %, fixed price, warrant price, warrant coverage.")
    sent_date = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    restarts = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="restarted_by")
    consummated_date = models.DateField(null=True, blank=True)
    consummated_terms = models.JSONField(default=dict, blank=True)
    new_financing = models.ForeignKey(
        Financing,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="new_transaction_offers",
        help_text="SPA 4(j): the New Transaction recorded as a financing of its own (its terms, its instruments); "
        "the price-protection comparison reads its terms instead of the typed-in final terms.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-sent_date", "-id"]

    def __str__(self) -> str:
        return f"New Transaction Offer {self.pk} ({self.sent_date.isoformat()})"


class OfferResponse(TimeStamped):
    """One buyer's receipt of and answer to a New Transaction Offer (SPA 4(j)(ii), (iv))."""

    class Answer(models.TextChoices):
        PENDING = "pending", "No answer yet"
        FULL = "full", "Exercised in full"
        PARTIAL = "partial", "Exercised in part"
        DECLINED = "declined", "Declined"

    offer = models.ForeignKey(NewTransactionOffer, on_delete=models.CASCADE, related_name="responses")
    investor = models.ForeignKey(Investor, on_delete=models.PROTECT, related_name="offer_responses")
    received_date = models.DateField()
    answer_due = models.DateField()
    answer = models.CharField(max_length=10, choices=Answer.choices, default=Answer.PENDING)
    answered_date = models.DateField(null=True, blank=True)
    amount_taken = money_field(default=0)
    additional_requested = money_field(default=0, help_text="SPA 4(j)(iv): Declining Buyers' parts asked for.")
    allocable_share = models.DecimalField(max_digits=9, decimal_places=6, default=0, help_text="SPA 1(b)(iv).")
    pro_rata_part = money_field(default=0, help_text="SPA 4(j)(iv): share of the offer by Allocable Share.")
    additional_allocated = money_field(default=0, help_text="SPA 4(j)(iv): Declining Buyers' parts allocated.")
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["offer", "investor"], name="one_response_per_buyer")]


class EventOfDefault(TimeStamped):
    """An Event of Default under the Debenture (Debenture 10)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open (cure period running)"
        CURED = "cured", "Cured"
        WAIVED = "waived", "Waived in writing"
        ACCELERATED = "accelerated", "Accelerated"

    debenture = models.ForeignKey(Debenture, null=True, blank=True, on_delete=models.PROTECT, related_name="defaults")
    financing = models.ForeignKey(Financing, on_delete=models.PROTECT, related_name="defaults")
    kind = models.CharField(max_length=40, help_text="Debenture 10(a)-(k); see deals.terms.events.")
    occurred_date = models.DateField()
    written_notice_date = models.DateField(null=True, blank=True)
    cure_deadline = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    cured_date = models.DateField(null=True, blank=True)
    waived_by = models.CharField(max_length=200, blank=True)
    waived_date = models.DateField(null=True, blank=True)
    accelerated_date = models.DateField(null=True, blank=True)
    acceleration_amount = money_field(null=True, blank=True)
    acceleration_snapshot = models.JSONField(default=dict, blank=True, help_text="Principal + accrued interest working.")
    waiver_reference = models.CharField(max_length=200, blank=True, help_text="The holder's written waiver (letter, date).")
    details = models.JSONField(default=dict, blank=True, help_text="Inputs and cure-deadline working (deals.terms.events).")
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "events of default"
        ordering = ["-occurred_date"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="waived") | (Q(waived_date__isnull=False) & ~Q(waived_by="")),
                name="waiver_needs_who_and_when",
                violation_error_message="A waiver must record who waived (in writing) and when.",
            ),
        ]


class OutboundNotice(TimeStamped):
    """A notice the company sends (SPA 10), with its deemed-given date."""

    class Method(models.TextChoices):
        PERSONAL = "personal", "Personal delivery"
        FAX = "fax", "Confirmed facsimile"
        MAIL = "mail", "Registered or certified mail"
        COURIER = "courier", "Courier"

    investor = models.ForeignKey(Investor, on_delete=models.PROTECT, related_name="outbound_notices")
    subject = models.CharField(max_length=200)
    kind = models.CharField(max_length=40, help_text="redemption, suspension, new transaction offer, sale notice ...")
    method = models.CharField(max_length=10, choices=Method.choices)
    sent_date = models.DateField()
    deemed_given_date = models.DateField()
    address_used = models.TextField()
    related_object = models.CharField(max_length=100, blank=True, help_text="e.g. 'deals.redemption:4'.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-sent_date", "-id"]


class AddressChange(TimeStamped):
    """A change of notice address; effective 10 days after notice (SPA 10)."""

    investor = models.ForeignKey(Investor, on_delete=models.PROTECT, related_name="address_changes")
    notice_date = models.DateField()
    effective_date = models.DateField()
    new_address = models.TextField()
    new_fax = models.CharField(max_length=50, blank=True)
    history = HistoricalRecords()


class IndemnificationClaim(TimeStamped):
    """A claim under the Indemnification Agreement or RRA 6."""

    class Source(models.TextChoices):
        INDEMNIFICATION_AGREEMENT = "indemnification", "Indemnification Agreement (2006)"
        RRA_6 = "rra6", "RRA 6"

    source = models.CharField(max_length=20, choices=Source.choices)
    claimant = models.CharField(max_length=200)
    indemnifying_party = models.CharField(max_length=200)
    conduct = models.TextField()
    notice_date = models.DateField()
    defense_assumed = models.BooleanField(default=False)
    defense_assumed_by = models.CharField(max_length=200, blank=True)
    counsel = models.CharField(max_length=200, blank=True)
    amount_incurred = money_field(default=0)
    amount_reimbursed = money_field(default=0)
    survival_deadline = models.DateField(null=True, blank=True, help_text="Indemnification 6: 3 years.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-notice_date"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_incurred__gte=0) & Q(amount_reimbursed__gte=0), name="claim_amounts_nonnegative"),
        ]


class PriceProtectionAdjustment(TimeStamped):
    """SPA 4(j)(v) repricing confirmed by a deal admin: the new deal terms
    version (effective from the consummation date) and the warrants adjusted."""

    offer = models.OneToOneField(NewTransactionOffer, on_delete=models.PROTECT, related_name="price_protection")
    terms_version = models.ForeignKey(
        "deals.DealTermsVersion", on_delete=models.PROTECT, related_name="price_protections"
    )
    previous_terms_version = models.ForeignKey(
        "deals.DealTermsVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    effective_from = models.DateField()
    snapshot = models.JSONField(default=dict, help_text="deals.terms.rofr.price_protection working.")
    warrants_adjusted = models.JSONField(default=list, blank=True, help_text="Per warrant: old and new price/shares.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Price protection from {self.effective_from.isoformat()} (offer {self.offer_id})"
