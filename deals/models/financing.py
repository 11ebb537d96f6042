import re
from decimal import Decimal

from django.db import models
from simple_history.models import HistoricalRecords

from .common import TimeStamped, money_field
from .parties import Issuer

_SERIES = re.compile(r"\bSeries\s+([A-Z]{1,3})\b")


def series_name(financing_name: str) -> str:
    """The series a preferred financing issues, from its name ("Series J Convertible Preferred
    + Warrants (SPA, 2000)" -> "Series J"; "Series K (fictional)" -> "Series K"); the whole
    name when it names no series. Holding labels name their own financing's series (issue 18)."""
    found = _SERIES.search(financing_name or "")
    return f"Series {found.group(1)}" if found else (financing_name or "Preferred")


class Financing(TimeStamped):
    """One issue of securities: the Series J + warrants purchase (SPA) or the debenture issue."""

    class Kind(models.TextChoices):
        SERIES_J = "series_j", "Convertible Preferred Stock + Warrants (Series J, K ...)"
        DEBENTURE = "debenture", "Convertible Debentures"

    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="financings")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=200)
    total_offering = money_field(help_text="SPA 1(b)(iv): $1,000,000 (Series J); $1,300,000 (debentures).")
    agreement_date = models.DateField(null=True, blank=True)
    acceptance_date = models.DateField(null=True, blank=True, help_text="Date the company accepted the SPA.")
    initial_closing_date = models.DateField(null=True, blank=True, help_text="SPA 1(b)(vi), RRA 2(a)(i).")
    escrow_agent = models.CharField(max_length=200, blank=True, help_text="SPA 1(d) Joint Escrow Instructions.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.CheckConstraint(condition=models.Q(total_offering__gt=0), name="financing_offering_positive")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_series_j(self) -> bool:
        return self.kind == self.Kind.SERIES_J

    @property
    def series(self) -> str:
        return series_name(self.name)

    @property
    def terms_kind(self) -> str:
        """Which deal terms this financing carries (``deals.terms.params.KIND_GROUPS``): a
        convertible preferred issue (Series J, a Series K ...) or a debenture issue."""
        return "preferred" if self.kind == self.Kind.SERIES_J else "debenture"

    def allocable_share(self, liquidation_preference: Decimal) -> Decimal:
        """Buyer's Allocable Share (SPA 1(b)(iv)): the buyer's part of the total offering."""
        return (Decimal(liquidation_preference) / self.total_offering).quantize(Decimal("0.000001"))
