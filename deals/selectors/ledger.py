"""Reads of the obligations ledger with amounts for the date asked.

Amounts that grow with time are not re-stored each day (``deals.services.ledger.rows``):
a row keeps the figure on its due date and, in ``details["accrual"]``, the engine
inputs the accrual needs. ``obligation_amount_on`` computes the amount owed on a day
(the business date by default) with the same engine the workflows use, so the
dashboard, the investor page, aging and statements show the same figure for the same
date. Closed rows keep their stored amount.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from deals.models import DealTermsVersion, Obligation
from deals.services.ledger.rows import (
    ACCRUAL_LATE_PAYMENT,
    ACCRUAL_MANDATORY_PURCHASE,
    ACCRUAL_MATURITY,
    ACCRUAL_PERIODIC_AMOUNT,
)
from deals.services.ledger.writer import WORKING_STATUSES
from deals.terms import calendars
from deals.terms.conversion import accrued_interest
from deals.terms.delivery import late_payment, mandatory_purchase_amount
from deals.terms.params import NHTC_DEFAULTS, DealTerms
from deals.terms.registration import excused_day_set, periodic_line


class _Terms:
    """Deal terms by version id, loaded once per call (one query)."""

    def __init__(self):
        self._by_id: dict[int, DealTerms] | None = None

    def load(self) -> _Terms:
        """Load now (one query), so a page's query count does not depend on its rows."""
        if self._by_id is None:
            self._by_id = {v.pk: v.to_terms() for v in DealTermsVersion.objects.all()}
        return self

    def __call__(self, version_id: int | None) -> DealTerms:
        if not version_id:
            return NHTC_DEFAULTS
        return self.load()._by_id.get(version_id, NHTC_DEFAULTS)


