"""Warrants (SPA 4(h)) and Debentures: maturity and redemption payments (Debenture 4(B))."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Max, OuterRef, Q

from deals.models import DealTermsVersion, Debenture, InstrumentStatus, ObligationKind, Redemption, RedemptionStatus, Warrant
from deals.selectors.terms import TermsUnavailable
from deals.services.ledger import rows as build
from deals.services.ledger.sync import maturity_row, redemption_rows
from deals.services.ledger.writer import history_record
from deals.services.sweeps.context import CLOSED_LOOKBACK, Context, RuleStats, _write, read_needed, row_of

K = ObligationKind

# --- rule 7: warrants (SPA 4(h)) -------------------------------------------------------------


def rule_warrants(ctx: Context) -> RuleStats:
    """SPA 4(h): a Warrant may be exercised through the last day of the month of the 5th
    anniversary of the Closing and is expired after it (``warrants.is_expired``). The
    ledger row warns 30 and 7 days ahead; the sweep marks expired warrants as such (with
    a history row naming the sweep)."""
    stats = RuleStats()
    as_of = ctx.as_of
    # a quiet day (issue 17): a Warrant is read only if its row is missing, closed rows aside (the
    # writer leaves them alone), older than the Warrant's last change, or not what today makes it:
    # the warning the expiry date gives today (7 days, 30 days, none), or open past the expiry
    row = row_of(ctx, Warrant, K.WARRANT_EXPIRY)
    week, month = as_of + datetime.timedelta(days=7), as_of + datetime.timedelta(days=30)
    as_today = (Q(details__warning="7 days", due_date__gte=as_of, due_date__lte=week)
                | Q(details__warning="30 days", due_date__gt=week, due_date__lte=month)
                | Q(details__warning=None, due_date__gt=month))
    warrants = read_needed(Warrant.objects.all(), row, row.filter(as_today, updated_at__gte=OuterRef("updated_at")))
    rows = [
        build.warrant_expiry(warrant_id=pk, investor_id=inv, number=number, remaining=remaining, expiry=expiry,
                             exercised=status == InstrumentStatus.EXERCISED, as_of=as_of)
        for pk, inv, number, remaining, expiry, status in warrants.values_list(
            "pk", "investor_id", "number", "shares_remaining", "expiry_date", "status"
        ).order_by("pk")
    ]
    stats.read = len(rows)
    _write(ctx, stats, {ctx.ct(Warrant): rows})
    with transaction.atomic():
        expiring = list(Warrant.objects.filter(
            status=InstrumentStatus.OUTSTANDING, expiry_date__lt=as_of, shares_remaining__gt=0
        ).values_list("pk", flat=True))
        if expiring:
            stats.records_changed += Warrant.objects.filter(pk__in=expiring).update(status=InstrumentStatus.EXPIRED, updated_at=ctx.now)
            history_record(Warrant, expiring, user_id=ctx.user_id, reason=ctx.reason, now=ctx.now)
    return stats


# --- rule 8: debentures -- maturity and redemption payments (Debenture 4(B)) ------------------


def rule_debentures(ctx: Context) -> RuleStats:
    """Debenture: principal and interest due at maturity (interest keeps accruing until
    paid: ``deals.selectors.ledger``); Debenture 4(B)(ii): a redemption is payable within
    10 business days of the Notice of Redemption, and a late payment voids the notice and
    ends the right to redeem (``redemption.redemption_status``); the holder may convert
    instead for 5 business days."""
    stats = RuleStats()
    as_of = ctx.as_of
    mat_rows = []
    # a quiet day (issue 17): the maturity row does not depend on the day (principal and interest
    # to the Maturity Date), so a Debenture is read only if its row is missing, or older than the
    # Debenture's last change or than the newest terms version (versions are added, never edited:
    # a new one may govern the Maturity Date); a closed row the writer would leave alone anyway
    row = row_of(ctx, Debenture, K.MATURITY)
    current = row.filter(updated_at__gte=OuterRef("updated_at"))
    newest_terms = DealTermsVersion.objects.aggregate(t=Max("created_at"))["t"]
    if newest_terms is not None:
        current = current.filter(updated_at__gte=newest_terms)
    debentures = read_needed(Debenture.objects.all(), row, current)
    for pk, inv, number, outstanding, dated, issue, maturity, paid_through, status, fin in debentures.values_list(
        "pk", "investor_id", "number", "principal_outstanding", "dated_date", "issue_date", "maturity_date",
        "interest_paid_through", "status", "financing_id",
    ).order_by("pk"):
        stats.read += 1
        try:  # the terms of the Debenture's financing in force on the Maturity Date (as the workflow's refresh)
            version = ctx.version_on(financing=fin, day=maturity)
        except TermsUnavailable as err:
            stats.notes.append(f"Debenture {number}: {err}")
            continue
        mat_rows.append(maturity_row(debenture_id=pk, investor_id=inv, number=number, outstanding=outstanding, dated_date=dated,
                                     issued_date=issue, maturity_date=maturity, paid_through=paid_through, status=status,
                                     version=version))
    red_rows, voided = [], []
    since = as_of - CLOSED_LOOKBACK
    for (pk, inv, number, tv, notice, due, convert_until, total, paid, status) in Redemption.objects.filter(
        Q(status=RedemptionStatus.PENDING) | Q(payment_date__gte=since) | Q(notice_date__gte=since)
    ).values_list("pk", "debenture__investor_id", "debenture__number", "terms_version_id", "notice_date", "payment_due_date",
                  "convert_until", "total_amount", "payment_date", "status").order_by("pk"):
        pay, window, void = redemption_rows(
            redemption_id=pk, investor_id=inv, number=number, terms=ctx.terms(tv), notice=notice, due=due,
            convert_until=convert_until, total=total, paid=paid, status=status, as_of=as_of,
        )
        red_rows += [pay, window]
        if void:
            voided.append(pk)
    _write(ctx, stats, {ctx.ct(Debenture): mat_rows, ctx.ct(Redemption): red_rows})
    if voided:
        with transaction.atomic():
            stats.records_changed += Redemption.objects.filter(pk__in=voided, status=RedemptionStatus.PENDING).update(
                status=RedemptionStatus.VOID, updated_at=ctx.now
            )
            history_record(Redemption, voided, user_id=ctx.user_id, reason=ctx.reason, now=ctx.now)
    return stats
