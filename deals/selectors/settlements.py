"""Reads for the books: the amount due on a payment date, balances, aging
buckets and statements of account.

``amount_due_on`` is the one place that says what an obligation amounts to on
a given payment date. Fixed amounts are the stored amount; amounts the
agreements tie to the date of payment are computed by the engine for that
date (SPA 4(i)(y) M, SPA 5(f) dividends, Debenture interest, SPA 5(c) while
the shares are undelivered). Rows that accrue (``details["accrual"]``: SPA 5(c) while
the shares are undelivered, 5(f), maturity, RRA 2(b) Periodic Amounts) take their figure
from ``deals.selectors.ledger.obligation_amount_on`` -- one author of each figure.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from deals.models import (
    CapRemedy,
    Conversion,
    Debenture,
    Investor,
    Obligation,
    ObligationKind,
    ObligationStatus,
    Redemption,
    Settlement,
)
from deals.terms import calendars
from deals.terms.errors import MissingPrices, TermsError
from deals.terms.rounding import to_cents

K = ObligationKind
ZERO = Decimal("0.00")

# Kinds that are money owed to a holder and can be settled (issue 11, "Settlement").
MONEY_KINDS = frozenset({
    K.LATE_PAYMENT, K.BUY_IN, K.MANDATORY_PURCHASE, K.CAP_REDEMPTION, K.REDEMPTION_PAYMENT, K.MATURITY,
    K.CONVERSION_CASH, K.PERIODIC_AMOUNT, K.ACCELERATION, K.PRICE_PROTECTION_REFUND, K.SALE_PREPAYMENT,
})
# Kinds whose amount depends on the date of payment.
PAYMENT_DATED = frozenset({K.LATE_PAYMENT, K.MANDATORY_PURCHASE, K.CAP_REDEMPTION, K.REDEMPTION_PAYMENT, K.MATURITY, K.ACCELERATION})
# Statuses of a row that still has a balance.
UNSETTLED = (ObligationStatus.OPEN, ObligationStatus.PART_PAID)
CLOSED = (ObligationStatus.PAID, ObligationStatus.WAIVED, ObligationStatus.SATISFIED, ObligationStatus.VOID)


class AmountUnavailable(Exception):
    """The amount due on a date cannot be computed (e.g. a closing price is missing). The message says why."""


@dataclass(frozen=True)
class AmountDue:
    """What an obligation amounts to if paid on ``day``, with the engine's working."""

    obligation_id: int
    day: datetime.date
    amount: Decimal
    settled: Decimal
    balance: Decimal
    computed: bool  # True when the engine computed it for this date
    note: str
    working: dict

    def as_dict(self) -> dict:
        return {
            "obligation": self.obligation_id, "date": self.day.isoformat(), "amount": str(self.amount),
            "settled": str(self.settled), "balance": str(self.balance), "computed": self.computed, "note": self.note,
        }


def _dec(value, default=None) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (ArithmeticError, TypeError, ValueError):
        return default


def _terms(financing_id: int, day: datetime.date):
    """The financing's deal terms in force on ``day`` (raises AmountUnavailable when none is)."""
    from deals.selectors.terms import TermsUnavailable, terms_in_force

    try:
        return terms_in_force(financing=financing_id, day=day).terms
    except TermsUnavailable as err:
        raise AmountUnavailable(str(err))


def _late_payment(ob: Obligation, day: datetime.date):
    from deals.terms.delivery import late_payment

    conv = Conversion.objects.select_related("terms_version").get(pk=ob.object_id)
    if conv.late_payment_base <= 0:
        return ob.amount or ZERO, f"{ob.clause}: fixed amount", ob.details or {}
    # SPA 5(c): lateness stops at delivery, revocation or the holder's 5(f) notice
    closed_on = conv.delivered_date or conv.revoked_date or conv.dishonoured_date
    lp = late_payment(
        terms=conv.terms_version.to_terms(), amount_converted=conv.late_payment_base, delivery_date=conv.delivery_date,
        delivered_on=closed_on, as_of=None if closed_on else day,
    )
    note = (f"SPA 5(c): fixed on {closed_on.isoformat()} ({conv.get_status_display().lower()}; "
            f"{lp.business_days_late} business day(s) late)" if closed_on
            else f"SPA 5(c): shares undelivered; {lp.business_days_late} business day(s) late through {day.isoformat()}")
    return lp.amount, note, lp.as_dict()