def _d(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _accrued(accrual: dict, day: datetime.date, terms_of: _Terms) -> Decimal | None:
    fn = accrual.get("fn")
    if fn == ACCRUAL_PERIODIC_AMOUNT:
        return _periodic_accrued(accrual, day)
    terms = terms_of(accrual.get("terms_version_id"))
    if fn == ACCRUAL_LATE_PAYMENT:
        # SPA 5(c): counted through the last business day on or before ``day``
        through = day if calendars.is_business_day(day) else calendars.add_business_days(day, -1)
        return late_payment(terms=terms, amount_converted=Decimal(accrual["amount_converted"]),
                            delivery_date=_d(accrual["delivery_date"]), as_of=through).amount
    if fn == ACCRUAL_MATURITY:
        # Debenture: interest "until payment in full" -- to the Maturity Date, then to the day paid
        maturity = _d(accrual["maturity_date"])
        principal = Decimal(accrual["principal"])
        interest = accrued_interest(terms=terms, principal=principal, dated_date=_d(accrual["dated_date"]),
                                    issued_date=_d(accrual.get("issued_date")), to_date=max(maturity, day),
                                    paid_through=_d(accrual.get("paid_through")))
        return principal + interest.amount
    if fn == ACCRUAL_MANDATORY_PURCHASE:
        # SPA 5(f): dividends through the date of payment (not before the due date)
        notice = _d(accrual["notice_date"])
        unconverted = Decimal(accrual["unconverted_liquidation_preference"])
        mp = mandatory_purchase_amount(terms=terms, unconverted_liquidation_preference=unconverted,
                                       issue_date=_d(accrual["issue_date"]), notice_date=notice)
        if day <= mp.due_date:
            return mp.amount
        return mandatory_purchase_amount(terms=terms, unconverted_liquidation_preference=mp.unconverted_liquidation_preference,
                                         issue_date=_d(accrual["issue_date"]), notice_date=notice, payment_date=day).amount
    return None


def _periodic_accrued(accrual: dict, day: datetime.date) -> Decimal:
    """RRA 2(b)(iii): the Periodic Amount accrued from its first day through ``day`` (at most
    through the next Computation Date, when it is determined); nothing before the first day."""
    first = _d(accrual["first_day"])
    through = min(day, _d(accrual["next_computation_date"]))
    if through < first:
        return Decimal("0.00")
    excused = excused_day_set([(_d(a), _d(b)) for a, b in accrual.get("excused", [])])  # RRA 2(b)(vi)(i), RRA 9
    return periodic_line(first_day=first, through=through, base=Decimal(accrual["base"]), rate_pct=Decimal(accrual["rate_pct"]),
                         period_days=int(accrual["period_days"]), excused=excused).amount


def obligation_amount_on(obligation: Obligation, day: datetime.date | None = None, *, _terms: _Terms | None = None) -> Decimal | None:
    """The amount owed on ``day`` (the business date by default): the stored amount, or for
    an open row that accrues, the engine's figure for that day (never less than stored:
    an accrual before its due date shows the amount due on the due date)."""
    if day is None:
        from deals.services.calendar import business_date

        day = business_date()
    accrual = (obligation.details or {}).get("accrual") if isinstance(obligation.details, dict) else None
    if not accrual or obligation.status not in WORKING_STATUSES:
        return obligation.amount
    if accrual.get("fn") == ACCRUAL_PERIODIC_AMOUNT:  # accrues day by day before its due date (RRA 2(b)(iii))
        return _periodic_accrued(accrual, day)
    if day <= obligation.due_date:
        return obligation.amount
    value = _accrued(accrual, day, _terms or _Terms())
    return obligation.amount if value is None else value


def terms_by_version() -> _Terms:
    """Every deal-terms version, loaded now (one query): pass it to ``with_amounts_on`` and
    ``late_payments_total_on`` so a page reads the versions once whatever its lists hold."""
    return _Terms().load()


def with_amounts_on(obligations: Iterable[Obligation], day: datetime.date | None = None, *,
                    terms: _Terms | None = None) -> list[Obligation]:
    """The rows with ``amount_due`` set to the amount owed on ``day`` (for lists and pages;
    one extra query at most, for the deal terms, none when ``terms`` is given)."""
    if day is None:
        from deals.services.calendar import business_date

        day = business_date()
    rows = list(obligations)
    if terms is None:
        terms = _Terms().load() if rows else _Terms()
    for o in rows:
        o.amount_due = obligation_amount_on(o, day, _terms=terms)
    return rows


def amount_total_on(obligations: Iterable[Obligation], day: datetime.date | None = None) -> Decimal:
    """Sum of the amounts owed on ``day`` over the rows."""
    return sum((o.amount_due or Decimal(0) for o in with_amounts_on(obligations, day)), Decimal(0))


def late_payments_total_on(obligations, day: datetime.date, *, terms: _Terms | None = None) -> tuple[int, Decimal]:
    """(count, total owed on ``day``) of late-payment rows in one query whatever their number:
    accruing rows grouped by (terms version, Delivery Date, amount converted), each group
    computed once with the engine (per-row rounding kept); final rows at their amount."""
    from django.db.models import Count

    groups = (
        obligations.filter(kind="late_payment")
        .values("details__accrual__terms_version_id", "details__accrual__delivery_date", "details__accrual__amount_converted",
                "amount", "status", "due_date")
        .annotate(n=Count("id"))
        .order_by()
    )
    terms_of = terms or _Terms().load()
    count, total = 0, Decimal(0)
    for g in groups:
        count += g["n"]
        dd = g["details__accrual__delivery_date"]
        if dd and g["status"] in WORKING_STATUSES and day > g["due_date"]:
            accrual = {"fn": ACCRUAL_LATE_PAYMENT, "terms_version_id": g["details__accrual__terms_version_id"],
                       "delivery_date": dd, "amount_converted": g["details__accrual__amount_converted"]}
            total += (_accrued(accrual, day, terms_of) or Decimal(0)) * g["n"]
        else:
            total += (g["amount"] or Decimal(0)) * g["n"]
    return count, total


def periodic_amounts_total_on(obligations, day: datetime.date) -> tuple[int, Decimal]:
    """(count, total on ``day``) of Periodic Amount rows (RRA 2(b)) in one query whatever their
    number: the accruing parts grouped by what their accrual needs (first day, base, rate, period,
    next Computation Date), each group computed once by ``obligation_amount_on``'s rule; the
    determined ones at their amount."""
    from django.db.models import Count

    a = "details__accrual__"
    groups = (
        obligations.filter(kind="periodic_amount")
        .values(f"{a}fn", f"{a}first_day", f"{a}base", f"{a}rate_pct", f"{a}period_days", f"{a}next_computation_date",
                "amount", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    count, total = 0, Decimal(0)
    for g in groups:
        count += g["n"]
        if g[f"{a}fn"] == ACCRUAL_PERIODIC_AMOUNT and g["status"] in WORKING_STATUSES:
            accrual = {k: g[f"{a}{k}"] for k in ("first_day", "base", "rate_pct", "period_days", "next_computation_date")}
            total += _periodic_accrued(accrual, day) * g["n"]
        else:
            total += (g["amount"] or Decimal(0)) * g["n"]
    return count, total
