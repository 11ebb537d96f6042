"""Right of first refusal (SPA 4(j))."""

from __future__ import annotations

import datetime

from deals.models import Financing, NewTransactionOffer, OfferResponse
from deals.selectors.terms import TermsUnavailable
from deals.services.ledger import rows as build
from deals.services.sweeps.context import (
    Context,
    RuleStats,
    _effective,
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
    expiration: dict[int, datetime.date] = {}
    for resp in responses:
        offer = offers[resp.offer_id]
        if offer.pk not in offer_terms:
            continue
        terms = offer_terms[offer.pk]
        due = resp.answer_due or rofr.rofr_timeline(offer_received_on=resp.received_date, terms=terms).expiration_date
        expiration[offer.pk] = max(expiration.get(offer.pk, due), due)
        resp_rows.append(build.rofr_answer(resp=resp, offer=offer, due=due, as_of=as_of))
    for offer in offers.values():
        if offer.pk not in offer_terms:
            continue
        terms = offer_terms[offer.pk]
        exp = expiration.get(offer.pk) or rofr.rofr_timeline(offer_received_on=offer.sent_date, terms=terms).expiration_date
        offer_rows.append(build.rofr_consummation(offer=offer, expiration=exp, consummation_days=terms.rofr_consummation_days,
                                                  as_of=as_of))
    for r in _registrations():
        eff = _effective(r.statement.effective_date if r.statement else None, as_of)
        try:
            last = rofr.rofr_last_day(eff, ctx.terms_in_force(financing=r.financing.pk, day=r.financing.initial_closing_date))
        except TermsUnavailable as err:
            stats.notes.append(str(err))
            continue
        if last is None:
            continue
        fin_rows.append(build.rofr_period_end(financing_id=r.financing.pk, last=last, effective=eff, as_of=as_of))
    _write(ctx, stats, {ctx.ct(OfferResponse): resp_rows, ctx.ct(NewTransactionOffer): offer_rows, ctx.ct(Financing): fin_rows})
    return stats