def _mandatory_purchase(ob: Obligation, day: datetime.date):
    from deals.terms.delivery import mandatory_purchase_amount

    conv = Conversion.objects.select_related("terms_version", "preferred").get(pk=ob.object_id)
    unconverted = _dec((ob.details or {}).get("unconverted_liquidation_preference"))
    if unconverted is None:
        raise AmountUnavailable("The Mandatory Purchase Amount has no unconverted liquidation preference in its working.")
    mp = mandatory_purchase_amount(
        terms=conv.terms_version.to_terms(), unconverted_liquidation_preference=unconverted,
        issue_date=conv.preferred.closing_date, notice_date=conv.dishonoured_date, payment_date=day,
    )
    return mp.amount, f"SPA 5(f): {mp.premium_pct}% premium + dividends through {day.isoformat()}", mp.as_dict()


def _cap_redemption(ob: Obligation, day: datetime.date):
    from deals.services.conversions import prices_mapping
    from deals.terms.cap import cap_limitation_redemption_amount

    rem = CapRemedy.objects.select_related("conversion__preferred").get(pk=ob.object_id)
    snap = rem.snapshot or {}
    try:
        redemption_date = datetime.date.fromisoformat(snap["redemption_date"])
        cp, dividends = Decimal(snap["cp"]), Decimal(snap["accrued_dividends"])
    except (KeyError, TypeError, ValueError, ArithmeticError):
        raise AmountUnavailable("The Cap Limitation Redemption Amount has no V/CP working recorded.")
    days = calendars.trading_days_between(redemption_date, day)
    try:
        y = cap_limitation_redemption_amount(
            terms=_terms(rem.conversion.preferred.financing_id, day), unconverted_preferred=rem.unconverted_shares,
            accrued_dividends_per_share=dividends,
            conversion_price=cp, closing_prices=prices_mapping(days, "closing_price"), redemption_date=redemption_date,
            payment_date=day,
        )
    except MissingPrices as err:
        raise AmountUnavailable(
            "SPA 4(i)(y): M is the highest closing price from the Redemption Date through the date of payment; "
            f"no closing price is recorded for {', '.join(d.isoformat() for d in err.dates)}."
        )
    return y.amount, f"SPA 4(i)(y): V x M / CP with M = ${y.m} (closing price on {y.m_day.isoformat()})", y.as_dict()


def _redemption(ob: Obligation, day: datetime.date):
    from deals.terms.redemption import redemption_quote

    red = Redemption.objects.select_related("terms_version", "debenture").get(pk=ob.object_id)
    q = redemption_quote(
        terms=red.terms_version.to_terms(), principal=red.principal, dated_date=red.debenture.dated_date,
        issued_date=red.debenture.issue_date,
        notice_date=red.notice_date, received_on=red.notice_received_date, payment_date=day,
        interest_paid_through=red.debenture.interest_paid_through,
    )
    return q.amount, f"Debenture 4(B): {q.premium_pct}% of principal + interest through {day.isoformat()}", q.as_dict()


def _maturity(ob: Obligation, day: datetime.date):
    from deals.terms.conversion import accrued_interest

    deb = Debenture.objects.get(pk=ob.object_id)
    if deb.principal_outstanding <= 0:
        return ZERO, f"Debenture {deb.number}: nothing outstanding", {}
    interest = accrued_interest(
        terms=_terms(deb.financing_id, day), principal=deb.principal_outstanding, dated_date=deb.dated_date,
        issued_date=deb.issue_date,
        to_date=max(deb.maturity_date, day), paid_through=deb.interest_paid_through,
    )
    total = deb.principal_outstanding + interest.amount
    return total, (f"Debenture (Maturity Date): principal ${deb.principal_outstanding:,} + interest "
                   f"${interest.amount:,} to {interest.end.isoformat()}"), interest.as_dict()


