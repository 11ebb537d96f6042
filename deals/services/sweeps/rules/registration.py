"""Registration rules: Periodic Amounts (RRA 2(b)), Increased Registered Shares Date (RRA 2(a)(ii)), suspensions (RRA 3(h))."""

from __future__ import annotations

import datetime
import logging

from deals.models import Financing, Obligation, RegistrationAmendment, RegistrationStatement, SuspensionPeriod
from deals.selectors.terms import TermsUnavailable
from deals.services.ledger import rows as build
from deals.services.ledger.sync import UNRECORDED_INCREASE_GONE, detect_increase, unrecorded_increase_row
from deals.services.ledger.writer import Row, rows_that_change, rows_void_missing
from deals.services.sweeps.context import (
    OPEN,
    Context,
    K,
    RuleStats,
    _effective,
    _registrations,
    _restricted_spans,
    _write,
)
from deals.terms import calendars
from deals.terms import registration as reg

log = logging.getLogger(__name__)

# --- rule 3: Periodic Amounts (RRA 2(b)) ------------------------------------------------------


def rule_periodic_amounts(ctx: Context) -> RuleStats:
    """RRA 2(b)(i)-(iv), (vii): the Required Effective Date (90 days after the Initial
    Closing Date; RRA 2(b)(i)(B)-(C) for amendments) passed without effectiveness, or a
    Restricted Sale Date (a restriction outside a Permitted Suspension Period, RRA 3(h)):
    2% of the base per 30 days, prorated daily, determined at each Computation Date and
    payable monthly.

    The figures are the liquidated-damages workflow's (``company.liquidated_damages.
    damages_overview``, which calls ``registration.periodic_amounts``), written under the
    same keys as its ``ld_obligations_sync`` (source: the financing; one row per investor,
    lateness and Computation Date), so the ledger holds each Periodic Amount once and a
    payment recorded there closes the row the sweep keeps. The sweep adds the part
    accruing towards the next Computation Date. The overview (it reads the financing's
    conversions) runs only for a financing with a lateness; a handful of queries."""
    from deals.services.company.liquidated_damages import Lateness, damages_overview, periodic_amount_key, triggers

    stats = RuleStats()
    as_of = ctx.as_of
    regs = _registrations()
    rows: list[Row] = []
    fin_rows: list[Row] = []
    st_rows: list[Row] = []
    complete: list[int] = []  # financings whose schedules all computed (stale rows may be voided)
    for r in regs:
        f = r.financing
        try:
            terms = ctx.terms_in_force(financing=f.pk, day=f.initial_closing_date)
        except TermsUnavailable as err:
            stats.notes.append(str(err))
            continue
        red = reg.anticipated_initial_effective_date(f.initial_closing_date, terms)
        effective = _effective(r.statement.effective_date if r.statement else None, as_of)
        # the deadline itself (the registration workflow writes the same row on the statement)
        (st_rows if r.statement else fin_rows).append(build.initial_required_effective(
            object_id=(r.statement or f).pk, due=red, days=terms.required_effective_days, effective_on=effective,
        ))
        if not triggers(financing=f, as_of=as_of):
            complete.append(f.pk)
            continue
        ok = True
        for d in damages_overview(financing=f, as_of=as_of, lines=False):
            for sch in d.schedules:
                t = sch.trigger
                if sch.amounts is None:
                    ok = False
                    stats.notes.append(f"{d.investor}: {t.label}: {sch.error}")
                    continue
                base = sch.base  # the builder keeps its figures (rows.periodic_amount)
                for line in sch.amounts.lines:
                    rows.append(build.periodic_amount(
                        financing_id=f.pk, investor_id=d.investor.pk, line=line, base=base, label=t.label,
                        period_key=periodic_amount_key(d.investor.pk, t.lateness, t.trigger_date, line.computation_date),
                    ))
                a = sch.amounts.accruing
                if a is not None:
                    next_cd = a.first_day + datetime.timedelta(days=terms.periodic_period_days - 1)
                    rows.append(build.periodic_amount(
                        financing_id=f.pk, investor_id=d.investor.pk, line=a, base=base, label=t.label, accruing=True,
                        period_key=periodic_amount_key(d.investor.pk, t.lateness, t.trigger_date, next_cd),
                        due=reg.periodic_amount_due_date(next_cd), next_cd=next_cd,
                        excused=[(e.first_day, e.last_day) for e in d.excused]
                        if t.lateness == Lateness.REQUIRED_EFFECTIVE_DATE else [],
                    ))
        if ok:
            complete.append(f.pk)
    ct_f = ctx.ct(Financing)
    # only what moved travels to the upsert (a quiet day: nothing); the rest is counted as seen
    moved = rows_that_change(ct_f, rows + fin_rows)
    _write(ctx, stats, {ct_f: moved, ctx.ct(RegistrationStatement): st_rows})
    stats.rows += len(rows) + len(fin_rows) - len(moved)
    keep = {(row.kind, row.object_id, row.period_key) for row in rows + fin_rows}
    stats.voided += rows_void_missing(
        ct_f, [K.PERIODIC_AMOUNT, K.REQUIRED_EFFECTIVE], complete, keep, ctx,
        "No longer payable as computed: a Computation Date moved (effectiveness or end of restriction recorded), "
        "or the deadline is tracked on the registration statement",
    )
    return stats


