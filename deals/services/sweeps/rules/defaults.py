"""Events of Default cure periods (Debenture 10) and the cap: Meeting Date, Cap Limitation
Redemption, Mandatory Purchase (SPA 4(d)(ii), 4(i), 5(f))."""

from __future__ import annotations

from decimal import Decimal

from deals.models import CapRemedy, Conversion, ConversionStatus, EventOfDefault, Issuer, Obligation
from deals.selectors.terms import TermsUnavailable
from deals.services.ledger import rows as build
from deals.services.ledger.sync import default_row, issuances_through, meeting_row, meeting_spa_financing
from deals.services.sweeps.context import OPEN, Context, K, RuleStats, _write
from deals.terms.cap import cap_redemption_due_date
from deals.terms.delivery import mandatory_purchase_amount

# --- rule 9: Events of Default cure periods (Debenture 10) -------------------------------------


def rule_defaults(ctx: Context) -> RuleStats:
    """Debenture 10: the last day a cure still prevents an Event of Default
    (``events.cure_deadline`` from the event's recorded facts, terms in force on the day it
    occurred -- the same builder as the defaults workflow). Uncured after it, the row stays
    open: the Event of Default exists."""
    stats = RuleStats()
    rows = []
    for e in EventOfDefault.objects.select_related("debenture").order_by("pk"):
        try:
            terms = ctx.terms_in_force(financing=e.financing_id, day=e.occurred_date)
        except TermsUnavailable as err:
            stats.notes.append(str(err))
            continue
        row = default_row(e, terms=terms, as_of=ctx.as_of)
        if row is not None:
            rows.append(row)
    _write(ctx, stats, {ctx.ct(EventOfDefault): rows})
    return stats


# --- rule 10: cap -- Meeting Date, Cap Limitation Redemption Amount, Mandatory Purchase --------


def rule_cap(ctx: Context) -> RuleStats:
    """SPA 4(d)(ii): the Meeting Date (earlier of 75 days after issuances reach 10% of the
    shares outstanding at signing and the next stockholders' meeting); SPA 4(i)(y): the Cap
    Limitation Redemption Amount within 30 days of the Redemption Date; SPA 5(f): the
    Mandatory Purchase Amount within 5 business days of the holder's notice (the row holds
    the amount if paid on the due date; dividends accrue through payment in the selector)."""
    stats = RuleStats()
    as_of = ctx.as_of
    issuances = issuances_through(as_of)
    issuer_rows = []
    for issuer in Issuer.objects.order_by("pk"):
        spa = meeting_spa_financing(issuer.pk)
        if spa is None:  # SPA 4(d)(ii) is a covenant of the Series J purchase
            continue
        try:
            terms = ctx.terms_in_force(financing=spa, day=as_of)
        except TermsUnavailable as err:
            stats.notes.append(str(err))
            continue
        row = meeting_row(issuer, terms=terms, issuances=issuances, as_of=as_of)
        if row is not None:
            issuer_rows.append(row)
    cap_rows = []
    for rem in CapRemedy.objects.filter(remedy=CapRemedy.Remedy.Y_REDEMPTION).select_related("conversion").order_by("pk"):
        cap_rows.append(build.cap_redemption(
            remedy_id=rem.pk, investor_id=rem.conversion.investor_id,
            due=rem.due_date or cap_redemption_due_date(rem.chosen_date, ctx.terms(rem.conversion.terms_version_id)),
            amount=rem.amount, unconverted_shares=rem.unconverted_shares, snapshot=rem.snapshot,
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
        mp = mandatory_purchase_amount(terms=ctx.terms(tv), unconverted_liquidation_preference=unconverted, issue_date=closing,
                                       notice_date=notice)
        mp_rows.append(build.mandatory_purchase(conversion_id=pk, investor_id=inv, mp=mp, terms_version_id=tv, issue_date=closing))
    _write(ctx, stats, {ctx.ct(Issuer): issuer_rows, ctx.ct(CapRemedy): cap_rows, ct_c: mp_rows})
    return stats


