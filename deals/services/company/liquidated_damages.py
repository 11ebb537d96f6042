"""Liquidated damages under the RRA: Periodic Amounts per investor (RRA 2(b)).

Each lateness -- the Required Effective Date missed (RRA 2(b)(i)(A), or
(B)/(C) after an Increased Registered Shares Date) or a Restricted Sale Date
(RRA 2(b)(ii): days of a suspension outside a Permitted Suspension Period) --
gives a schedule of Periodic Amounts by Computation Date (RRA 2(b)(iii),
(vii)) computed by ``deals.terms.registration.periodic_amounts``. After the
Effective Date the base is the unconverted principal plus the Held Shares
Value, with the investor's recorded ShareSales taken first-in-first-out.

Reads are set-based: the conversions are aggregated in SQL (issue 17), the other tables
are read once for all the investors asked.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Min, Q, Sum

from deals.models import (
    Conversion,
    ConversionStatus,
    ExcusedDelay,
    Financing,
    Investor,
    LiquidatedDamagesStatement,
    Obligation,
    ObligationKind,
    PeriodicAmountPayment,
    PreferredHolding,
    ShareSale,
    Transfer,
)
from deals.services.calendar import refuse_future_date
from deals.services.ledger import rows as build
from deals.services.ledger.writer import ledger_put, rows_that_change
from deals.terms import registration as reg
from deals.terms.errors import TermsError
from deals.terms.misc import add_months

from ._common import buyers, primary_statement, registration_terms

ZERO = Decimal(0)
CENT = Decimal("0.01")
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
    excused: list[ExcusedDelay] = field(default_factory=list)  # RRA 2(b)(vi)(i), RRA 9
    rule_144_from: datetime.date | None = None  # RRA 2(b)(vi)(ii)

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
        if any(t.lateness == Lateness.REQUIRED_EFFECTIVE_DATE and t.trigger_date == due for t in found):
            # RRA 2(b)(i)(B): "the earlier of the Anticipated Initial Effective Date or sixty (60) days after
            # the IRSD" -- when that is a Required Effective Date already missed, the days are already
            # counted once (docs/interpretations.md, "RRA 2(b)(i) -- two Required Effective Dates on one day")
            continue
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


def _live_conversions(financing: Financing):
    """The financing's Series J conversions that count (revoked and dishonoured ones do not)."""
    return Conversion.objects.filter(preferred__financing=financing).exclude(
        status__in=[ConversionStatus.REVOKED, ConversionStatus.DISHONOURED]
    )


@dataclass
class _Window:
    """One investor's conversions inside one 30-day Held Shares window (RRA 2(b)(iii)), as totals:
    how many have shares, their shares, their principal and the smallest principal."""

    conversions: int = 0
    shares: int = 0
    principal: Decimal = ZERO
    least_principal: Decimal | None = None


@dataclass
class _Inputs:
    """What the RRA 2(b)(iii) base needs from one investor's conversions, read set-based:
    per trigger date, the principal converted on or after it and the shares received before
    its 30-day window; the window's totals; and, when read (``lines``), the conversions
    inside each window (oldest first)."""

    converted_since: dict[datetime.date, Decimal] = field(default_factory=dict)
    shares_before_window: dict[datetime.date, int] = field(default_factory=dict)
    totals: dict[datetime.date, _Window] = field(default_factory=dict)
    window: dict[datetime.date, list[reg.Conversion]] = field(default_factory=dict)
    lines: bool = False  # ``window`` was read for this investor


def _cents(value) -> Decimal:
    # money columns hold cents; SQLite sums them as floats (PostgreSQL exactly): back to cents
    return ZERO if value is None else Decimal(value).quantize(CENT)


