from django.db import models
from simple_history.models import HistoricalRecords

from .common import TimeStamped


class Issuer(TimeStamped):
    """The company (SPA preamble, 3(c))."""

    name = models.CharField(max_length=200, unique=True)
    state_of_incorporation = models.CharField(max_length=100)
    address = models.TextField()
    fax = models.CharField(max_length=50, blank=True)
    counsel = models.TextField(blank=True, help_text="Counsel for notices (SPA 10).")
    authorized_common_shares = models.PositiveBigIntegerField(help_text="SPA 3(c): 50,000,000.")
    shares_outstanding_at_signing = models.PositiveBigIntegerField(
        help_text="SPA 3(c), 4(d)(ii): about 7,860,000; the base of the 20% cap."
    )
    shares_issued = models.PositiveBigIntegerField(
        default=0,
        help_text="Common shares issued and outstanding now; maintained by the workflows (SPA 4(g) reserve).",
    )
    par_value = models.DecimalField(max_digits=10, decimal_places=4)
    next_stockholders_meeting = models.DateField(null=True, blank=True, help_text="SPA 4(i) Meeting Date input.")
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(shares_outstanding_at_signing__lte=models.F("authorized_common_shares")),
                name="issuer_outstanding_lte_authorized",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Investor(TimeStamped):
    """A Buyer / Holder (SPA signature pages, 2; notice details per SPA 10)."""

    class Kind(models.TextChoices):
        ENTITY = "entity", "Entity"
        PERSON = "person", "Natural person"

    legal_name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ENTITY)
    jurisdiction = models.CharField(max_length=100, help_text="Country / state of organisation or residence.")
    notice_address = models.TextField(help_text="SPA 10 address for notices.")
    fax = models.CharField(max_length=50, blank=True)
    email = models.EmailField(blank=True)
    counsel_contact = models.TextField(blank=True)
    reg_s_non_us_attested = models.BooleanField(
        default=False, verbose_name="Regulation S non-U.S. attestation", help_text="SPA 2 (Regulation S)."
    )
    reg_s_attested_on = models.DateField(null=True, blank=True, verbose_name="Regulation S attestation date")
    accredited_investor = models.BooleanField(default=False, help_text="SPA 2 representation.")
    dtc_participant = models.CharField(max_length=100, blank=True, help_text="DTC participant number (SPA 5(e)).")
    prime_broker = models.CharField(max_length=200, blank=True, help_text="Prime broker for DWAC delivery (SPA 5(e)).")
    history = HistoricalRecords()

    class Meta:
        ordering = ["legal_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reg_s_non_us_attested=False) | models.Q(reg_s_attested_on__isnull=False),
                name="investor_reg_s_attestation_dated",
                violation_error_message="A Regulation S attestation needs its date.",
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name
