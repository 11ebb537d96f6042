"""Right of First Refusal and price protection (SPA 4(j)).

Steps: ``offer_create`` (a New Transaction Offer sent to each Buyer, answer
deadlines per 4(j)(i)), ``offer_answer_record`` (each Buyer's answer, the
4(j)(iv) allocation recomputed), ``offer_restart`` (changed terms, 4(j)(iii):
a new offer linked by ``restarts``), ``offer_consummate`` (with the New
Investor within 20 days, 4(j)(ii)), then ``price_protection_proposal`` and
``price_protection_request`` (4(j)(v), issue 12: a terms-version approval; when a
second deal admin approves, ``price_protection_apply`` writes a new DealTermsVersion
effective from the consummation date and adjusts the outstanding warrants). Past
conversions keep the terms version they were computed with.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum

from deals.models import (
    Approval,
    ApprovalKind,
    ApprovalStatus,
    Conversion,
    ConversionStatus,
    DealTermsVersion,
    Financing,
    Issuer,
    NewTransactionOffer,
    ObligationKind,
    ObligationStatus,
    OfferResponse,
    PreferredHolding,
    PriceProtectionAdjustment,
    Warrant,
    WarrantExercise,
)
from deals.models.instruments import InstrumentStatus
from deals.ordering import natural
from deals.selectors import cap as cap_sel
from deals.selectors.terms import terms_in_force
from deals.services.issuance import issuer_lock, reserve_sync
from deals.services.ledger import rows as build
from deals.services.ledger.sync import meeting_sync
from deals.services.ledger.writer import history_record, ledger_close, ledger_put
from deals.terms import rofr
from deals.terms.calendars import add_business_days
from deals.terms.cap import cap_shares
from deals.terms.errors import TermsError

from ._common import buyers, primary_statement

PAST_CATCH_UP_BUSINESS_DAYS = 3  # SPA 4(j)(v) names no date: the Delivery Date period of a conversion (SPA 5(c))
CLAUSE_PAST_CAP = "SPA 3(c), 4(d)(ii), 4(i) (Cap Regulations) on SPA 4(j)(v) additional shares"
TERM_KEYS = ("market_price_pct", "fixed_price", "warrant_exercise_price", "warrant_shares_per_dollar")


def terms_from_json(data: dict) -> rofr.NewTransactionTerms:
    """The stored terms (strings) as the engine's NewTransactionTerms; offers stored before the
    other terms were kept (issue 16 item 8) have none of them."""
    dec = {k: (Decimal(data[k]) if data.get(k) not in (None, "") else None) for k in (*TERM_KEYS, "fees_pct")}
    months = data.get("maturity_months")
    return rofr.NewTransactionTerms(
        **dec, reset=data.get("reset") or "", maturity_months=int(months) if months not in (None, "") else None,
        other=data.get("other") or "",
    )


def terms_to_json(t: rofr.NewTransactionTerms) -> dict:
    return t.as_dict()  # decimals as strings, texts and the month count as they are


def new_transaction_terms(*, financing: Financing, day: datetime.date) -> rofr.NewTransactionTerms:
    """SPA 4(j): the price terms of a New Transaction recorded as a financing of its own, read
    from that financing's terms in force on ``day`` and its instruments -- the conversion
    discount (percentage of the market price) and Fixed Price of its kind, the lowest exercise
    price of its warrants and its warrant shares per dollar invested (None where it has none)."""
    _, t = terms_in_force(financing=financing, day=day)
    if financing.terms_kind == "preferred":
        pct, fixed = t.preferred_discount_pct, t.preferred_fixed_price
    else:
        pct, fixed = t.debenture_discount_pct, t.debenture_fixed_price
    warrants = Warrant.objects.filter(financing=financing)
    lowest = warrants.order_by("exercise_price").values_list("exercise_price", flat=True).first()
    shares = warrants.aggregate(n=Sum("shares"))["n"] or 0
    invested = PreferredHolding.objects.filter(financing=financing).aggregate(s=Sum("purchase_price"))["s"] or Decimal(0)
    per_dollar = (Decimal(shares) / invested).quantize(Decimal("0.000001")) if shares and invested else None
    return rofr.NewTransactionTerms(market_price_pct=pct, fixed_price=fixed, warrant_exercise_price=lowest,
                                    warrant_shares_per_dollar=per_dollar)


def _offer_new_terms(offer: NewTransactionOffer) -> rofr.NewTransactionTerms:
    """What 4(j)(v) compares: the New Transaction financing's terms where one is recorded, else
    the final terms typed in at consummation."""
    if offer.new_financing_id:
        return new_transaction_terms(financing=offer.new_financing, day=offer.consummated_date)
    return terms_from_json(offer.consummated_terms)


def _effective_date(financing: Financing) -> datetime.date | None:
    st = primary_statement(financing)
    return st.effective_date if st else None


def _allocation(offer: NewTransactionOffer, responses: list[OfferResponse]) -> rofr.RofrAllocation:
    lp = {inv.pk: v for inv, v, _o, _p in buyers(offer.financing)}
    return rofr.allocate_offer(
        offer_amount=offer.amount,
        responses=[
            rofr.BuyerResponse(
                buyer=str(r.investor_id),
                liquidation_preference=lp.get(r.investor_id, Decimal(0)),
                exercised=r.amount_taken - r.additional_allocated if r.answer != OfferResponse.Answer.PENDING else Decimal(0),
                additional_requested=r.additional_requested,
            )
            for r in responses
        ],
    )


@transaction.atomic
def offer_create(
    *,
    financing: Financing,
    description: str,
    amount: Decimal,
    terms: rofr.NewTransactionTerms,
    sent_date: datetime.date,
    received: dict[int, datetime.date],
    user,
    as_of: datetime.date,
    restarts: NewTransactionOffer | None = None,
    notice_method: str = "",
    delivered: dict[int, datetime.date] | None = None,
) -> NewTransactionOffer:
    """SPA 4(j)(i): record a New Transaction Offer sent to every Buyer, each
    Buyer's receipt date and answer deadline (close of business on the 3rd
    business day after receipt), its pro rata part (4(j)(iv)) and the 20-day
    consummation window (4(j)(ii)) from the latest Expiration Date.

    ``notice_method`` (SPA 10 wiring, issue 16 item 10): the offer is sent from the app by that
    method on ``sent_date``; each Buyer's notice is logged (``OutboundNotice``) and its receipt
    date is the date the notice is deemed given (``delivered``: a personal delivery's or fax's
    actual day, per Buyer), not typed. A typed date that differs is refused."""
    Financing.objects.select_for_update().get(pk=financing.pk)
    if notice_method:
        received = _received_from_notices(financing, notice_method, sent_date, dict(received or {}), delivered or {})
    _, deal_terms = terms_in_force(financing=financing, day=sent_date)
    effective = _effective_date(financing)
    if not rofr.rofr_applies(offered_on=sent_date, effective_date=effective, terms=deal_terms):
        raise ValidationError(
            {
                "sent_date": f"SPA 4(j)(i): the first-refusal period ended on "
                f"{rofr.rofr_last_day(effective, deal_terms).isoformat()} (240 days after the Effective Date "
                f"{effective.isoformat()}); an offer sent {sent_date.isoformat()} needs no New Transaction Offer."
            }
        )
    holders = buyers(financing)
    if not holders:
        raise ValidationError("No Buyers hold Series J in this financing: nobody to offer to.")
    missing = [inv.legal_name for inv, *_ in holders if inv.pk not in received]
    if missing:
        raise ValidationError(f"Give the date each Buyer received the offer; missing: {', '.join(missing)}.")
    for inv, *_ in holders:
        if received[inv.pk] < sent_date:
            raise ValidationError(f"{inv}: received {received[inv.pk].isoformat()} before it was sent {sent_date.isoformat()}.")
    try:
        parts = rofr.split_pro_rata(Decimal(amount), [lp for _i, lp, _o, _p in holders])
    except TermsError as err:
        raise ValidationError(str(err))
    offer = NewTransactionOffer.objects.create(
        financing=financing,
        description=description,
        amount=amount,
        terms=terms_to_json(terms),
        sent_date=sent_date,
        restarts=restarts,
        created_by=user,
    )
    if notice_method:
        from .outbound import outbound_notice_record

        for inv, *_ in holders:
            outbound_notice_record(
                investor=inv, subject=f"New Transaction Offer {offer.pk}", kind="new_transaction_offer", method=notice_method,
                sent_date=sent_date, delivered_date=(delivered or {}).get(inv.pk),
                related_object=f"deals.newtransactionoffer:{offer.pk}", user=user,
            )
    latest_expiry = None
    for (inv, lp, _o, _p), part in zip(holders, parts, strict=True):
        tl = rofr.rofr_timeline(offer_received_on=received[inv.pk], terms=deal_terms)
        resp = OfferResponse.objects.create(
            offer=offer,
            investor=inv,
            received_date=received[inv.pk],
            answer_due=tl.expiration_date,
            allocable_share=financing.allocable_share(lp),
            pro_rata_part=part,
        )
        ledger_put(source=resp, rows=[build.rofr_answer(resp=resp, offer=offer, due=tl.expiration_date, as_of=as_of)],
                   as_of=as_of, user=user)
        if latest_expiry is None or tl.consummation_deadline > latest_expiry.consummation_deadline:
            latest_expiry = tl
    offer.consummated_terms = {}
    ledger_put(source=offer, rows=[build.rofr_consummation(
        offer=offer, expiration=latest_expiry.expiration_date, consummation_days=deal_terms.rofr_consummation_days, as_of=as_of,
    )], as_of=as_of, user=user)
    if effective and effective <= as_of and financing.initial_closing_date:
        last = rofr.rofr_last_day(effective, terms_in_force(financing=financing, day=financing.initial_closing_date).terms)
        ledger_put(source=financing, rows=[build.rofr_period_end(financing_id=financing.pk, last=last, effective=effective, as_of=as_of)],
                   as_of=as_of, user=user)
    return offer


def _received_from_notices(financing, method: str, sent_date, typed: dict, delivered: dict) -> dict[int, datetime.date]:
    """SPA 10, 4(j)(i): each Buyer's receipt = the date its notice is deemed given under its notice
    terms; a typed receipt date that differs is refused (it would move the answer deadline)."""
    from ._common import notice_financing
    from .outbound import deemed_given

    out, wrong = {}, []
    for inv, *_ in buyers(financing):
        given = deemed_given(method=method, sent_date=sent_date, delivered_date=delivered.get(inv.pk),
                             financing=notice_financing(inv)).deemed_given_on
        if typed.get(inv.pk) and typed[inv.pk] != given:
            wrong.append(f"{inv}: typed {typed[inv.pk].isoformat()}, deemed given {given.isoformat()}")
        out[inv.pk] = given
    if wrong:
        raise ValidationError(
            "SPA 10: the offer is sent from the app, so each Buyer's receipt is the date its notice is deemed given; "
            "leave the receipt dates empty or make them match (" + "; ".join(wrong) + ")."
        )
    return out


def consummation_deadline(offer: NewTransactionOffer) -> datetime.date:
    """SPA 4(j)(ii): 20 days from the latest Buyer's Expiration Date."""
    _, deal_terms = terms_in_force(financing=offer.financing_id, day=offer.sent_date)
    latest = max(r.answer_due for r in offer.responses.all())
    return latest + datetime.timedelta(days=deal_terms.rofr_consummation_days)