def _conversion_inputs(
    *, financing: Financing, ids: list[int] | None, post: list[datetime.date], held: list[datetime.date], lookback: int,
    lines: bool = True,
) -> dict[int, _Inputs]:
    """RRA 2(b)(iii) inputs for every investor in one grouped aggregate (the principal converted
    since each post-effective trigger; the shares received before each Held Shares window; each
    window's totals) and, with ``lines``, one read of the conversions inside the 30-day windows
    (``_window_lines``) -- only the columns used, never the conversions' snapshots. ``ids``
    None: every investor of the financing."""
    by: dict[int, _Inputs] = defaultdict(_Inputs)
    if not post and not held:
        return by
    qs = _live_conversions(financing)
    if ids is not None:
        qs = qs.filter(investor_id__in=ids)
    aggs = {f"u{i}": Sum("amount", filter=Q(conversion_date__gte=t)) for i, t in enumerate(post)}
    firsts = [t - datetime.timedelta(days=lookback) for t in held]
    aggs |= {f"p{i}": Sum("shares_issuable", filter=Q(conversion_date__lt=w)) for i, w in enumerate(firsts)}
    for i, (t, w) in enumerate(zip(held, firsts, strict=True)):
        inside = Q(conversion_date__gte=w, conversion_date__lt=t, shares_issuable__gt=0)
        aggs |= {f"wn{i}": Count("id", filter=inside), f"ws{i}": Sum("shares_issuable", filter=inside),
                 f"wp{i}": Sum("amount", filter=inside), f"wm{i}": Min("amount", filter=inside)}
    for r in qs.values("investor_id").annotate(**aggs).order_by():
        inputs = by[r["investor_id"]]
        for i, t in enumerate(post):
            inputs.converted_since[t] = _cents(r[f"u{i}"])
        for i, t in enumerate(held):
            inputs.shares_before_window[t] = r[f"p{i}"] or 0
            inputs.totals[t] = _Window(r[f"wn{i}"], r[f"ws{i}"] or 0, _cents(r[f"wp{i}"]),
                                       None if r[f"wm{i}"] is None else Decimal(r[f"wm{i}"]))
    if held and lines:
        _window_lines(qs, held=held, firsts=firsts, by=by, ids=ids)
    return by


def _window_lines(qs, *, held: list[datetime.date], firsts: list[datetime.date], by: dict[int, _Inputs],
                  ids: list[int] | None) -> None:
    """Read the conversions inside the Held Shares windows (oldest first; four columns) of the
    investors ``ids`` (None: all of ``qs``) into ``by``."""
    window_q = Q()
    for t, w in zip(held, firsts, strict=True):
        window_q |= Q(conversion_date__gte=w, conversion_date__lt=t)
    if ids is not None:
        qs = qs.filter(investor_id__in=ids)
        for i in ids:
            by[i].lines = True
    rows = qs.filter(window_q).order_by("conversion_date", "id").values_list(
        "investor_id", "conversion_date", "amount", "shares_issuable"
    )
    spans = list(zip(held, firsts, strict=True))
    for inv, on, amount, shares in rows:
        conv = reg.Conversion(on, amount, shares)
        for t, w in spans:
            if w <= on < t:
                by[inv].window.setdefault(t, []).append(conv)
    if ids is None:
        for inputs in by.values():
            inputs.lines = True


def _window_sold(trigger: datetime.date, inputs: _Inputs, sales: list[ShareSale]) -> int:
    """RRA 2(b)(iii): how many of the window's shares were sold before the Restricted Sale Date.
    Sales made before it are matched to the investor's conversions first-in-first-out; those
    that used up conversions before the 30-day window do not reduce the window's shares
    (docs/interpretations.md, "Held Shares Value")."""
    sold = sum(s.shares for s in sales if s.sale_date < trigger)
    pre_window = inputs.shares_before_window.get(trigger, 0)
    totals = inputs.totals.get(trigger) or _Window()
    return min(max(0, sold - pre_window), totals.shares)


def _all_held(trigger: datetime.date, inputs: _Inputs, sales: list[ShareSale]) -> bool:
    """The window's Held Shares Value is its conversions' principal in full: nothing in it sold,
    every principal positive (else the engine's line-by-line refusal is wanted)."""
    totals = inputs.totals.get(trigger) or _Window()
    if totals.conversions and not (totals.least_principal is not None and totals.least_principal > 0):
        return False
    return _window_sold(trigger, inputs, sales) == 0


def _held_shares(trigger: datetime.date, inputs: _Inputs, sales: list[ShareSale], terms) -> reg.HeldSharesValue:
    """RRA 2(b)(iii) Held Shares Value at a Restricted Sale Date. Sales made
    before it are matched to the investor's conversions first-in-first-out;
    those that used up conversions before the 30-day window do not reduce
    the window's shares (docs/interpretations.md, "Held Shares Value")."""
    if not inputs.lines:  # totals only (``damages_overview(lines=False)``): nothing sold from the window
        totals = inputs.totals.get(trigger) or _Window()
        return reg.held_shares_value_all_held(restricted_sale_date=trigger, conversions=totals.conversions,
                                              shares=totals.shares, principal=totals.principal, terms=terms)
    window = inputs.window.get(trigger, [])
    return reg.held_shares_value(
        restricted_sale_date=trigger,
        conversions=[c for c in window if c.shares],
        shares_sold=_window_sold(trigger, inputs, sales),
        terms=terms,
    )


