"""Events of Default cure periods (Debenture 10) and the cap: Meeting Date, Cap Limitation
Redemption, Mandatory Purchase (SPA 4(d)(ii), 4(i), 5(f))."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from deals.models import CapRemedy, Conversion, ConversionStatus, EventOfDefault, Financing, Issuer, Obligation, WarrantExercise
from deals.selectors.terms import TermsUnavailable
from deals.services.ledger.writer import Row
from deals.services.sweeps.context import OPEN, SATISFIED, VOID, WAIVED, Context, K, RuleStats, _milestone, _money, _write
from deals.terms import events as ev
from deals.terms.cap import cap_redemption_due_date, meeting_date
from deals.terms.delivery import mandatory_purchase_amount, mandatory_purchase_due_date
from deals.terms.errors import TermsError

# --- rule 9: Events of Default cure periods (Debenture 10) -------------------------------------


def rule_defaults(ctx: Context) -> RuleStats:
    """Debenture 10: the last day a cure still prevents an Event of Default
    (``events.cure_deadline``; the recorded ``cure_deadline`` wins, it may reflect a
    proposed sale date). Uncured after it, the row stays open: the Event of Default exists."""
    stats = RuleStats()
    as_of = ctx.as_of
    rows = []
    for e in EventOfDefault.objects.select_related("debenture").order_by("pk"):
        cure_by = e.cure_deadline
        if cure_by is None:
            try:
                terms = ctx.terms_in_force(financing=e.financing_id, day=e.occurred_date)
                cure_by = ev.cure_deadline(ev.EventOfDefault(e.kind), occurred_on=e.occurred_date, notice_on=e.written_notice_date,
                                           terms=terms).cure_by
            except TermsUnavailable as err:
                stats.notes.append(str(err))
                cure_by = None
            except (ValueError, TermsError):
                cure_by = None
        if cure_by is None:
            continue
        S = EventOfDefault.Status
        if e.status == S.CURED:
            st, sat, text = SATISFIED, e.cured_date, "cured"
        elif e.status == S.WAIVED:
            st, sat, text = WAIVED, e.waived_date, f"waived in writing by {e.waived_by}"
        elif e.status == S.ACCELERATED:
            st, sat, text = VOID, e.accelerated_date, "accelerated"
        elif as_of > cure_by:
            st, sat, text = OPEN, None, f"uncured after {cure_by.isoformat()}: an Event of Default"
        else:
            st, sat, text = OPEN, None, f"cure period runs through {cure_by.isoformat()}"
        rows.append(Row(K.CURE_PERIOD, f"Debenture 10({e.kind})" if len(e.kind) == 1 else "Debenture 10", e.pk, cure_by,
                        investor_id=e.debenture.investor_id if e.debenture_id else None, status=st, satisfied_date=sat,
                        description=f"Event of Default 10({e.kind}) of {e.occurred_date.isoformat()}: {text}"))
    _write(ctx, stats, {ctx.ct(EventOfDefault): rows})
    return stats


# --- rule 10: cap -- Meeting Date, Cap Limitation Redemption Amount, Mandatory Purchase --------


def rule_cap(ctx: Context) -> RuleStats:
    """SPA 4(d)(ii): the Meeting Date (earlier of 75 days after issuances reach 10% of the
    shares outstanding at signing and the next stockholders' meeting); SPA 4(i)(y): the Cap
    Limitation Redemption Amount within 30 days of the Redemption Date; SPA 5(f): the
    Mandatory Purchase Amount within 5 business days of the holder's notice, with
    dividends accruing through payment (so it grows after the due date)."""
    stats = RuleStats()
    as_of = ctx.as_of
    issuances = [
        (d, int(n or 0))
        for d, n in Conversion.objects.filter(status__in=[ConversionStatus.PENDING_DELIVERY, ConversionStatus.DELIVERED])
        .values("conversion_date").annotate(n=Sum("shares_issuable")).values_list("conversion_date", "n")
    ] + [
        (d, int(n or 0))
        for d, n in WarrantExercise.objects.values("exercise_date").annotate(n=Sum("shares")).values_list("exercise_date", "n")
    ]
    issuer_rows = []
    for issuer in Issuer.objects.order_by("pk"):
        spa = Financing.objects.filter(issuer=issuer, kind=Financing.Kind.SERIES_J).order_by("pk").values_list("pk", flat=True).first()
        if spa is None:  # SPA 4(d)(ii) is a covenant of the Series J purchase
            continue
        try:
            terms = ctx.terms_in_force(financing=spa, day=as_of)
        except TermsUnavailable as err:
            stats.notes.append(str(err))
            continue
        md = meeting_date(terms=terms, issuances=[i for i in issuances if i[0] <= as_of],
                          next_stockholders_meeting=issuer.next_stockholders_meeting,
                          shares_outstanding_at_signing=issuer.shares_outstanding_at_signing)
        if md.meeting_date is None:
            continue
        st, sat = _milestone(md.meeting_date, as_of)
        why = "75 days after issuances reached 10%" if md.basis == "x" else "next stockholders' meeting"
        issuer_rows.append(Row(K.MEETING_DATE, "SPA 4(d)(ii)", issuer.pk, md.meeting_date, status=st, satisfied_date=sat,
                               description=f"Meeting Date ({why}): stockholder approval for issuances beyond the 20% cap",
                               details=md.as_dict()))
    cap_rows = []
    for rem in CapRemedy.objects.filter(remedy=CapRemedy.Remedy.Y_REDEMPTION).select_related("conversion").order_by("pk"):
        due = rem.due_date or cap_redemption_due_date(rem.chosen_date, ctx.terms(rem.conversion.terms_version_id))
        cap_rows.append(Row(
            K.CAP_REDEMPTION, "SPA 4(i)(y)", rem.pk, due, investor_id=rem.conversion.investor_id, amount=rem.amount,
            description=f"Cap Limitation Redemption Amount for {rem.unconverted_shares} Unconverted Share(s); M is final at payment",
            details={k: v for k, v in (rem.snapshot or {}).items() if k != "conversion_price"},
        ))
    # SPA 5(f): recompute dividends through payment for open Mandatory Purchase Amounts
    ct_c = ctx.ct(Conversion)
    open_mp = dict(
        Obligation.objects.filter(content_type_id=ct_c, kind=K.MANDATORY_PURCHASE, status=OPEN).values_list("object_id", "details")
    )
    mp_rows = []
    for pk, inv, tv, notice, closing in Conversion.objects.filter(pk__in=list(open_mp), status=ConversionStatus.DISHONOURED).values_list(
        "pk", "investor_id", "terms_version_id", "dishonoured_date", "preferred__closing_date"
    ):
        details = open_mp[pk] or {}
        try:
            unconverted = Decimal(details["unconverted_liquidation_preference"])
        except (KeyError, TypeError, ArithmeticError):
            continue
        t = ctx.terms(tv)
        due = mandatory_purchase_due_date(notice, t)
        mp = mandatory_purchase_amount(terms=t, unconverted_liquidation_preference=unconverted, issue_date=closing,
                                       notice_date=notice, payment_date=max(due, as_of))
        mp_rows.append(Row(
            K.MANDATORY_PURCHASE, "SPA 5(f)", pk, due, investor_id=inv, amount=mp.amount,
            description=f"Mandatory Purchase Amount: {mp.premium_pct}% of {_money(unconverted)} + dividends",
            details=mp.as_dict(),
        ))
    _write(ctx, stats, {ctx.ct(Issuer): issuer_rows, ctx.ct(CapRemedy): cap_rows, ct_c: mp_rows})
    return stats