@transaction.atomic
def offer_answer_record(
    *,
    response: OfferResponse,
    answer: str,
    answered_date: datetime.date,
    amount_exercised: Decimal,
    additional_requested: Decimal,
    user,
    as_of: datetime.date,
) -> OfferResponse:
    """SPA 4(j)(i), (iv): record a Buyer's written answer and recompute the
    allocation: full exercisers share Declining Buyers' parts pro rata."""
    offer = NewTransactionOffer.objects.select_for_update().get(pk=response.offer_id)
    if offer.status != NewTransactionOffer.Status.OPEN and offer.status != NewTransactionOffer.Status.ANSWERED:
        raise ValidationError(f"The offer is {offer.get_status_display().lower()}; answers can no longer change.")
    responses = list(offer.responses.select_related("investor").order_by("id"))
    resp = next(r for r in responses if r.pk == response.pk)
    if answered_date < resp.received_date:
        raise ValidationError(
            {"answered_date": f"Answered {answered_date.isoformat()}, before the offer was received {resp.received_date.isoformat()}."}
        )
    A = OfferResponse.Answer
    if answer != A.DECLINED and answered_date > resp.answer_due:
        raise ValidationError(
            {
                "answered_date": f"SPA 4(j)(i): the Right of First Refusal expired at close of business on "
                f"{resp.answer_due.isoformat()}; an exercise on {answered_date.isoformat()} is late. Record it as declined."
            }
        )
    if answer == A.FULL:
        amount_exercised = resp.pro_rata_part
    elif answer == A.DECLINED:
        amount_exercised = Decimal(0)
        additional_requested = Decimal(0)
    elif answer == A.PARTIAL:
        if not (Decimal(0) < amount_exercised < resp.pro_rata_part):
            raise ValidationError(
                {
                    "amount_exercised": (
                        f"A partial exercise is more than $0 and less than the pro rata part ${resp.pro_rata_part:,}; "
                        f"got ${amount_exercised:,}."
                    )
                }
            )
        if additional_requested:
            raise ValidationError(
                {"additional_requested": "SPA 4(j)(iv): only Buyers who exercised in full may take Declining Buyers' parts."}
            )
    resp.answer = answer
    resp.answered_date = answered_date
    resp.additional_requested = additional_requested
    resp.amount_taken = amount_exercised
    resp.additional_allocated = Decimal(0)
    try:
        alloc = _allocation(offer, responses)
    except TermsError as err:
        raise ValidationError(str(err))
    for r, line in zip(responses, alloc.lines, strict=True):
        r.additional_allocated = line.additional_allocated
        r.amount_taken = line.total
        r.save(update_fields=["answer", "answered_date", "additional_requested", "amount_taken", "additional_allocated", "updated_at"])
    ledger_close(source=resp, kinds=[ObligationKind.ROFR_ANSWER], on=answered_date, as_of=as_of, user=user)
    if all(r.answer != A.PENDING for r in responses):
        offer.status = NewTransactionOffer.Status.ANSWERED
        offer.save(update_fields=["status", "updated_at"])
    return resp