def damages_overview(
    *,
    financing: Financing,
    as_of: datetime.date,
    investor: Investor | None = None,
    investor_ids: list[int] | None = None,
    lines: bool = True,
) -> list[InvestorDamages]:
    """Periodic Amounts per investor on ``as_of`` (RRA 2(b)); a fixed number of queries.

    The financing's conversions are read set-based (issue 17): one grouped aggregate for the
    principal converted since each trigger, the shares received before each Held Shares
    window and the window's totals, and one read of the conversions inside the 30-day windows
    (four columns). Pass ``investor`` or ``investor_ids`` (a page of investors, in the order of
    ``buyers``) to compute only those.

    ``lines=False`` (the ledger's writers: ``ld_obligations_sync``, the sweep) keeps only the
    Held Shares Value's figures, which is what the ledger rows hold: a window none of whose
    shares were sold is valued from its totals (the sum of its principals), and only the
    investors who sold from a window have their window's conversions read, for the
    first-in-first-out lines. The figures are the same either way."""
    terms = registration_terms(financing=financing, day=as_of)
    statement = primary_statement(financing)
    effective = statement.effective_date if statement else None
    found = triggers(financing=financing, as_of=as_of)
    ids: list[int] | None = None
    if investor is not None:
        ids = [investor.pk]
    elif investor_ids is not None:
        ids = list(investor_ids)
    holders = buyers(financing, investor_ids=ids)  # only those asked (a page, a converting holder)
    if ids is not None:
        at = {pk: n for n, pk in enumerate(ids)}  # in the order asked (a page comes in the order of ``buyers``)
        holders.sort(key=lambda h: at[h[0].pk])
        ids = [h[0].pk for h in holders]
    # RRA 2(b)(iii): the unconverted principal and the Held Shares Value count only after the Effective Date
    post = sorted({t.trigger_date for t in found if effective and t.trigger_date > effective})
    held = sorted({t.trigger_date for t in found
                   if t.lateness == Lateness.RESTRICTED_SALE_DATE and effective and t.trigger_date > effective})
    lookback = terms.held_shares_lookback_days
    inputs = _conversion_inputs(financing=financing, ids=ids, post=post, held=held, lookback=lookback,
                                lines=lines) if holders else {}
    sales_by, paid_by = defaultdict(list), {}
    sales = ShareSale.objects.filter(financing=financing)
    payments = PeriodicAmountPayment.objects.filter(financing=financing)
    if ids is not None:
        sales, payments = sales.filter(investor_id__in=ids), payments.filter(investor_id__in=ids)
    if holders:
        for s in sales.order_by("sale_date", "id"):
            sales_by[s.investor_id].append(s)
        if found:
            for p in payments:
                paid_by[(p.investor_id, p.lateness, p.trigger_date, p.computation_date)] = p
    if held and not lines:  # FIFO lines only where shares were sold from a window (or a principal is odd)
        sold_from = sorted(i for i, mine in inputs.items() if not all(_all_held(t, mine, sales_by[i]) for t in held))
        if sold_from:
            _window_lines(_live_conversions(financing), held=held, by=inputs, ids=sold_from,
                          firsts=[t - datetime.timedelta(days=lookback) for t in held])
    # RRA 2(b)(vi)(i), RRA 9: excused delays; RRA 2(b)(vi)(ii): Rule 144 dates (one query each)
    delays = list(ExcusedDelay.objects.filter(financing=financing, withdrawn_at__isnull=True).order_by("first_day", "id"))
    free_from = rule_144_dates(financing=financing, investor_ids=[h[0].pk for h in holders]) if holders else {}
    result = []
    for inv, _lp, outstanding, price in holders:
        mine = inputs.get(inv.pk) or _Inputs(lines=lines)
        excused = [e for e in delays if e.investor_id in (None, inv.pk)]
        spans = [(e.first_day, e.last_day) for e in excused]
        schedules = []
        for t in found:
            try:
                unconverted = outstanding + mine.converted_since.get(t.trigger_date, ZERO)
                held_value = None
                if t.lateness == Lateness.RESTRICTED_SALE_DATE and effective and t.trigger_date > effective:
                    held_value = _held_shares(t.trigger_date, mine, sales_by[inv.pk], terms)
                base = reg.periodic_base(
                    purchase_price=price,
                    trigger_date=t.trigger_date,
                    effective_date=effective,
                    unconverted_principal=unconverted,
                    held_shares=held_value,
                )
                amounts = reg.periodic_amounts(
                    kind=_ENGINE_KIND[t.lateness],
                    trigger_date=t.trigger_date,
                    base=base.amount,
                    cured_on=t.cured_on,
                    as_of=as_of,
                    rule_144_from=free_from.get(inv.pk),
                    # RRA 2(b)(vi)(i) and RRA 9 excuse a delay "in the effectiveness" (or filing), not a
                    # restriction of sales under an effective statement (docs/interpretations.md)
                    excused=spans if t.lateness == Lateness.REQUIRED_EFFECTIVE_DATE else (),
                    terms=terms,
                )
            except TermsError as err:
                schedules.append(Schedule(t, None, None, error=str(err)))
                continue
            rows = [Row(line, paid_by.get((inv.pk, t.lateness, t.trigger_date, line.computation_date))) for line in amounts.lines]
            schedules.append(Schedule(t, base, amounts, rows))
        result.append(InvestorDamages(inv, price, schedules, sales_by[inv.pk], excused, free_from.get(inv.pk)))
    return result


