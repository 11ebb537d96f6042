"""Right of first refusal (SPA 4(j))."""

from __future__ import annotations

import datetime

from deals.models import Financing, NewTransactionOffer, OfferResponse
from deals.selectors.terms import TermsUnavailable
from deals.services.ledger.writer import Row
from deals.services.sweeps.context import (
    OPEN,
    SATISFIED,
    VOID,
    Context,
    K,
    RuleStats,
    _effective,
    _milestone,
    _money,
    _registrations,
    _write,
)
from deals.terms import rofr
from deals.terms.params import DealTerms

# --- rule 6: right of first refusal (SPA 4(j)) ---------------------------------------------


def rule_rofr(ctx: Context) -> RuleStats:
    """SPA 4(j)(i)-(ii): each Buyer's answer is due by close of business on the 3rd business
    day after receipt (the Right of First Refusal Expiration Date); the Company may close
    the rest with a New Investor within 20 days of it; the right runs through the 240th day
    after the Effective Date (``rofr.rofr_timeline``, ``rofr.rofr_last_day``)."""
    stats = RuleStats()
    as_of = ctx.as_of
    offers = {o.pk: o for o in NewTransactionOffer.objects.all()}
    offer_terms: dict[int, DealTerms] = {}
    for offer in offers.values():
        try:  # SPA 4(j) periods of the financing the offer is made under, as of the offer
            offer_terms[offer.pk] = ctx.terms_in_force(financing=offer.financing_id, day=offer.sent_date)
        except TermsUnavailable as err:
            stats.notes.append(str(err))
    responses = list(OfferResponse.objects.all())
    resp_rows, offer_rows, fin_rows = [], [], []
    closed_offer = {NewTransactionOffer.Status.SUPERSEDED, NewTransactionOffer.Status.LAPSED}
    expiration: dict[int, datetime.date] = {}
    for resp in responses:
        offer = offers[resp.offer_id]
        if offer.pk not in offer_terms:
            continue
        terms = offer_terms[offer.pk]
        due = resp.answer_due or rofr.rofr_timeline(offer_received_on=resp.received_date, terms=terms).expiration_date
        expiration[offer.pk] = max(expiration.get(offer.pk, due), due)
        if resp.answer != OfferResponse.Answer.PENDING:
            st, sat, text = SATISFIED, resp.answered_date, f"Answered: {resp.get_answer_display().lower()}"
        elif offer.status in closed_offer:
            st, sat, text = VOID, None, f"Offer {offer.get_status_display().lower()}"
        elif as_of > due:
            st, sat, text = VOID, due, "No answer by the Right of First Refusal Expiration Date: not exercised (SPA 4(j)(ii))"
        else:
            st, sat, text = OPEN, None, f"Answer due by close of business on {due.isoformat()}"
        resp_rows.append(Row(K.ROFR_ANSWER, "SPA 4(j)(i)", resp.pk, due, investor_id=resp.investor_id, status=st, satisfied_date=sat,
                             description=f"First-refusal answer on New Transaction Offer {offer.pk}: {text}"))
    for offer in offers.values():
        if offer.pk not in offer_terms:
            continue
        terms = offer_terms[offer.pk]
        exp = expiration.get(offer.pk) or rofr.rofr_timeline(offer_received_on=offer.sent_date, terms=terms).expiration_date
        deadline = exp + datetime.timedelta(days=terms.rofr_consummation_days)
        if offer.status == NewTransactionOffer.Status.CONSUMMATED:
            st, sat, text = SATISFIED, offer.consummated_date, "consummated"
        elif offer.status in closed_offer:
            st, sat, text = VOID, None, offer.get_status_display().lower()
        elif as_of > deadline:
            st, sat, text = VOID, deadline, "window closed without consummation; a new offer is needed (SPA 4(j)(ii))"
        else:
            st, sat, text = OPEN, None, f"the Company may close with a New Investor through {deadline.isoformat()}"
        offer_rows.append(Row(K.ROFR_CONSUMMATION, "SPA 4(j)(ii)", offer.pk, deadline, status=st, satisfied_date=sat,
                              description=f"New Transaction Offer {offer.pk} ({_money(offer.amount)}): {text}",
                              details={"expiration_date": exp.isoformat(), "consummation_deadline": deadline.isoformat()}))
    for r in _registrations():
        eff = _effective(r.statement.effective_date if r.statement else None, as_of)
        try:
            last = rofr.rofr_last_day(eff, ctx.terms_in_force(financing=r.financing.pk, day=r.financing.initial_closing_date))
        except TermsUnavailable as err:
            stats.notes.append(str(err))
            continue
        if last is None:
            continue
        st, sat = _milestone(last, as_of)
        fin_rows.append(Row(K.ROFR_PERIOD_END, "SPA 4(j)(i), (v)", r.financing.pk, last, status=st, satisfied_date=sat,
                            description=(f"Right of First Refusal and dilution protection end: "
                                         f"240 days after the Effective Date {eff.isoformat()}")))
    _write(ctx, stats, {ctx.ct(OfferResponse): resp_rows, ctx.ct(NewTransactionOffer): offer_rows, ctx.ct(Financing): fin_rows})
    return stats