def offer_allocation(offer: NewTransactionOffer) -> rofr.RofrAllocation | None:
    """The current SPA 4(j)(iv) allocation (pending Buyers count as not exercising)."""
    responses = list(offer.responses.order_by("id"))
    if not responses:
        return None
    return _allocation(offer, responses)


@transaction.atomic
def offer_restart(
    *,
    offer: NewTransactionOffer,
    terms: rofr.NewTransactionTerms,
    amount: Decimal,
    description: str,
    sent_date: datetime.date,
    received: dict[int, datetime.date],
    user,
    as_of: datetime.date,
    notice_method: str = "",
    delivered: dict[int, datetime.date] | None = None,
) -> NewTransactionOffer:
    """SPA 4(j)(iii): terms more beneficial to the New Investor mean a fresh
    New Transaction Offer; the old one is superseded and the new one links to it."""
    offer = NewTransactionOffer.objects.select_for_update().get(pk=offer.pk)
    if offer.status in (NewTransactionOffer.Status.CONSUMMATED, NewTransactionOffer.Status.SUPERSEDED):
        raise ValidationError(f"The offer is already {offer.get_status_display().lower()}.")
    new = offer_create(
        financing=offer.financing,
        description=description,
        amount=amount,
        terms=terms,
        sent_date=sent_date,
        received=received,
        user=user,
        as_of=as_of,
        restarts=offer,
        notice_method=notice_method,
        delivered=delivered,
    )
    offer.status = NewTransactionOffer.Status.SUPERSEDED
    offer.save(update_fields=["status", "updated_at"])
    for r in offer.responses.all():
        ledger_close(source=r, kinds=[ObligationKind.ROFR_ANSWER], status=ObligationStatus.VOID, on=sent_date, user=user)
    ledger_close(source=offer, kinds=[ObligationKind.ROFR_CONSUMMATION], status=ObligationStatus.VOID, on=sent_date, user=user)
    return new