# --- rule 4: Increased Registered Shares Date (RRA 2(a)(ii)) --------------------------------


def rule_increased_shares(ctx: Context) -> RuleStats:
    """RRA 2(a)(ii), 2(b)(i)(B)-(C): for each recorded Increased Registered Shares Date,
    the amendment due within 10 business days (statement not yet effective) and the new
    Required Effective Date; and, when registrable shares now exceed the shares registered
    with no Increased Registered Shares Date recorded, a flag on the statement (the date
    the sweep first saw it counts as the Increased Registered Shares Date)."""
    stats = RuleStats()
    as_of = ctx.as_of
    regs = _registrations()
    amend_rows: list[Row] = []
    flag_rows: list[Row] = []
    for r in regs:
        f = r.financing
        try:
            terms = ctx.terms_in_force(financing=f.pk, day=f.initial_closing_date)
        except TermsUnavailable as err:
            stats.notes.append(str(err))
            continue
        effective = r.statement.effective_date if r.statement else None
        for a in r.amendments:
            irsd = a.increased_registered_shares_date
            if not irsd:
                continue
            snap = getattr(a, "snapshot", None) or {}
            route = reg.IncreaseRoute.ADDITIONAL_STATEMENT if (effective and effective <= irsd) else reg.IncreaseRoute.AMEND
            due, working = reg.anticipated_subsequent_effective_date(
                increased_registered_shares_date=irsd, initial_closing_date=f.initial_closing_date, route=route, terms=terms
            )
            if route is reg.IncreaseRoute.AMEND:
                amend_due = calendars.add_business_days(irsd, terms.amendment_business_days)
                filed = _effective(a.filed_date, as_of)
                amend_rows.append(build.amendment_due(
                    object_id=a.pk, due=amend_due, clause="RRA 2(a)(ii)(A)", filed_on=filed,
                    description=(
                        f"Amend the statement to register {snap['increased_shares_amount']:,} shares"
                        if "increased_shares_amount" in snap
                        else f"Amend the statement within {terms.amendment_business_days} business days of {irsd.isoformat()}"
                    ),
                    details=snap,
                ))
            a_eff = _effective(a.effective_date, as_of)
            amend_rows.append(build.required_effective(
                object_id=a.pk, due=due, clause="RRA 2(b)(i)(B)" if route is reg.IncreaseRoute.AMEND else "RRA 2(b)(i)(C)",
                effective_on=a_eff, description=snap.get("required_effective_date_working", working), details=snap,
            ))
        # a new Increased Registered Shares Date not yet recorded by the company
        if r.statement is not None:
            pending = [a for a in r.amendments if a.increased_registered_shares_date and not _effective(a.effective_date, as_of)]
            flag = detect_increase(f, as_of) if not pending else None
            if flag is not None:
                flag_rows.append(unrecorded_increase_row(statement_id=r.statement.pk, terms=terms, registrable=flag[0],
                                                         registered=flag[1], as_of=as_of))
    _write(ctx, stats, {ctx.ct(RegistrationAmendment): amend_rows})
    # the flag keeps the date it was first seen: only create it, never move it
    ct_s = ctx.ct(RegistrationStatement)
    seen = set(Obligation.objects.filter(
        content_type_id=ct_s, kind=K.AMENDMENT_DUE, period_key="unrecorded", status=OPEN
    ).values_list("object_id", flat=True))
    _write(ctx, stats, {ct_s: [row for row in flag_rows if row.object_id not in seen]})
    keep = {(row.kind, row.object_id, row.period_key) for row in flag_rows}
    stats.voided += rows_void_missing(
        ct_s, [K.AMENDMENT_DUE], [r.statement.pk for r in regs if r.statement], keep, ctx,
        UNRECORDED_INCREASE_GONE,
    )
    return stats


# --- rule 5: suspensions outside a Permitted Suspension Period (RRA 3(h)) -----------------


def rule_suspensions(ctx: Context) -> RuleStats:
    """RRA 3(h), 2(b)(ii): each suspension judged against the earlier ones of its statement
    (``suspensions.judge_suspension``); every run of days outside a Permitted Suspension
    Period is flagged from its first day (a Restricted Sale Date) until sales resume."""
    stats = RuleStats()
    as_of = ctx.as_of
    rows: list[Row] = []
    ids = []
    for r in _registrations():
        try:
            terms = ctx.terms_in_force(financing=r.financing.pk, day=r.financing.initial_closing_date)
        except TermsUnavailable as err:
            stats.notes.append(str(err))
            continue
        for s, verdict in _restricted_spans(r.suspensions, terms):
            ids.append(s.pk)
            for first, last in verdict.restricted_spans:
                rows.append(build.suspension_excess(suspension_id=s.pk, first=first, last=last, breaches=verdict.breaches,
                                                    as_of=as_of))
    ct = ctx.ct(SuspensionPeriod)
    _write(ctx, stats, {ct: rows})
    keep = {(row.kind, row.object_id, row.period_key) for row in rows}
    stats.voided += rows_void_missing(ct, [K.SUSPENSION_EXCESS], ids, keep, ctx, "The suspension no longer breaks RRA 3(h) on these days")
    return stats


