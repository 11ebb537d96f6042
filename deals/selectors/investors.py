"""Read queries for the investor pages: holdings and history in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from deals.models import Conversion, Investor, Obligation, ObligationStatus, Redemption, WarrantExercise
from deals.selectors.ledger import with_amounts_on


def investors_with_counts() -> QuerySet[Investor]:
    """Investors with how many instruments and records each has (one query)."""
    return Investor.objects.annotate(
        n_debentures=Count("debentures", distinct=True),
        n_preferred=Count("preferred_holdings", distinct=True),
        n_warrants=Count("warrants", distinct=True),
        n_conversions=Count("conversions", distinct=True),
        n_exercises=Count("exercises", distinct=True),
    ).order_by("legal_name")


@dataclass
class InvestorPage:
    investor: Investor
    debentures: list
    preferred: list
    warrants: list
    conversions: list
    exercises: list
    redemptions: list
    open_obligations: list


def investor_page(investor: Investor) -> InvestorPage:
    """Everything an investor holds and has done (7 queries whatever the row counts)."""
    return InvestorPage(
        investor=investor,
        debentures=list(investor.debentures.select_related("financing").order_by("number")),
        preferred=list(investor.preferred_holdings.select_related("financing").order_by("certificate_number")),
        warrants=list(investor.warrants.order_by("number")),
        conversions=list(
            Conversion.objects.filter(investor=investor).select_related("debenture", "preferred").order_by("-conversion_date", "-id")
        ),
        exercises=list(WarrantExercise.objects.filter(investor=investor).select_related("warrant").order_by("-exercise_date", "-id")),
        redemptions=list(Redemption.objects.filter(debenture__investor=investor).select_related("debenture").order_by("-notice_date")),
        # amounts owed on the business date (accruing rows computed, deals.selectors.ledger)
        open_obligations=with_amounts_on(
            Obligation.objects.filter(investor=investor, status=ObligationStatus.OPEN).order_by("due_date", "id")
        ),
    )