def changed_terms_check(offer: NewTransactionOffer, final: rofr.NewTransactionTerms) -> rofr.TermsChange:
    """SPA 4(j)(iii) comparison of the offered terms with the terms to be consummated."""
    return rofr.changed_terms(offered=terms_from_json(offer.terms), final=final)


@transaction.atomic
def offer_consummate(
    *,
    offer: NewTransactionOffer,
    consummated_date: datetime.date,
    final: rofr.NewTransactionTerms | None = None,
    new_financing: Financing | None = None,
    user,
    as_of: datetime.date,
) -> NewTransactionOffer:
    """SPA 4(j)(ii): the Company closes the part the Buyers did not take with
    the New Investor on the offered terms within 20 days of the Expiration
    Date. More beneficial terms need a new offer first (4(j)(iii)).

    ``new_financing``: the New Transaction recorded as a financing of its own; its
    terms in force on the consummation date are the final terms (``final`` is then
    ignored)."""
    offer = NewTransactionOffer.objects.select_for_update().get(pk=offer.pk)
    if new_financing is not None:
        if new_financing.pk == offer.financing_id or new_financing.issuer_id != offer.financing.issuer_id:
            raise ValidationError(
                {"new_financing": f"The New Transaction is a new financing of {offer.financing.issuer}: "
                                  f"{new_financing} cannot be it."}
            )
        # its price terms come from the financing; its other terms (fees, reset, maturity, other) as given
        given = final if final is not None else terms_from_json(offer.terms)
        final = dataclasses.replace(
            new_transaction_terms(financing=new_financing, day=consummated_date),
            fees_pct=given.fees_pct, reset=given.reset, maturity_months=given.maturity_months, other=given.other,
        )
    if final is None:
        raise ValidationError("Give the final terms of the New Transaction, or the financing recorded for it.")
    if offer.status not in (NewTransactionOffer.Status.OPEN, NewTransactionOffer.Status.ANSWERED):
        raise ValidationError(f"The offer is {offer.get_status_display().lower()}.")
    latest_answer = max(r.answer_due for r in offer.responses.all())
    if consummated_date <= latest_answer and offer.responses.filter(answer=OfferResponse.Answer.PENDING).exists():
        raise ValidationError(
            {"consummated_date": f"SPA 4(j)(ii): Buyers may still answer until close of business on {latest_answer.isoformat()}."}
        )
    deadline = consummation_deadline(offer)
    if consummated_date > deadline:
        raise ValidationError(
            {
                "consummated_date": f"SPA 4(j)(ii): the window closed on {deadline.isoformat()} (20 days after "
                f"{latest_answer.isoformat()}); consummating on {consummated_date.isoformat()} needs a new offer."
            }
        )
    change = changed_terms_check(offer, final)
    if change.restart:
        names = "; ".join(change.restart_reasons)
        raise ValidationError(
            f"SPA 4(j)(iii): the final terms may be more beneficial to the New Investor in these respects: {names}. Send a "
            "new New Transaction Offer (Restart) before consummating."
        )
    offer.status = NewTransactionOffer.Status.CONSUMMATED
    offer.consummated_date = consummated_date
    offer.consummated_terms = terms_to_json(final)
    offer.new_financing = new_financing
    offer.save(update_fields=["status", "consummated_date", "consummated_terms", "new_financing", "updated_at"])
    ledger_close(source=offer, kinds=[ObligationKind.ROFR_CONSUMMATION], on=consummated_date, user=user)
    return offer


