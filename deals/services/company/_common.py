"""Helpers the company-side services share: the deal terms in force, the
Series J financing and its holders, and turning engine errors into form
errors. No contract math here (that is ``deals.terms``)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum

from deals.models import Debenture, Financing, Investor, PreferredHolding, RegistrationStatement
from deals.selectors.prices import prices_for
from deals.selectors.terms import TermsUnavailable, terms_in_force
from deals.terms.calendars import trading_days_before
from deals.terms.errors import TermsError


def series_j_financing() -> Financing | None:
    """The Series J financing the RRA and SPA 4(j) belong to (the first one)."""
    return Financing.objects.filter(kind=Financing.Kind.SERIES_J).order_by("id").first()


def notice_financing(investor: Investor) -> Financing | None:
    """The financing whose notice terms (SPA 10) govern a notice to or from ``investor``: the
    financing of the investor's first holding (Series J holding, else Debenture), else the
    first Series J financing (docs/interpretations.md, "Notices: whose terms")."""
    holding = PreferredHolding.objects.filter(investor=investor).order_by("id").values_list("financing_id", flat=True).first()
    if holding is None:
        holding = Debenture.objects.filter(investor=investor).order_by("id").values_list("financing_id", flat=True).first()
    if holding is not None:
        return Financing.objects.get(pk=holding)
    return series_j_financing()


def primary_statement(financing: Financing) -> RegistrationStatement | None:
    """The registration statement of a financing (RRA 2(a)(i)); amendments hang off it."""
    return financing.registration_statements.order_by("id").first()


def buyers(financing: Financing, *, investor_ids=None) -> list[tuple[Investor, Decimal, Decimal, Decimal]]:
    """Buyers of a financing with (liquidation preference, outstanding, purchase price), SPA 1(b)(iv).
    ``investor_ids``: only those among them (in the same order)."""
    holdings = PreferredHolding.objects.filter(financing=financing)
    if investor_ids is not None:
        holdings = holdings.filter(investor_id__in=list(investor_ids))
    rows = (
        holdings
        .values("investor")
        .annotate(
            lp=Sum("liquidation_preference"),
            outstanding=Sum("liquidation_preference_outstanding"),
            price=Sum("purchase_price"),
        )
        .order_by("investor")
    )
    by_id = {r["investor"]: r for r in rows}
    investors = Investor.objects.filter(pk__in=by_id).order_by("legal_name")
    return [(i, by_id[i.pk]["lp"], by_id[i.pk]["outstanding"], by_id[i.pk]["price"]) for i in investors]


def closing_bids_before(day: datetime.date, n: int) -> Mapping[datetime.date, Decimal]:
    """Closing bids of the ``n`` trading days before ``day`` that we have (one query)."""
    return prices_for(trading_days_before(day, n))


def as_validation_error(err: TermsError, field: str | None = None) -> ValidationError:
    """An engine error as a form error (its text is already a sentence a user can act on)."""
    return ValidationError({field: str(err)} if field else str(err))


def registration_terms(*, financing: Financing, day: datetime.date):
    """The financing's terms in force on ``day`` when it carries registration rights (RRA 2, 3):
    the RRA is made with the Series J Buyers; a debenture issue's versions carry no RRA terms.
    Raises ``TermsUnavailable`` (the company pages show it as a message) otherwise."""
    _, terms = terms_in_force(financing=financing, day=day)
    if terms.required_effective_days is None:
        raise TermsUnavailable(
            f"{financing} carries no registration-rights terms (RRA 2, 3 attach to the Series J financing).",
            financing_id=financing.pk, day=day,
        )
    return terms
