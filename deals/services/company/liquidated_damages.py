"""Liquidated damages under the RRA: Periodic Amounts per investor (RRA 2(b)).

Each lateness -- the Required Effective Date missed (RRA 2(b)(i)(A), or
(B)/(C) after an Increased Registered Shares Date) or a Restricted Sale Date
(RRA 2(b)(ii): days of a suspension outside a Permitted Suspension Period) --
gives a schedule of Periodic Amounts by Computation Date (RRA 2(b)(iii),
(vii)) computed by ``deals.terms.registration.periodic_amounts``. After the
Effective Date the base is the unconverted principal plus the Held Shares
Value, with the investor's recorded ShareSales taken first-in-first-out.

Reads are set-based: one query per table for all investors of a financing.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction

from deals.models import (
    Conversion,
    ConversionStatus,
    Financing,
    Investor,
    LiquidatedDamagesStatement,
    Obligation,
    ObligationKind,
    PeriodicAmountPayment,
    ShareSale,
)
from deals.services.calendar import refuse_future_date
from deals.services.ledger import rows as build
from deals.services.ledger.writer import ledger_put
from deals.terms import registration as reg
from deals.terms.errors import TermsError
from deals.terms.misc import add_months

from ._common import buyers, primary_statement, registration_terms

ZERO = Decimal(0)
Lateness = PeriodicAmountPayment.Lateness
_ENGINE_KIND = {
    Lateness.REQUIRED_EFFECTIVE_DATE: reg.LatenessKind.REQUIRED_EFFECTIVE_DATE,
    Lateness.RESTRICTED_SALE_DATE: reg.LatenessKind.RESTRICTED_SALE_DATE,
}


@dataclass(frozen=True)
class Trigger:
    """One lateness: what triggered it, when it was (or is not yet) cured."""

    lateness: str
    trigger_date: datetime.date
    cured_on: datetime.date | None
    label: str
    clause: str


@dataclass
class Row:
    """One Computation Date for the page: the engine's line and its payment."""

    line: reg.PeriodicLine
    payment: PeriodicAmountPayment | None

    @property
    def paid(self) -> bool:
        return self.payment is not None


@dataclass
class Schedule:
    trigger: Trigger
    base: reg.PeriodicBase | None
    amounts: reg.PeriodicAmounts | None
    rows: list[Row] = field(default_factory=list)
    error: str = ""


@dataclass
class InvestorDamages:
    investor: Investor
    purchase_price: Decimal
    schedules: list[Schedule]
    sales: list[ShareSale]

    @property
    def total_computed(self) -> Decimal:
        return sum((s.amounts.total for s in self.schedules if s.amounts), ZERO)

    @property
    def total_paid(self) -> Decimal:
        return sum((r.line.amount for s in self.schedules for r in s.rows if r.paid), ZERO)

    @property
    def total_unpaid(self) -> Decimal:
        return self.total_computed - self.total_paid

    @property
    def accruing(self) -> Decimal:
        return sum((s.amounts.accruing.amount for s in self.schedules if s.amounts and s.amounts.accruing), ZERO)


def triggers(*, financing: Financing, as_of: datetime.date) -> list[Trigger]:
    """The latenesses of a financing known on ``as_of`` (RRA 2(b)(i)-(ii))."""
    closing = financing.initial_closing_date
    if closing is None:
        return []
    terms = registration_terms(financing=financing, day=as_of)
    statement = primary_statement(financing)
    effective = statement.effective_date if statement else None
    found: list[Trigger] = []
    initial = reg.anticipated_initial_effective_date(closing, terms)
    if as_of > initial and (effective is None or effective > initial):
        found.append(
            Trigger(
                Lateness.REQUIRED_EFFECTIVE_DATE,
                initial,
                effective,
                f"Not effective by the Anticipated Initial Effective Date {initial.isoformat()}",
                "RRA 2(b)(i)(A)",
            )
        )
    if statement is None:
        return found
    for a in statement.amendments.order_by("id"):
        due = a.snapshot.get("required_effective_date")
        if not due:
            continue
        due = datetime.date.fromisoformat(due)
        if as_of > due and (a.effective_date is None or a.effective_date > due):
            found.append(
                Trigger(
                    Lateness.REQUIRED_EFFECTIVE_DATE,
                    due,
                    a.effective_date,
                    f"Increased shares not effective by {due.isoformat()} (IRSD "
                    f"{a.increased_registered_shares_date.isoformat() if a.increased_registered_shares_date else '?'})",
                    "RRA 2(b)(i)(B)-(C)",
                )
            )
    for s in statement.suspensions.order_by("start_date"):
        for first, last in s.verdict.get("restricted_spans", []):
            rsd = datetime.date.fromisoformat(first)
            lifted = datetime.date.fromisoformat(last) + datetime.timedelta(days=1)
            if rsd >= as_of:
                continue
            found.append(
                Trigger(
                    Lateness.RESTRICTED_SALE_DATE,
                    rsd,
                    lifted,
                    f"Suspension {s.start_date.isoformat()}..{s.end_date.isoformat()}: days {first}..{last} "
                    "outside a Permitted Suspension Period",
                    "RRA 2(b)(ii), 3(h)",
                )
            )
    return found