@dataclass
class WarrantProposal:
    warrant: Warrant
    protection: rofr.PriceProtection
    new_exercise_price: Decimal
    new_shares: int
    new_shares_remaining: int


@dataclass
class Proposal:
    offer: NewTransactionOffer
    base_version: DealTermsVersion | None
    protection: rofr.PriceProtection
    warrants: list[WarrantProposal]
    # SPA 4(j)(v) "(whether previously issued and/or converted or not)" (issue 16 item 9)
    past_conversions: list[tuple[Conversion, rofr.PastConversionCatchUp]] = field(default_factory=list)
    past_exercises: list[tuple[WarrantExercise, rofr.PastExerciseCatchUp]] = field(default_factory=list)
    not_recomputable: list[Conversion] = field(default_factory=list)

    @property
    def applies(self) -> bool:
        return self.protection.applies and bool(
            self.protection.deal_terms_changes or any(w.protection.warrant_changes for w in self.warrants)
        )


def price_protection_proposal(offer: NewTransactionOffer) -> Proposal:
    """SPA 4(j)(v): what the consummated New Transaction changes -- the Series J
    terms (discount %, Fixed Price) as a new DealTerms version, and each
    outstanding warrant's exercise price and shares."""
    if offer.status != NewTransactionOffer.Status.CONSUMMATED or offer.consummated_date is None:
        raise ValidationError("Price protection follows a consummated New Transaction (SPA 4(j)(v)).")
    day = offer.consummated_date
    version, deal_terms = terms_in_force(financing=offer.financing_id, day=day)
    effective = _effective_date(offer.financing)
    new = _offer_new_terms(offer)
    price_by_investor = {inv.pk: price for inv, _lp, _o, price in buyers(offer.financing)}
    warrants = list(
        Warrant.objects.filter(financing=offer.financing, status=InstrumentStatus.OUTSTANDING, shares_remaining__gt=0)
        .select_related("investor")
        .order_by(*natural("number"))
    )
    props, first = [], None
    for w in warrants:
        purchase = price_by_investor.get(w.investor_id)
        if not purchase:
            continue
        p = rofr.price_protection(
            new=new,
            consummated_on=day,
            effective_date=effective,
            warrant_exercise_price=w.exercise_price,
            warrant_shares=w.shares,
            purchase_price=purchase,
            terms=deal_terms,
        )
        first = first or p
        ch = p.warrant_changes
        shares = ch.get("shares", w.shares)
        props.append(WarrantProposal(w, p, ch.get("exercise_price", w.exercise_price), shares, w.shares_remaining + (shares - w.shares)))
    if first is None:
        first = rofr.price_protection(
            new=new,
            consummated_on=day,
            effective_date=effective,
            warrant_exercise_price=Decimal(1),
            warrant_shares=0,
            purchase_price=Decimal(1),
            terms=deal_terms,
        )
    proposal = Proposal(offer, version, first, props)
    if first.applies:
        _past_catch_up(proposal, deal_terms)
    return proposal


def _past_catch_up(proposal: Proposal, deal_terms) -> None:
    """SPA 4(j)(v): the Series J conversions and Warrant exercises made before the consummation date,
    priced again on the modified terms; only those owed something are listed. A conversion whose
    Market Price is not on record is listed as not recomputable (two queries)."""
    offer, p = proposal.offer, proposal.protection
    day = offer.consummated_date
    adjusted = p.adjusted_terms(deal_terms)
    if p.deal_terms_changes:
        for c in (
            Conversion.objects.filter(preferred__financing=offer.financing, conversion_date__lt=day)
            .exclude(status__in=[ConversionStatus.REVOKED, ConversionStatus.DISHONOURED])
            .select_related("investor", "preferred")
            .order_by("conversion_date", "id")
        ):
            snap = c.snapshot or {}
            average = (snap.get("market_price") or {}).get("average")
            average = Decimal(average) if average else c.market_price
            if not average:
                proposal.not_recomputable.append(c)
                continue
            before = Decimal(str(snap["applied_price"])) if snap.get("applied_price") else c.conversion_price
            catch = rofr.past_conversion_catch_up(
                amount=c.amount, market_average=average, price_before=before, shares_before=c.shares_for_amount,
                new_discount_pct=adjusted.preferred_discount_pct, new_fixed_price=adjusted.preferred_fixed_price,
                rounding=adjusted.share_rounding,
            )
            if catch.additional_shares:
                proposal.past_conversions.append((c, catch))
    new_price = p.warrant_changes.get("exercise_price")
    if new_price is not None:
        for e in (
            WarrantExercise.objects.filter(warrant__financing=offer.financing, exercise_date__lt=day, exercise_price__gt=new_price)
            .select_related("investor", "warrant")
            .order_by("exercise_date", "id")
        ):
            catch = rofr.past_exercise_catch_up(shares=e.shares, price_paid=e.exercise_price, new_price=new_price)
            if catch.amount_owed:
                proposal.past_exercises.append((e, catch))


