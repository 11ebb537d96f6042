"""Helpers the company-side services share: the deal terms in force, the
Series J financing and its holders, and turning engine errors into form
errors. No contract math here (that is ``deals.terms``)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum

from deals.models import DealTermsVersion, Financing, Investor, MarketPrice, PreferredHolding, RegistrationStatement
from deals.terms.calendars import trading_days_before
from deals.terms.errors import TermsError
from deals.terms.params import NHTC_DEFAULTS, DealTerms


def terms_in_force(day: datetime.date) -> tuple[DealTerms, DealTermsVersion | None]:
    """The deal terms in force on ``day`` and the version row (None: NHTC defaults)."""
    version = DealTermsVersion.objects.in_force_on(day)
    return (version.to_terms() if version else NHTC_DEFAULTS), version


def series_j_financing() -> Financing | None:
    """The Series J financing the RRA and SPA 4(j) belong to (the first one)."""
    return Financing.objects.filter(kind=Financing.Kind.SERIES_J).order_by("id").first()


def primary_statement(financing: Financing) -> RegistrationStatement | None:
    """The registration statement of a financing (RRA 2(a)(i)); amendments hang off it."""
    return financing.registration_statements.order_by("id").first()


def buyers(financing: Financing) -> list[tuple[Investor, Decimal, Decimal, Decimal]]:
    """Buyers of a financing with (liquidation preference, outstanding, purchase price), SPA 1(b)(iv)."""
    rows = (
        PreferredHolding.objects.filter(financing=financing)
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
    days = trading_days_before(day, n)
    return dict(MarketPrice.objects.filter(date__in=days).values_list("date", "closing_bid"))


def as_validation_error(err: TermsError, field: str | None = None) -> ValidationError:
    """An engine error as a form error (its text is already a sentence a user can act on)."""
    return ValidationError({field: str(err)} if field else str(err))
