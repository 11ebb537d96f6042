"""Read queries for the investor pages: holdings and history in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from deals.models import (
    Conversion,
    Debenture,
    Investor,
    Obligation,
    ObligationStatus,
    PreferredHolding,
    Redemption,
    Warrant,
    WarrantExercise,
)
from deals.ordering import natural
from deals.selectors.ledger import with_amounts_on


def _count_of(model) -> Coalesce:
    """How many ``model`` rows name the investor: a correlated count, evaluated only for the
    investors on the page (an index lookup each), never a join over every conversion."""
    rows = model.objects.filter(investor=OuterRef("pk")).order_by().values("investor").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows), 0)


def investors_with_counts() -> QuerySet[Investor]:
    """Investors with how many instruments and records each has (one query)."""
    return Investor.objects.annotate(
        n_debentures=_count_of(Debenture),
        n_preferred=_count_of(PreferredHolding),
        n_warrants=_count_of(Warrant),
        n_conversions=_count_of(Conversion),
        n_exercises=_count_of(WarrantExercise),
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
        debentures=list(investor.debentures.select_related("financing").order_by(*natural("number"))),
        preferred=list(investor.preferred_holdings.select_related("financing").order_by(*natural("certificate_number"))),
        warrants=list(investor.warrants.order_by(*natural("number"))),
        conversions=list(
            Conversion.objects.filter(investor=investor)
            .select_related("debenture", "preferred__financing")
            .order_by("-conversion_date", "-id")
        ),
        exercises=list(WarrantExercise.objects.filter(investor=investor).select_related("warrant").order_by("-exercise_date", "-id")),
        redemptions=list(Redemption.objects.filter(debenture__investor=investor).select_related("debenture").order_by("-notice_date")),
        # amounts owed on the business date (accruing rows computed, deals.selectors.ledger)
        open_obligations=with_amounts_on(
            Obligation.objects.filter(investor=investor, status=ObligationStatus.OPEN).order_by("due_date", "id")
        ),
    )
