"""Read queries for the investor pages: holdings and history in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page
from django.db.models import CharField, Count, QuerySet, Value

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
from deals.pagination import ListPaginator
from deals.selectors.ledger import with_amounts_on

COUNTED = {
    "n_debentures": Debenture,
    "n_preferred": PreferredHolding,
    "n_warrants": Warrant,
    "n_conversions": Conversion,
    "n_exercises": WarrantExercise,
}


def investors_ordered() -> QuerySet[Investor]:
    """The investor list, by name (the unique index on ``legal_name`` gives the order)."""
    return Investor.objects.order_by("legal_name")


def with_counts(investors) -> list[Investor]:
    """The investors (a page of them) with how many instruments and records each has, as
    ``n_debentures`` ... ``n_exercises``: one grouped query for the page, a UNION ALL of one
    ``GROUP BY investor_id`` per table restricted to the page's ids (an index-only count each),
    never a join of the tables nor a count per row (issue 17)."""
    rows = list(investors)
    for inv in rows:
        for name in COUNTED:
            setattr(inv, name, 0)
    if not rows:
        return rows
    ids = [inv.pk for inv in rows]
    parts = [
        model.objects.filter(investor_id__in=ids)
        .order_by()
        .values("investor_id")
        .annotate(what=Value(name, output_field=CharField()), n=Count("pk"))
        .values_list("investor_id", "what", "n")
        for name, model in COUNTED.items()
    ]
    by_id = {inv.pk: inv for inv in rows}
    for investor_id, what, n in parts[0].union(*parts[1:], all=True):
        setattr(by_id[investor_id], what, n)
    return rows


HISTORY_PAGE_SIZE = 20


@dataclass
class InvestorPage:
    investor: Investor
    debentures: list
    preferred: list
    warrants: list
    conversions: Page
    exercises: Page
    redemptions: list
    open_obligations: Page


def investor_page(investor: Investor, *, conversions_page=1, exercises_page=1, obligations_page=1) -> InvestorPage:
    """Everything an investor holds and has done, the long lists (conversions, exercises, open
    obligations) a page at a time, newest / soonest first (issue 17): a fixed number of queries
    whatever the row counts, each read in index order ((investor, -conversion_date, -id),
    (investor, status, due_date, id))."""
    conversions = ListPaginator(
        Conversion.objects.filter(investor=investor).select_related("debenture", "preferred__financing").defer("snapshot")
        .order_by("-conversion_date", "-id"),
        HISTORY_PAGE_SIZE,
    ).get_page(conversions_page)
    exercises = ListPaginator(
        WarrantExercise.objects.filter(investor=investor).select_related("warrant").defer("snapshot").order_by("-exercise_date", "-id"),
        HISTORY_PAGE_SIZE,
    ).get_page(exercises_page)
    obligations = ListPaginator(
        Obligation.objects.filter(investor=investor, status=ObligationStatus.OPEN).order_by("due_date", "id"),
        HISTORY_PAGE_SIZE,
    ).get_page(obligations_page)
    # amounts owed on the business date (accruing rows computed, deals.selectors.ledger)
    obligations.object_list = with_amounts_on(obligations.object_list)
    return InvestorPage(
        investor=investor,
        debentures=list(investor.debentures.select_related("financing").order_by(*natural("number"))),
        preferred=list(investor.preferred_holdings.select_related("financing").order_by(*natural("certificate_number"))),
        warrants=list(investor.warrants.order_by(*natural("number"))),
        conversions=conversions,
        exercises=exercises,
        redemptions=list(
            Redemption.objects.filter(debenture__investor=investor).select_related("debenture").defer("snapshot").order_by("-notice_date")
        ),
        open_obligations=obligations,
    )