def _acceleration(ob: Obligation, day: datetime.date):
    from deals.models import EventOfDefault
    from deals.terms.conversion import accrued_interest

    eod = EventOfDefault.objects.select_related("debenture").get(pk=ob.object_id)
    principal = _dec((ob.details or {}).get("principal_outstanding"))
    if eod.debenture is None or principal is None:
        return ob.amount or ZERO, f"{ob.clause}: fixed at acceleration", ob.details or {}
    interest = accrued_interest(terms=_terms(eod.financing_id, day), principal=principal, dated_date=eod.debenture.dated_date,
                                issued_date=eod.debenture.issue_date, to_date=day,
                                paid_through=eod.debenture.interest_paid_through)
    return principal + interest.amount, (f"Debenture 10: principal ${principal:,} + interest ${interest.amount:,} "
                                         f"to {day.isoformat()} (accrues until payment in full)"), interest.as_dict()


_ENGINES = {
    K.LATE_PAYMENT: _late_payment, K.MANDATORY_PURCHASE: _mandatory_purchase, K.CAP_REDEMPTION: _cap_redemption,
    K.REDEMPTION_PAYMENT: _redemption, K.MATURITY: _maturity, K.ACCELERATION: _acceleration,
}


_ACCRUAL_NOTES = {
    "late_payment": "SPA 5(c): shares undelivered; late payment accrued through {day} (the last business day on or before it)",
    "maturity": "Debenture (Maturity Date): principal + interest until payment, to {day}",
    "mandatory_purchase": "SPA 5(f): premium + dividends through the date of payment {day} (not before the due date)",
    "periodic_amount": ("RRA 2(b)(iii): accrued from {first_day} through {day} (at most to the next Computation Date "
                        "{next_computation_date})"),
}


def amount_due_on(obligation: Obligation, day: datetime.date) -> AmountDue:
    """The amount of ``obligation`` if paid on ``day`` and its balance after what is settled.

    Closed rows (paid, waived) keep the amount fixed at their closing payment.
    Raises ``AmountUnavailable`` with the reason when the engine cannot compute it.
    """
    ob = obligation
    settled = ob.settled or ZERO
    accrual = (ob.details or {}).get("accrual") if isinstance(ob.details, dict) else None
    if accrual and ob.status in UNSETTLED:
        # one author of an accruing figure (late payment, Periodic Amount, maturity, 5(f)): the ledger selector
        from deals.selectors.ledger import obligation_amount_on

        try:
            value = obligation_amount_on(ob, day)
        except (TermsError, ArithmeticError, KeyError, TypeError, ValueError) as err:
            raise AmountUnavailable(f"{ob.clause}: the accrual cannot be computed for {day.isoformat()} ({err}).")
        amount = to_cents(value if value is not None else ZERO)
        note = _ACCRUAL_NOTES.get(accrual.get("fn"), "{clause}: accrued through {day}").format(
            clause=ob.clause, day=day.isoformat(), **{k: v for k, v in accrual.items() if isinstance(v, str)})
        return AmountDue(ob.pk, day, amount, settled, max(ZERO, amount - settled), True, note,
                         {**accrual, "as_of": day.isoformat(), "amount": str(amount)})
    engine = _ENGINES.get(ob.kind)
    if engine is None or ob.status not in UNSETTLED:
        amount = ob.amount if ob.amount is not None else ZERO
        note = f"{ob.clause}: fixed amount" if ob.status in UNSETTLED else f"{ob.clause}: {ob.get_status_display().lower()}"
        return AmountDue(ob.pk, day, amount, settled, max(ZERO, amount - settled), False, note, ob.details or {})
    try:
        amount, note, working = engine(ob, day)
    except TermsError as err:
        raise AmountUnavailable(f"{ob.clause}: {err}")
    amount = to_cents(amount)
    return AmountDue(ob.pk, day, amount, settled, max(ZERO, amount - settled), True, note, working)


def arose_on(obligation: Obligation) -> datetime.date:
    """The day the amount became owed; no settlement may be dated earlier.

    SPA 5(c): the first day after the grace period (details ``grace_end`` + 1); SPA 5(f): the holder's
    notice; SPA 4(i)(y): the Redemption Date; Debenture 4(B): the Notice of Redemption; others: the
    day in ``details['arose_on']``, else the due date for amounts due on a date (buy-in, maturity,
    Periodic Amount, acceleration, cash on conversion).
    """
    d = obligation.details or {}
    key = {K.LATE_PAYMENT: "grace_end", K.MANDATORY_PURCHASE: "notice_date", K.CAP_REDEMPTION: "redemption_date",
           K.REDEMPTION_PAYMENT: "notice_date"}.get(obligation.kind, "arose_on")
    try:
        day = datetime.date.fromisoformat(d[key])
    except (KeyError, TypeError, ValueError):
        return obligation.due_date
    if obligation.kind == K.LATE_PAYMENT:
        return calendars.add_business_days(day, 1)
    return day