def _held_shares(
    trigger: datetime.date,
    conversions: list[Conversion],
    sales: list[ShareSale],
    terms,
) -> reg.HeldSharesValue:
    """RRA 2(b)(iii) Held Shares Value at a Restricted Sale Date. Sales made
    before it are matched to the investor's conversions first-in-first-out;
    those that used up conversions before the 30-day window do not reduce
    the window's shares (docs/interpretations.md, "Held Shares Value")."""
    window_first = trigger - datetime.timedelta(days=terms.held_shares_lookback_days)
    before = [c for c in conversions if c.conversion_date < trigger]
    sold = sum(s.shares for s in sales if s.sale_date < trigger)
    pre_window = sum(c.shares_issuable for c in before if c.conversion_date < window_first)
    window = [c for c in before if c.conversion_date >= window_first]
    window_shares = sum(c.shares_issuable for c in window)
    window_sold = min(max(0, sold - pre_window), window_shares)
    return reg.held_shares_value(
        restricted_sale_date=trigger,
        conversions=[reg.Conversion(c.conversion_date, c.amount, c.shares_issuable) for c in window if c.shares_issuable],
        shares_sold=window_sold,
        terms=terms,
    )


def damages_overview(*, financing: Financing, as_of: datetime.date, investor: Investor | None = None) -> list[InvestorDamages]:
    """Periodic Amounts per investor on ``as_of`` (RRA 2(b)); a fixed number of queries."""
    terms = registration_terms(financing=financing, day=as_of)
    statement = primary_statement(financing)
    effective = statement.effective_date if statement else None
    found = triggers(financing=financing, as_of=as_of)
    holders = buyers(financing)
    if investor is not None:
        holders = [h for h in holders if h[0].pk == investor.pk]
    ids = [h[0].pk for h in holders]
    conv_by, sales_by, paid_by = defaultdict(list), defaultdict(list), {}
    for c in (
        Conversion.objects.filter(preferred__financing=financing, investor_id__in=ids)
        .exclude(status__in=[ConversionStatus.REVOKED, ConversionStatus.DISHONOURED])
        .order_by("conversion_date", "id")
    ):
        conv_by[c.investor_id].append(c)
    for s in ShareSale.objects.filter(financing=financing, investor_id__in=ids).order_by("sale_date", "id"):
        sales_by[s.investor_id].append(s)
    for p in PeriodicAmountPayment.objects.filter(financing=financing, investor_id__in=ids):
        paid_by[(p.investor_id, p.lateness, p.trigger_date, p.computation_date)] = p
    result = []
    for inv, _lp, outstanding, price in holders:
        convs = conv_by[inv.pk]
        schedules = []
        for t in found:
            try:
                unconverted = outstanding + sum((c.amount for c in convs if c.conversion_date >= t.trigger_date), ZERO)
                held = None
                if t.lateness == Lateness.RESTRICTED_SALE_DATE and effective and t.trigger_date > effective:
                    held = _held_shares(t.trigger_date, convs, sales_by[inv.pk], terms)
                base = reg.periodic_base(
                    purchase_price=price,
                    trigger_date=t.trigger_date,
                    effective_date=effective,
                    unconverted_principal=unconverted,
                    held_shares=held,
                )
                amounts = reg.periodic_amounts(
                    kind=_ENGINE_KIND[t.lateness],
                    trigger_date=t.trigger_date,
                    base=base.amount,
                    cured_on=t.cured_on,
                    as_of=as_of,
                    terms=terms,
                )
            except TermsError as err:
                schedules.append(Schedule(t, None, None, error=str(err)))
                continue
            rows = [Row(line, paid_by.get((inv.pk, t.lateness, t.trigger_date, line.computation_date))) for line in amounts.lines]
            schedules.append(Schedule(t, base, amounts, rows))
        result.append(InvestorDamages(inv, price, schedules, sales_by[inv.pk]))
    return result


