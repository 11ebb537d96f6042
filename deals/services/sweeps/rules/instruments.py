"""Warrants (SPA 4(h)) and Debentures: maturity and redemption payments (Debenture 4(B))."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from deals.models import Debenture, InstrumentStatus, Redemption, RedemptionStatus, Warrant
from deals.selectors.terms import TermsUnavailable
from deals.services.ledger.writer import Row
from deals.services.sweeps.context import CLOSED_LOOKBACK, OPEN, SATISFIED, VOID, Context, K, RuleStats, _milestone, _money, _write
from deals.terms.conversion import accrued_interest
from deals.terms.redemption import redemption_due_date, redemption_status

# --- rule 7: warrants (SPA 4(h)) -------------------------------------------------------------


def rule_warrants(ctx: Context) -> RuleStats:
    """SPA 4(h): a Warrant may be exercised through the last day of the month of the 5th
    anniversary of the Closing and is expired after it (``warrants.is_expired``). The
    ledger row warns 30 and 7 days ahead; the sweep marks expired warrants as such."""
    from deals.terms.warrants import is_expired

    stats = RuleStats()
    as_of = ctx.as_of
    rows = []
    for pk, inv, number, remaining, expiry, status in Warrant.objects.values_list(
        "pk", "investor_id", "number", "shares_remaining", "expiry_date", "status"
    ).order_by("pk"):
        days_left = (expiry - as_of).days
        warning = "7 days" if 0 <= days_left <= 7 else "30 days" if 0 <= days_left <= 30 else None
        if remaining == 0 or status == InstrumentStatus.EXERCISED:
            st, sat, text = SATISFIED, None, "fully exercised"
        elif is_expired(expiry, as_of):
            st, sat, text = SATISFIED, expiry, f"expired on {expiry.isoformat()} with {remaining:,} shares unexercised"
        else:
            st, sat = OPEN, None
            text = f"{remaining:,} shares exercisable through {expiry.isoformat()}" + (f" -- expires within {warning}" if warning else "")
        rows.append(Row(K.WARRANT_EXPIRY, "SPA 4(h)", pk, expiry, investor_id=inv, status=st, satisfied_date=sat,
                        description=f"Warrant {number}: {text}", details={"warning": warning if st == OPEN else None}))
    _write(ctx, stats, {ctx.ct(Warrant): rows})
    with transaction.atomic():
        stats.records_changed += Warrant.objects.filter(
            status=InstrumentStatus.OUTSTANDING, expiry_date__lt=as_of, shares_remaining__gt=0
        ).update(status=InstrumentStatus.EXPIRED, updated_at=ctx.now)
    return stats


# --- rule 8: debentures -- maturity and redemption payments (Debenture 4(B)) ------------------


def rule_debentures(ctx: Context) -> RuleStats:
    """Debenture: principal and interest due at maturity (interest keeps accruing until
    paid); Debenture 4(B)(ii): a redemption is payable within 10 business days of the
    Notice of Redemption, and a late payment voids the notice and ends the right to redeem
    (``redemption.redemption_status``); the holder may convert instead for 5 business days."""
    stats = RuleStats()
    as_of = ctx.as_of
    mat_rows = []
    for pk, inv, number, outstanding, dated, issue, maturity, paid_through, status, fin in Debenture.objects.values_list(
        "pk", "investor_id", "number", "principal_outstanding", "dated_date", "issue_date", "maturity_date",
        "interest_paid_through", "status", "financing_id",
    ).order_by("pk"):
        if outstanding > 0 and status == InstrumentStatus.OUTSTANDING:
            try:
                terms_now = ctx.terms_in_force(financing=fin, day=as_of)
            except TermsUnavailable as err:
                stats.notes.append(f"Debenture {number}: {err}")
                continue
            interest = accrued_interest(terms=terms_now, principal=outstanding, dated_date=dated, issued_date=issue,
                                        to_date=max(maturity, as_of), paid_through=paid_through)
            mat_rows.append(Row(
                K.MATURITY, "Debenture (Maturity Date)", pk, maturity, investor_id=inv, amount=outstanding + interest.amount,
                description=(f"Debenture {number}: principal {_money(outstanding)} + interest {_money(interest.amount)} "
                             f"to {interest.end.isoformat()}" + (" (accruing until paid)" if as_of > maturity else "")),
                details=interest.as_dict(),
            ))
        else:
            mat_rows.append(Row(K.MATURITY, "Debenture (Maturity Date)", pk, maturity, investor_id=inv, status=SATISFIED,
                                description=f"Debenture {number}: {status.replace('_', ' ')}, nothing outstanding"))
    red_rows, window_rows, voided = [], [], []
    since = as_of - CLOSED_LOOKBACK
    for (pk, inv, number, tv, notice, due, convert_until, total, paid, status) in Redemption.objects.filter(
        Q(status=RedemptionStatus.PENDING) | Q(payment_date__gte=since) | Q(notice_date__gte=since)
    ).values_list("pk", "debenture__investor_id", "debenture__number", "terms_version_id", "notice_date", "payment_due_date",
                  "convert_until", "total_amount", "payment_date", "status").order_by("pk"):
        terms = ctx.terms(tv)
        due = due or redemption_due_date(notice, terms)
        rs = redemption_status(terms=terms, notice_date=notice, as_of=as_of, paid_on=paid)
        if status == RedemptionStatus.CONVERTED:
            st, sat, text = VOID, None, "the holder converted instead"
        elif paid and not rs.late:
            st, sat, text = SATISFIED, paid, rs.note
        elif rs.void:
            st, sat, text = VOID, paid or due, rs.note
            if status == RedemptionStatus.PENDING:
                voided.append(pk)
        else:
            st, sat, text = OPEN, None, rs.note
        red_rows.append(Row(K.REDEMPTION_PAYMENT, "Debenture 4(B)(ii)", pk, due, investor_id=inv, amount=total, status=st,
                            satisfied_date=sat, description=f"Redemption of Debenture {number}: {text}", details=rs.as_dict()))
        if status == RedemptionStatus.PENDING:
            wst, wsat = _milestone(convert_until, as_of)
        else:
            wst, wsat = SATISFIED, None
        window_rows.append(Row(K.REDEMPTION_CONVERT_WINDOW, "Debenture 4(B)(ii)", pk, convert_until, investor_id=inv,
                               status=wst, satisfied_date=wsat,
                               description=f"Holder of Debenture {number} may convert instead through {convert_until.isoformat()}"))
    _write(ctx, stats, {ctx.ct(Debenture): mat_rows, ctx.ct(Redemption): red_rows + window_rows})
    if voided:
        with transaction.atomic():
            stats.records_changed += Redemption.objects.filter(pk__in=voided, status=RedemptionStatus.PENDING).update(
                status=RedemptionStatus.VOID, updated_at=ctx.now
            )
    return stats