def _issuance_room(*, issuer_id: int, as_of: datetime.date, terms) -> dict:
    """SPA 3(c), 4(d)(ii), 4(i): the Cap Regulations' room for Common Stock issued on ``as_of`` (read
    after ``issuer_lock``): the authorized but unissued shares and, without stockholder approval, the
    room under the 20% cap."""
    pos = cap_sel.issuance_position(issuer_id=issuer_id, day=as_of)
    cap = cap_room = None
    room = pos.authorized_unissued
    if pos.approval is None:
        try:
            cap = cap_shares(terms, pos.shares_outstanding_at_signing)
        except TermsError as err:
            raise ValidationError(f"{err} Correct the Issuer's shares outstanding at signing (SPA 3(c), 4(d)(ii)).")
        cap_room = max(0, cap - pos.cap_issued)
        room = min(room, cap_room)
    return {"clause": CLAUSE_PAST_CAP, "issued_on": as_of.isoformat(), "room": room, "authorized": pos.authorized,
            "issued_before": pos.issued, "authorized_unissued": pos.authorized_unissued, "cap_shares": cap,
            "cap_issued": pos.cap_issued, "cap_room": cap_room, "stockholder_approval": pos.approval is not None}


def _catch_up_rows(proposal: Proposal, adjustment: PriceProtectionAdjustment, due: datetime.date,
                   room: int | None = None) -> tuple[list, list]:
    """One ledger row per holder for the additional shares, one for the repaid exercise price; and the
    per-record lines kept in the adjustment's snapshot. ``room`` (SPA 4(i)): the shares the Cap
    Regulations let the Company issue now, given to the earliest conversions first; the rest of each
    line is ``held`` (owed, issued once the Cap Regulations permit). None: no limit applied."""
    shares_by, refund_by, lines_c, lines_e = defaultdict(int), defaultdict(Decimal), defaultdict(list), defaultdict(list)
    held_by = defaultdict(int)
    kept = []
    left = room
    for c, catch in proposal.past_conversions:
        issued = catch.additional_shares if left is None else min(catch.additional_shares, left)
        if left is not None:
            left -= issued
        line = {"conversion": c.pk, "date": c.conversion_date.isoformat(), **catch.as_dict(), "issued": issued,
                "held": catch.additional_shares - issued}
        held_by[c.investor_id] += catch.additional_shares - issued
        shares_by[c.investor_id] += catch.additional_shares
        lines_c[c.investor_id].append(line)
        kept.append({"kind": "conversion", "investor": str(c.investor), **line})
    for e, catch in proposal.past_exercises:
        line = {"exercise": e.pk, "warrant": e.warrant.number, "date": e.exercise_date.isoformat(), **catch.as_dict()}
        refund_by[e.investor_id] += catch.amount_owed
        lines_e[e.investor_id].append(line)
        kept.append({"kind": "exercise", "investor": str(e.investor), **line})
    rows = [build.price_protection_shares(adjustment_id=adjustment.pk, investor_id=i, due=due, shares=n, lines=lines_c[i],
                                          offer_id=proposal.offer.pk, held=held_by[i]) for i, n in shares_by.items()]
    rows += [build.price_protection_refund(adjustment_id=adjustment.pk, investor_id=i, due=due, amount=a, lines=lines_e[i],
                                           offer_id=proposal.offer.pk) for i, a in refund_by.items()]
    return rows, kept