def settlements_of(obligation: Obligation):
    """The entries against one obligation, oldest first, with who recorded them and what reversed them."""
    return (Settlement.objects.filter(obligation=obligation)
            .select_related("recorded_by", "reverses", "reversed_by").order_by("date", "id"))


# --- aging ------------------------------------------------------------------------------------

AGING_BUCKETS = (
    ("current", "Current", None, 0),
    ("b1_10", "1–10", 1, 10),
    ("b11_30", "11–30", 11, 30),
    ("b31_90", "31–90", 31, 90),
    ("b90", "> 90", 91, None),
)


def _bucket_bounds(as_of: datetime.date) -> list[tuple[str, str, datetime.date | None, datetime.date | None]]:
    """Each aging bucket as a due-date range: an obligation is n business days overdue when n business
    days lie after its due date up to ``as_of``. Returns (key, label, due_after, due_on_or_before)."""
    out = []
    for key, label, lo, hi in AGING_BUCKETS:
        if lo is None:  # current: not yet overdue
            out.append((key, label, None, None))
            continue
        # overdue by >= lo business days  <=>  due_date < the lo-th business day back from as_of (+1 day)
        newest = _business_days_back(as_of, lo)
        oldest = _business_days_back(as_of, hi + 1) if hi is not None else None
        out.append((key, label, oldest, newest))
    return out


def _business_days_back(as_of: datetime.date, n: int) -> datetime.date:
    """The latest due date that is at least ``n`` business days overdue on ``as_of``."""
    d = as_of
    counted = 0
    while counted < n:
        if calendars.is_business_day(d):
            counted += 1
        d -= datetime.timedelta(days=1)
    return d


def business_days_overdue(due: datetime.date, as_of: datetime.date) -> int:
    """Business days after ``due`` up to and including ``as_of`` (0 when not yet overdue)."""
    return calendars.count_business_days(due, as_of) if as_of > due else 0


def _bucket_q(key: str, as_of: datetime.date) -> Q:
    """The due-date range of one aging bucket as a filter (no CASE: PostgreSQL compares dates)."""
    for k, _label, oldest, newest in _bucket_bounds(as_of):
        if k != key:
            continue
        if k == "current":
            return Q(due_date__gte=as_of)
        q = Q(due_date__lte=newest)
        return q & Q(due_date__gt=oldest) if oldest is not None else q
    raise ValueError(f"Unknown aging bucket {key!r}.")


def _bucket_case(as_of: datetime.date):
    whens = [When(_bucket_q(key, as_of), then=Value(key)) for key, *_ in AGING_BUCKETS if key != "current"]
    return Case(*whens, default=Value("current"))


def open_money(as_of: datetime.date):
    """Unsettled money obligations with their balance on the stored amount (one queryset)."""
    return Obligation.objects.filter(kind__in=list(MONEY_KINDS), status__in=UNSETTLED).annotate(balance=_BALANCE)


_BALANCE = Coalesce(F("amount"), Value(ZERO), output_field=DecimalField()) - F("settled")