def rule_144_dates(*, financing: Financing, investor_ids) -> dict[int, datetime.date]:
    """RRA 2(b)(vi)(ii) per holder: the first day ALL of an investor's Registrable Securities may be
    sold under Rule 144 without limits -- the latest ``PreferredHolding.rule_144_from`` of its
    holdings in the financing, and only when every holding has one (one query)."""
    dates: dict[int, list] = defaultdict(list)
    for investor_id, day in PreferredHolding.objects.filter(financing=financing, investor_id__in=list(investor_ids)).values_list(
        "investor_id", "rule_144_from"
    ):
        dates[investor_id].append(day)
    return {i: max(days) for i, days in dates.items() if days and all(days)}


def _excused_paid_conflict(*, financing: Financing, investor: Investor | None, first_day, last_day, as_of) -> str:
    """A paid Periodic Amount whose days the new span would excuse: money records are corrected by a
    new entry (a refund), never by shrinking a paid amount, so the span is refused."""
    for d in damages_overview(financing=financing, as_of=as_of, investor=investor, lines=False):
        for s in d.schedules:
            if s.trigger.lateness != Lateness.REQUIRED_EFFECTIVE_DATE:
                continue
            for r in s.rows:
                if r.paid and r.line.first_day <= last_day and first_day <= r.line.computation_date:
                    return (
                        f"the Periodic Amount of ${r.line.amount:,.2f} to {d.investor} for "
                        f"{r.line.first_day.isoformat()}..{r.line.computation_date.isoformat()} was paid on "
                        f"{r.payment.paid_date.isoformat()}"
                    )
    return ""


@transaction.atomic
def excused_delay_record(
    *,
    financing: Financing,
    cause: str,
    first_day: datetime.date,
    last_day: datetime.date,
    reason: str,
    user,
    as_of: datetime.date,
    investor: Investor | None = None,
    transfer: Transfer | None = None,
) -> ExcusedDelay:
    """Record days of a delay in effectiveness on which no Periodic Amount is payable: RRA 2(b)(vi)(i)
    (caused by the Initial Investor or its counsel: that investor's amounts) or RRA 9 (resulting from
    an assignment of the registration rights: every investor's amounts). The reason is kept; the
    Periodic Amount obligations are recomputed. Refused, writing nothing, when the span is backwards,
    begins after the business date, names no investor for (i), names a transfer of another financing,
    or would excuse days of a Periodic Amount already paid."""
    Financing.objects.select_for_update().get(pk=financing.pk)
    Cause = ExcusedDelay.Cause
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if cause not in Cause.values:
        errors["cause"] = f"Unknown cause {cause!r}: RRA 2(b)(vi)(i) (Initial Investor) or RRA 9 (assignment)."
    if not reason:
        errors["reason"] = "Say what the delay was and who caused it (RRA 2(b)(vi)(i) / RRA 9); the reason is kept."
    if last_day < first_day:
        errors["last_day"] = f"The delay ends ({last_day.isoformat()}) before it begins ({first_day.isoformat()})."
    if first_day > as_of:
        errors["first_day"] = (
            f"The delay begins {first_day.isoformat()}, after the business date {as_of.isoformat()}: record it once it happens."
        )
    if cause == Cause.INITIAL_INVESTOR and investor is None:
        errors["investor"] = "RRA 2(b)(vi)(i) excuses the amounts of the Initial Investor whose act or failure caused the delay: name it."
    if cause == Cause.INITIAL_INVESTOR and transfer is not None:
        errors["transfer"] = "A transfer is named only for an RRA 9 assignment."
    if transfer is not None and transfer.financing_id != financing.pk:
        errors["transfer"] = f"Transfer #{transfer.pk} belongs to another financing."
    if errors:
        raise ValidationError(errors)
    conflict = _excused_paid_conflict(
        financing=financing, investor=investor if cause == Cause.INITIAL_INVESTOR else None,
        first_day=first_day, last_day=last_day, as_of=as_of,
    )
    if conflict:
        raise ValidationError(
            f"Not recorded: {conflict}; a paid amount is corrected by a refund entry in the ledger, not by excusing its "
            "days afterwards (RRA 2(b)(vi))."
        )
    delay = ExcusedDelay.objects.create(
        financing=financing, investor=investor if cause == Cause.INITIAL_INVESTOR else None, cause=cause,
        transfer=transfer, first_day=first_day, last_day=last_day, reason=reason, created_by=user,
    )
    ld_obligations_sync(financing=financing, as_of=as_of)
    return delay