def periodic_amount_key(investor_id: int, lateness: str, trigger: datetime.date, cd: datetime.date) -> str:
    code = "R" if lateness == Lateness.REQUIRED_EFFECTIVE_DATE else "S"
    return f"{investor_id}:{code}:{trigger:%Y%m%d}:{cd:%Y%m%d}"


def ld_obligations_sync(*, financing: Financing, as_of: datetime.date) -> int:
    """Write one PERIODIC_AMOUNT obligation per investor and Computation Date
    reached (RRA 2(b)(iii)-(iv)), idempotently; returns the rows written."""
    rows = [
        build.periodic_amount(
            financing_id=financing.pk, investor_id=d.investor.pk, line=r.line, base=s.base.as_dict() if s.base else None,
            label=s.trigger.label,
            period_key=periodic_amount_key(d.investor.pk, s.trigger.lateness, s.trigger.trigger_date, r.line.computation_date),
        )
        for d in damages_overview(financing=financing, as_of=as_of) for s in d.schedules for r in s.rows
    ]
    ledger_put(source=financing, rows=rows, as_of=as_of)
    n = len(rows)
    return n


@transaction.atomic
def periodic_amount_mark_paid(
    *,
    financing: Financing,
    investor: Investor,
    lateness: str,
    trigger_date: datetime.date,
    computation_date: datetime.date,
    paid_date: datetime.date,
    reference: str,
    user,
    as_of: datetime.date,
) -> PeriodicAmountPayment:
    """Record payment in full of one Periodic Amount (RRA 2(b)(iv)) as computed on ``as_of``.

    The payment is a settlement of the Periodic Amount's ledger row, recorded through the books'
    single entry point (``deals.services.ledger.settlements.settlement_record``: deal admins only,
    amount and date checks, history); the damages schedule's ``PeriodicAmountPayment`` follows
    from it (``periodic_amount_settled``)."""
    from deals.services.conversions import WorkflowError
    from deals.services.ledger.settlements import settlement_record

    Investor.objects.select_for_update().get(pk=investor.pk)
    damages = damages_overview(financing=financing, as_of=as_of, investor=investor)
    for d in damages:
        for s in d.schedules:
            if s.trigger.lateness != lateness or s.trigger.trigger_date != trigger_date:
                continue
            for r in s.rows:
                if r.line.computation_date != computation_date:
                    continue
                if r.paid:
                    raise ValidationError(
                        f"The Periodic Amount for {computation_date.isoformat()} was already marked paid on "
                        f"{r.payment.paid_date.isoformat()}."
                    )
                refuse_future_date(paid_date, what="payment date", field="paid_date", today=as_of)
                ld_obligations_sync(financing=financing, as_of=as_of)
                row = Obligation.objects.get(
                    kind=ObligationKind.PERIODIC_AMOUNT,
                    content_type=ContentType.objects.get_for_model(financing),
                    object_id=financing.pk,
                    period_key=periodic_amount_key(investor.pk, lateness, trigger_date, computation_date),
                )
                balance = (row.amount or ZERO) - row.settled
                try:
                    settlement_record(obligation_id=row.pk, kind="payment", date=paid_date, amount=balance, method="wire",
                                      reference=reference, by=user)
                except WorkflowError as err:
                    raise ValidationError(err.message)
                return PeriodicAmountPayment.objects.get(
                    financing=financing, investor=investor, lateness=lateness, trigger_date=trigger_date,
                    computation_date=computation_date,
                )
    raise ValidationError(
        f"No Periodic Amount with Computation Date {computation_date.isoformat()} for {investor} "
        f"(trigger {trigger_date.isoformat()}) is computed as of {as_of.isoformat()}."
    )