def aging(*, as_of: datetime.date, investor_id: int | None = None, kind: str | None = None) -> dict:
    """Aging of what is owed (current, 1–10, 11–30, 31–90, > 90 business days overdue) by investor
    and by kind, with totals. Two queries whatever the ledger's size: one grouped by (investor,
    kind), one for the investors' names."""
    qs = Obligation.objects.filter(kind__in=list(MONEY_KINDS), status__in=UNSETTLED)
    if investor_id:
        qs = qs.filter(investor_id=investor_id)
    if kind:
        qs = qs.filter(kind=kind)
    keys = [b[0] for b in AGING_BUCKETS]
    aggs = {}
    for key in keys:
        cond = _bucket_q(key, as_of)
        aggs[f"{key}_amt"] = Coalesce(Sum(_BALANCE, filter=cond), Value(ZERO), output_field=DecimalField())
        aggs[f"{key}_n"] = Count("id", filter=cond, output_field=IntegerField())
    aggs["total_amt"] = Coalesce(Sum(_BALANCE), Value(ZERO), output_field=DecimalField())
    aggs["total_n"] = Count("id")
    # one scan: grouped by (investor, kind), folded into both views here; tuples, not a dict per cell, and
    # one list of sums per group (issue 17: ~5,000 cells at (b); the dict-per-cell fold took 60 ms)
    fields = list(aggs)
    cells = list(qs.values("investor_id", "kind").annotate(**aggs).order_by().values_list("investor_id", "kind", *fields))
    names = dict(Investor.objects.filter(pk__in={r[0] for r in cells if r[0]})
                 .values_list("pk", "legal_name"))
    labels = dict(ObligationKind.choices)
    zero = [ZERO if k.endswith("_amt") else 0 for k in fields]
    width = range(len(fields))

    def fold(key_name: str) -> dict:
        at = 0 if key_name == "investor_id" else 1
        sums: dict = {}
        for r in cells:
            acc = sums.get(r[at])
            if acc is None:
                sums[r[at]] = acc = zero.copy()
            for i in width:
                acc[i] += r[2 + i]
        return {k: {key_name: k, **dict(zip(fields, acc, strict=True))} for k, acc in sums.items()}

    by_investor = list(fold("investor_id").values())
    for row in by_investor:
        row["investor__legal_name"] = names.get(row["investor_id"], "")
    by_investor.sort(key=lambda r: (r["investor__legal_name"] == "", r["investor__legal_name"]))
    by_kind = sorted(fold("kind").values(), key=lambda r: r["kind"])
    for row in by_kind:
        row["label"] = labels.get(row["kind"], row["kind"])
    totals = {k: sum((r[k] for r in by_kind), ZERO if k.endswith("_amt") else 0) for k in aggs}
    return {"buckets": [(b[0], b[1]) for b in AGING_BUCKETS], "by_investor": by_investor, "by_kind": by_kind,
            "totals": totals, "as_of": as_of}


def aging_rows(*, as_of: datetime.date, investor_id: int | None = None, kind: str | None = None, bucket: str | None = None):
    """The rows behind the aging, oldest due first (for the paginated list and the CSV)."""
    qs = open_money(as_of).annotate(bucket=_bucket_case(as_of)).select_related("investor")
    if investor_id:
        qs = qs.filter(investor_id=investor_id)
    if kind:
        qs = qs.filter(kind=kind)
    if bucket:
        qs = qs.filter(_bucket_q(bucket, as_of))
    return qs.order_by("due_date", "id")


# --- statement of account ----------------------------------------------------------------------


def statement_of_account(*, investor, as_of: datetime.date) -> dict:
    """Every money obligation of one investor (not void) with its clause, the entries dated on or
    before ``as_of``, and the balance as of that date. Two queries whatever the number of rows."""
    rows = list(
        Obligation.objects.filter(investor=investor, kind__in=list(MONEY_KINDS), amount__isnull=False)
        .exclude(status=ObligationStatus.VOID).order_by("due_date", "id")
    )
    entries: dict[int, list[Settlement]] = {}
    for s in (Settlement.objects.filter(obligation__investor=investor, obligation__kind__in=list(MONEY_KINDS), date__lte=as_of)
              .select_related("recorded_by", "reverses").order_by("date", "id")):
        entries.setdefault(s.obligation_id, []).append(s)
    labels = dict(ObligationKind.choices)
    lines = []
    tot = {"amount": ZERO, "paid": ZERO, "waived": ZERO, "balance": ZERO}
    for r in rows:
        es = entries.get(r.pk, [])
        net = {"payment": ZERO, "waiver": ZERO}
        for e in es:
            if e.kind == "reversal":
                if e.reverses is not None and e.reverses.date <= as_of:
                    net[e.reverses.kind] -= e.amount
            else:
                net[e.kind] += e.amount
        amount = r.amount or ZERO
        balance = max(ZERO, amount - net["payment"] - net["waiver"])
        lines.append({"ob": r, "label": labels.get(r.kind, r.kind), "entries": es, "amount": amount,
                      "paid": net["payment"], "waived": net["waiver"], "balance": balance,
                      "overdue": balance > 0 and r.due_date < as_of})
        tot["amount"] += amount
        tot["paid"] += net["payment"]
        tot["waived"] += net["waiver"]
        tot["balance"] += balance
    return {"investor": investor, "as_of": as_of, "lines": lines, "totals": tot}