@transaction.atomic
def excused_delay_withdraw(*, delay: ExcusedDelay, reason: str, user, as_of: datetime.date) -> ExcusedDelay:
    """Withdraw a mistaken excused delay (kept, with who, when and why); the amounts are recomputed."""
    from django.utils import timezone

    delay = ExcusedDelay.objects.select_for_update().get(pk=delay.pk)
    reason = (reason or "").strip()
    if delay.withdrawn_at is not None:
        raise ValidationError(f"This excused delay was already withdrawn on {delay.withdrawn_at:%Y-%m-%d}.")
    if not reason:
        raise ValidationError({"reason": "Say why the excused delay is withdrawn; the reason is kept."})
    delay.withdrawn_at, delay.withdrawn_by, delay.withdrawn_reason = timezone.now(), user, reason
    delay.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason", "updated_at"])
    ld_obligations_sync(financing=delay.financing, as_of=as_of)
    return delay


def periodic_amount_key(investor_id: int, lateness: str, trigger: datetime.date, cd: datetime.date) -> str:
    code = "R" if lateness == Lateness.REQUIRED_EFFECTIVE_DATE else "S"
    return f"{investor_id}:{code}:{trigger:%Y%m%d}:{cd:%Y%m%d}"


def ld_obligations_sync(*, financing: Financing, as_of: datetime.date, user=None, investor_ids: list[int] | None = None) -> int:
    """Write one PERIODIC_AMOUNT obligation per investor and Computation Date
    reached (RRA 2(b)(iii)-(iv)), idempotently; returns the rows written.
    ``investor_ids``: only these holders' rows (``ld_holder_sync``)."""
    rows = [
        build.periodic_amount(
            financing_id=financing.pk, investor_id=d.investor.pk, line=r.line, base=s.base,
            label=s.trigger.label,
            period_key=periodic_amount_key(d.investor.pk, s.trigger.lateness, s.trigger.trigger_date, r.line.computation_date),
        )
        for d in damages_overview(financing=financing, as_of=as_of, investor_ids=investor_ids, lines=False)
        for s in d.schedules for r in s.rows
    ]
    # only the rows that moved travel to the upsert (after a conversion: the holder's few)
    ledger_put(source=financing, rows=rows_that_change(ContentType.objects.get_for_model(financing).pk, rows), as_of=as_of,
               user=user)
    return len(rows)