def _price_protection_plan(offer: NewTransactionOffer):
    """SPA 4(j)(v): (proposal, version in force on the consummation date, the adjusted terms'
    values, the warrant changes as JSON) -- what a request shows and what approval must find again."""
    if PriceProtectionAdjustment.objects.filter(offer=offer).exists():
        raise ValidationError("Price protection for this New Transaction is already confirmed (SPA 4(j)(v)).")
    proposal = price_protection_proposal(offer)
    if not proposal.applies:
        raise ValidationError("SPA 4(j)(v): the New Transaction is not on better terms within the period; nothing to adjust.")
    base, deal_terms = terms_in_force(financing=offer.financing_id, day=offer.consummated_date)
    values = DealTermsVersion.values_from_terms(proposal.protection.adjusted_terms(deal_terms), kind=offer.financing.terms_kind)
    warrants = [
        {"id": wp.warrant.pk, "number": wp.warrant.number, "exercise_price": str(wp.new_exercise_price),
         "shares": wp.new_shares, "shares_remaining": wp.new_shares_remaining}
        for wp in proposal.warrants if wp.protection.warrant_changes
    ]
    return proposal, base, values, warrants


def price_protection_pending(offer: NewTransactionOffer):
    """The pending terms-version approval asked for this offer's price protection, or None."""
    return (Approval.objects.filter(kind=ApprovalKind.TERMS_VERSION, status=ApprovalStatus.PENDING,
                                    payload__price_protection__offer_id=offer.pk).order_by("pk").first())


@transaction.atomic
def price_protection_request(*, offer: NewTransactionOffer, user, as_of: datetime.date):
    """SPA 4(j)(v) asked for by a deal admin: a terms-version approval (issue 12, four eyes) that,
    when a different deal admin approves it, writes the new DealTermsVersion effective from the
    consummation date and reprices / enlarges the outstanding warrants
    (``price_protection_apply``). The adjustment is the agreement applying itself, not an
    amendment: no RRA 10 / SPA 9(i) instrument or holder consent (docs/interpretations.md).
    Refused (nothing written) when already confirmed, already pending, not applicable, or when a
    later terms version would stop it from taking effect."""
    from deals.services.approvals import approval_request
    from deals.services.errors import WorkflowError
    from deals.services.terms import terms_values_to_json
    from deals.terms.params import _same, contract_terms_changed, fields_for

    offer = NewTransactionOffer.objects.select_for_update().select_related("financing").get(pk=offer.pk)
    pending = price_protection_pending(offer)
    if pending is not None:
        raise ValidationError(
            f"Price protection for this New Transaction is already pending approval #{pending.pk} (SPA 4(j)(v)); "
            "a second deal admin approves or rejects it on the approvals page.")
    proposal, base, values, warrants = _price_protection_plan(offer)
    latest = DealTermsVersion.objects.filter(financing_id=offer.financing_id).order_by("-version").first()
    if latest is not None and latest.pk != base.pk:
        raise ValidationError(
            f"SPA 4(j)(v): {offer.financing} has terms v{latest.version} effective {latest.effective_from.isoformat()}, "
            f"after the consummation date {offer.consummated_date.isoformat()}; a version cannot take effect before "
            "it. Record the adjustment with the terms admin instead.")
    kind = offer.financing.terms_kind
    old = base.term_values()
    new = {n: values.get(n) for n in fields_for(kind)}
    changed = [n for n in fields_for(kind) if _same(old.get(n)) != _same(new.get(n))]
    allowed = set(proposal.protection.deal_terms_changes)
    stray = [n for n in contract_terms_changed(old, new, kind) if n not in allowed]
    if stray:
        raise WorkflowError(f"SPA 4(j)(v) changes only {', '.join(sorted(allowed)) or 'the warrants'}; the adjusted "
                            f"terms would also change {', '.join(stray)}.", code="invalid")
    reason = (f"SPA 4(j)(v) price protection: New Transaction Offer {offer.pk} consummated "
              f"{offer.consummated_date.isoformat()}")
    payload = {
        "financing_id": offer.financing_id, "effective_from": offer.consummated_date.isoformat(), "reason": reason,
        "values": terms_values_to_json(new), "base_version": base.version, "changed": changed, "contract_terms": [],
        "records_acknowledged": [], "records_count": 0,
        "price_protection": {"offer_id": offer.pk, "clause": "SPA 4(j)(v)", "warrants": warrants,
                             "deal_terms_changes": {k: str(v) for k, v in proposal.protection.deal_terms_changes.items()}},
    }
    summary = (f"{offer.financing}: terms v{base.version + 1} from {offer.consummated_date.isoformat()} -- SPA 4(j)(v) "
               f"price protection, {len(changed)} term(s) changed, {len(warrants)} warrant(s) adjusted (required by the "
               "agreement: no holder consent)")
    return approval_request(kind=ApprovalKind.TERMS_VERSION, payload=payload, maker=user, reason=reason, summary=summary,
                            financing=offer.financing)