def periodic_amount_settled(*, obligation: Obligation, paid_date: datetime.date, reference: str, user) -> PeriodicAmountPayment | None:
    """RRA 2(b)(iv): the damages schedule's record of a Periodic Amount paid in full, written when its
    ledger row is settled (called by ``settlement_record``). Keyed by the row's period key."""
    try:
        investor_id, code, trigger, cd = obligation.period_key.split(":")
        trigger_date = datetime.datetime.strptime(trigger, "%Y%m%d").date()
        computation_date = datetime.datetime.strptime(cd, "%Y%m%d").date()
    except ValueError:
        return None
    line = (obligation.details or {}).get("line") or {}
    payment, _ = PeriodicAmountPayment.objects.get_or_create(
        financing_id=obligation.object_id,
        investor_id=int(investor_id),
        lateness=Lateness.REQUIRED_EFFECTIVE_DATE if code == "R" else Lateness.RESTRICTED_SALE_DATE,
        trigger_date=trigger_date,
        computation_date=computation_date,
        defaults={
            "days": int(line.get("days") or 0),
            "base": Decimal(str(line.get("base") or "0")),
            "amount": obligation.amount or ZERO,
            "due_date": obligation.due_date,
            "paid_date": paid_date,
            "payment_reference": reference,
            "snapshot": {"line": line, "base": (obligation.details or {}).get("base"), "obligation": obligation.pk},
            "created_by": user,
        },
    )
    return payment


@transaction.atomic
def share_sale_record(
    *, financing: Financing, investor: Investor, sale_date: datetime.date, shares: int, user, as_of: datetime.date
) -> ShareSale:
    """Record an investor's sale of Conversion Shares, so the Held Shares Value
    (RRA 2(b)(iii)) is computed from sales, not typed. Sales cannot exceed the
    shares the investor received on conversion up to the sale date."""
    Investor.objects.select_for_update().get(pk=investor.pk)
    refuse_future_date(sale_date, what="sale date", field="sale_date", today=as_of)
    received = sum(
        Conversion.objects.filter(preferred__financing=financing, investor=investor, conversion_date__lte=sale_date)
        .exclude(status__in=[ConversionStatus.REVOKED, ConversionStatus.DISHONOURED])
        .values_list("shares_issuable", flat=True)
    )
    sold = sum(ShareSale.objects.filter(financing=financing, investor=investor, sale_date__lte=sale_date).values_list("shares", flat=True))
    if sold + shares > received:
        raise ValidationError(
            {
                "shares": f"{investor} received {received:,} Conversion Shares up to {sale_date.isoformat()} and has "
                f"already sold {sold:,}; {shares:,} more would exceed what it holds."
            }
        )
    sale = ShareSale.objects.create(investor=investor, financing=financing, sale_date=sale_date, shares=shares)
    ld_obligations_sync(financing=financing, as_of=as_of)
    return sale


def month_rows(damages: InvestorDamages, month: datetime.date) -> list[tuple[Schedule, Row]]:
    """The Periodic Amounts whose Computation Date falls in ``month`` (RRA 2(b)(iv): paid monthly)."""
    nxt = add_months(month, 1)
    return [(s, r) for s in damages.schedules for r in s.rows if month <= r.line.computation_date < nxt]


@transaction.atomic
def ld_statement_create(
    *, financing: Financing, investor: Investor, month: datetime.date, user, as_of: datetime.date
) -> LiquidatedDamagesStatement:
    """A monthly statement of Periodic Amounts for one investor (RRA 2(b)(iv)),
    rendered as a PDF by the notices machinery (kind ``ld_statement``)."""
    from notices.services import notice_request

    month = month.replace(day=1)
    if month > as_of:
        raise ValidationError({"month": f"{month:%B %Y} has not started on the business date {as_of.isoformat()}."})
    damages = damages_overview(financing=financing, as_of=as_of, investor=investor)
    if not damages:
        raise ValidationError(f"{investor} holds no Series J in {financing}.")
    rows = month_rows(damages[0], month)
    stmt = LiquidatedDamagesStatement.objects.create(
        financing=financing,
        investor=investor,
        month=month,
        as_of=as_of,
        total_due=sum((r.line.amount for _, r in rows), ZERO),
        total_paid=sum((r.line.amount for _, r in rows if r.paid), ZERO),
        snapshot={
            "clause": "RRA 2(b)(iii)-(iv), 2(b)(vii)",
            "investor": investor.legal_name,
            "financing": financing.name,
            "month": month.isoformat(),
            "as_of": as_of.isoformat(),
            "rows": [
                {
                    "trigger": s.trigger.label,
                    "trigger_clause": s.trigger.clause,
                    "base_working": s.base.working if s.base else "",
                    "line": r.line.as_dict(),
                    "paid_date": r.payment.paid_date.isoformat() if r.paid else None,
                }
                for s, r in rows
            ],
            "total_computed_to_date": str(damages[0].total_computed),
            "total_paid_to_date": str(damages[0].total_paid),
            "accruing": str(damages[0].accruing),
        },
        created_by=user,
    )
    notice_request(record=stmt, kind="ld_statement", user=user)
    return stmt