def ld_others_current(*, financing: Financing, as_of: datetime.date, investor_id: int) -> bool:
    """Whether every holder's Periodic Amount rows but ``investor_id``'s are known to be what a
    full ``ld_obligations_sync`` on ``as_of`` would write: the sweep for ``as_of`` succeeded with
    its Periodic Amounts rule, which noted nothing it could not compute (it writes the same rows
    under the same keys), and nothing any
    other holder's figures read has moved since it started -- the financing, its terms, its
    holdings, statement, amendments, suspensions, share sales, payments and excused delays
    (their workflows resync the whole financing; an edit elsewhere, e.g. a transfer or an
    admin edit, shows here as a later ``updated_at``). Conversions are not looked at: each
    one resyncs its own holder (``ld_holder_sync``). One query for the run, one for the rest."""
    from django.db.models import Exists

    from deals.models import (
        DealTermsVersion,
        RegistrationAmendment,
        RegistrationStatement,
        SuspensionPeriod,
        SweepRun,
    )

    run = (SweepRun.objects.filter(as_of=as_of, status=SweepRun.Status.SUCCEEDED).order_by("-started_at")
           .values_list("started_at", "stats").first())
    if run is None:
        return False
    since, stats = run
    rule = ((stats or {}).get("rules") or {}).get("periodic_amounts")
    if not rule or "error" in rule or rule.get("notes"):  # a financing or schedule it could not compute
        return False
    f = financing.pk
    moved = {
        "financing": Financing.objects.filter(pk=f, updated_at__gt=since),
        "terms": DealTermsVersion.objects.filter(financing_id=f, created_at__gt=since),
        "holdings": PreferredHolding.objects.filter(financing_id=f, updated_at__gt=since).exclude(investor_id=investor_id),
        "statements": RegistrationStatement.objects.filter(financing_id=f, updated_at__gt=since),
        "amendments": RegistrationAmendment.objects.filter(statement__financing_id=f, updated_at__gt=since),
        "suspensions": SuspensionPeriod.objects.filter(statement__financing_id=f, updated_at__gt=since),
        "sales": ShareSale.objects.filter(financing_id=f, updated_at__gt=since),
        "payments": PeriodicAmountPayment.objects.filter(financing_id=f, updated_at__gt=since),
        "delays": ExcusedDelay.objects.filter(financing_id=f, updated_at__gt=since),
    }
    flags = Financing.objects.filter(pk=f).annotate(**{k: Exists(q) for k, q in moved.items()}).values(*moved).first()
    return flags is not None and not any(flags.values())


def ld_holder_sync(*, financing: Financing, investor_id: int, as_of: datetime.date, user=None) -> int:
    """The Periodic Amounts after a change to one holder's own inputs (a conversion of its Series J,
    or its undoing: RRA 2(b)(iii) unconverted principal and Held Shares Value): only that holder's
    rows when every other holder's are known current (``ld_others_current``) -- then the rows
    written are those of a full sync, which would find nothing to change for the others -- else
    the full ``ld_obligations_sync``. Returns the rows written."""
    if ld_others_current(financing=financing, as_of=as_of, investor_id=investor_id):
        return ld_obligations_sync(financing=financing, as_of=as_of, user=user, investor_ids=[investor_id])
    return ld_obligations_sync(financing=financing, as_of=as_of, user=user)


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
):
    """Record payment in full of one Periodic Amount (RRA 2(b)(iv)) as computed on ``as_of``.

    The payment is a settlement of the Periodic Amount's ledger row, submitted like a payment on
    the obligation page (``deals.services.approvals.settlement_submit``, issue 12): at or under
    ``APPROVAL_PAYMENT_THRESHOLD`` it is recorded at once through ``settlement_record`` (deal
    admins only, amount and date checks, history) and the damages schedule's
    ``PeriodicAmountPayment`` follows from it (``periodic_amount_settled``), which is returned;
    above it, the pending ``Approval`` is returned and nothing is paid until a second deal admin
    approves. A second request while one is pending is refused naming it."""
    from deals.models import Approval, ApprovalStatus
    from deals.services.approvals import settlement_submit
    from deals.services.conversions import WorkflowError
    from nhtc.formatting import money

    Investor.objects.select_for_update().get(pk=investor.pk)
    damages = damages_overview(financing=financing, as_of=as_of, investor=investor, lines=False)
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
                pending = Approval.objects.filter(obligation=row, status=ApprovalStatus.PENDING).order_by("pk").first()
                if pending is not None:
                    raise ValidationError(
                        f"The Periodic Amount for {computation_date.isoformat()} is already pending approval "
                        f"#{pending.pk} ({money(pending.amount)}); a second deal admin approves or rejects it.")
                balance = (row.amount or ZERO) - row.settled
                try:
                    result = settlement_submit(obligation_id=row.pk, kind="payment", date=paid_date, amount=balance,
                                               method="wire", reference=reference, by=user)
                except WorkflowError as err:
                    raise ValidationError(err.message)
                if isinstance(result, Approval):
                    return result
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