def price_protection_apply(*, approval, checker) -> DealTermsVersion:
    """Applies an approved SPA 4(j)(v) request (called by ``approval_approve`` inside its
    transaction): the proposal is computed again and must be the one the maker asked for (else a
    refusal leaves the approval pending); then the new DealTermsVersion (``terms_version_create``,
    made by the maker, approved by the checker), the warrants repriced / enlarged and the
    PriceProtectionAdjustment, all with history."""
    from deals.services.errors import WorkflowError
    from deals.services.terms import terms_values_to_json, terms_version_create

    p = approval.payload
    pp = p["price_protection"]
    offer = NewTransactionOffer.objects.select_for_update().select_related("financing").get(pk=pp["offer_id"])
    # Lock the financing's warrants before reading them for the proposal.
    list(Warrant.objects.select_for_update().filter(financing=offer.financing).values_list("pk", flat=True))
    # SPA 3(c), 4(d)(ii), 4(i): the additional shares are an issuance like any other -- the issuer row
    # lock after the instrument rows, before the figures (the order exercise_submit takes: no deadlock)
    issuer_lock(offer.financing.issuer_id)
    from deals.services.calendar import business_date

    as_of = business_date()  # the approval applies the adjustment: the issuance date of the additional shares
    _, cap_terms = terms_in_force(financing=offer.financing_id, day=as_of)  # the cap % in force on that date
    try:
        proposal, base, values, warrants = _price_protection_plan(offer)
    except ValidationError as err:
        raise WorkflowError(" ".join(err.messages), code="price_protection")
    if terms_values_to_json({n: values.get(n) for n in p["values"]}) != p["values"] or warrants != pp["warrants"] \
            or base.version != p["base_version"]:
        raise WorkflowError(
            f"SPA 4(j)(v): the adjustment computed now differs from the one asked for in approval #{approval.pk} "
            "(the terms or warrants changed meanwhile); reject it and ask again from the offer page.",
            code="price_protection_changed")
    version = terms_version_create(financing_id=offer.financing_id, effective_from=offer.consummated_date,
                                   reason=p["reason"], values=p["values"], made_by=approval.maker, approved_by=checker)
    adjusted = []
    for wp in proposal.warrants:
        if not wp.protection.warrant_changes:
            continue
        w = wp.warrant
        before = {"exercise_price": str(w.exercise_price), "shares": w.shares, "shares_remaining": w.shares_remaining}
        w.exercise_price = wp.new_exercise_price
        w.shares = wp.new_shares
        w.shares_remaining = wp.new_shares_remaining
        w._history_user = checker
        w._change_reason = f"SPA 4(j)(v) price protection, approval #{approval.pk}"
        w.save(update_fields=["exercise_price", "shares", "shares_remaining", "updated_at"])
        adjusted.append(
            {
                "warrant": w.number,
                "investor": str(w.investor),
                "before": before,
                "after": {"exercise_price": str(w.exercise_price), "shares": w.shares, "shares_remaining": w.shares_remaining},
                "working": wp.protection.as_dict(),
            }
        )
    adjustment = PriceProtectionAdjustment.objects.create(
        offer=offer,
        terms_version=version,
        previous_terms_version=base,
        effective_from=offer.consummated_date,
        snapshot=proposal.protection.as_dict(),
        warrants_adjusted=adjusted,
        created_by=approval.maker,
    )
    # SPA 4(j)(v) "(whether previously issued and/or converted or not)": what past conversions and
    # exercises are owed, due on the 3rd business day after the approval that applies the adjustment
    # (docs/interpretations.md)
    due = add_business_days(as_of, PAST_CATCH_UP_BUSINESS_DAYS)
    issuer_id = offer.financing.issuer_id
    cap = None
    if proposal.past_conversions:
        cap = _issuance_room(issuer_id=issuer_id, as_of=as_of, terms=cap_terms)
    rows, kept = _catch_up_rows(proposal, adjustment, due, room=cap["room"] if cap else None)
    if cap is not None:
        cap["issued"] = sum(line.get("issued", 0) for line in kept if line["kind"] == "conversion")
        cap["held"] = sum(line.get("held", 0) for line in kept if line["kind"] == "conversion")
    if kept or proposal.not_recomputable:
        adjustment.snapshot = {**adjustment.snapshot, "past": kept, "due": due.isoformat(),
                               "not_recomputable": [c.pk for c in proposal.not_recomputable],
                               **({"cap": cap} if cap else {})}
        adjustment.save(update_fields=["snapshot", "updated_at"])
    if cap and cap["issued"]:  # SPA 3(c): the issued share count follows the issuance, with history
        Issuer.objects.filter(pk=issuer_id).update(shares_issued=F("shares_issued") + cap["issued"])
        history_record(Issuer, [issuer_id], user_id=getattr(checker, "pk", None), reason="SPA 4(j)(v) additional shares")
    ledger_put(source=adjustment, rows=rows, as_of=as_of, user=checker)
    if cap and cap["issued"]:
        reserve_sync(issuer_id, as_of=as_of, user=checker)  # SPA 4(g): the reserve after the issuance
        meeting_sync(issuer_id, as_of=as_of, user=checker)  # SPA 4(d)(ii): issuances since signing
    return version
