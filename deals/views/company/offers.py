"""First refusal and price protection (SPA 4(j)): New Transaction Offers,
the Buyers' answers, consummation and the price-protection adjustment."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from deals.forms import company as f
from deals.models import NewTransactionOffer, OfferResponse, PriceProtectionAdjustment
from deals.services.calendar import business_date
from deals.services.company import rofr as rofr_svc
from deals.services.company._common import buyers
from deals.services.errors import WorkflowError
from deals.services.ledger.writer import obligations_for

from ._base import apply_errors, company_view, ctx, page_of, series_j


@company_view
@require_GET
def offers(request):
    """SPA 4(j): New Transaction Offers."""
    qs = (
        NewTransactionOffer.objects.select_related("financing", "restarts")
        .annotate(n_buyers=Count("responses"))
        .order_by("-sent_date", "-id")
    )
    return render(request, "deals/company/offers.html", ctx(request, "company_offers", page=page_of(request, qs)))


@company_view
def offer_new(request, restart_of: int | None = None):
    """SPA 4(j)(i) (and (iii) when ``restart_of``): record a New Transaction Offer."""
    old = get_object_or_404(NewTransactionOffer, pk=restart_of) if restart_of else None
    fin = series_j()
    if fin is None:
        return render(request, "deals/company/empty.html", ctx(request, "company_offers", what="Series J financing"))
    holders = [h[0] for h in buyers(fin)]
    initial = {}
    if old is not None:
        initial = {"description": old.description, "amount": old.amount, **{k: v for k, v in old.terms.items() if v}}
    form = f.OfferForm(request.POST or None, buyers=holders, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        args = {
            "terms": form.new_terms(),
            "amount": d["amount"],
            "description": d["description"],
            "sent_date": d["sent_date"],
            "received": d["received"],
            "notice_method": d.get("notice_method") or "",
            "user": request.user,
            "as_of": business_date(),
        }
        try:
            offer = rofr_svc.offer_restart(offer=old, **args) if old else rofr_svc.offer_create(financing=fin, **args)
        except ValidationError as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"New Transaction Offer {offer.pk} recorded; answer deadlines are in the ledger (SPA 4(j)(i)).")
            return redirect("company_offer", pk=offer.pk)
    return render(request, "deals/company/offer_form.html", ctx(request, "company_offers", form=form, old=old, financing=fin))


def _offer(pk: int) -> NewTransactionOffer:
    return get_object_or_404(
        NewTransactionOffer.objects.select_related("financing", "restarts").prefetch_related(
            Prefetch("responses", queryset=OfferResponse.objects.select_related("investor").order_by("id"))
        ),
        pk=pk,
    )


def _render_offer(request, offer, *, answer_form=None, cons_form=None):
    as_of = business_date()
    answer_form = answer_form or f.AnswerForm(offer=offer, initial={"answered_date": as_of})
    cons_form = cons_form or f.ConsummationForm(initial={"consummated_date": as_of, **{k: v for k, v in offer.terms.items() if v}})
    allocation = rofr_svc.offer_allocation(offer)
    proposal = adjustment = pending = None
    if offer.status == NewTransactionOffer.Status.CONSUMMATED:
        adjustment = PriceProtectionAdjustment.objects.filter(offer=offer).select_related("terms_version").first()
        pending = rofr_svc.price_protection_pending(offer) if adjustment is None else None
        if adjustment is None:
            try:
                proposal = rofr_svc.price_protection_proposal(offer)
            except ValidationError as err:
                messages.error(request, " ".join(err.messages))
    deadline = rofr_svc.consummation_deadline(offer) if offer.responses.all() else None
    return render(
        request,
        "deals/company/offer_detail.html",
        ctx(
            request,
            "company_offers",
            offer=offer,
            answer_form=answer_form,
            cons_form=cons_form,
            allocation=allocation,
            proposal=proposal,
            adjustment=adjustment,
            pending_approval=pending,
            consummation_deadline=deadline,
            restarted_by=list(offer.restarted_by.all()),
            obligations=list(obligations_for(offer)),
        ),
    )


@company_view
@require_GET
def offer_detail(request, pk: int):
    """SPA 4(j)(i)-(v): one offer, its answers, allocation, consummation and price protection."""
    return _render_offer(request, _offer(pk))


@company_view
@require_POST
def offer_answer(request, pk: int):
    """SPA 4(j)(i), (iv): record a Buyer's written answer; the allocation is recomputed."""
    offer = _offer(pk)
    form = f.AnswerForm(request.POST, offer=offer)
    if form.is_valid():
        d = form.cleaned_data
        try:
            rofr_svc.offer_answer_record(
                response=d["response"],
                answer=d["answer"],
                answered_date=d["answered_date"],
                amount_exercised=d["amount_exercised"],
                additional_requested=d["additional_requested"],
                user=request.user,
                as_of=business_date(),
            )
        except ValidationError as err:
            apply_errors(form, err)
        else:
            messages.success(request, "Answer recorded; allocation recomputed (SPA 4(j)(iv)).")
            return redirect("company_offer", pk=offer.pk)
    return _render_offer(request, offer, answer_form=form)


@company_view
@require_POST
def offer_consummate(request, pk: int):
    """SPA 4(j)(ii), (iii): consummation with the New Investor on the final terms."""
    offer = _offer(pk)
    form = f.ConsummationForm(request.POST)
    if form.is_valid():
        try:
            rofr_svc.offer_consummate(
                offer=offer,
                consummated_date=form.cleaned_data["consummated_date"],
                final=form.new_terms(),
                user=request.user,
                as_of=business_date(),
            )
        except ValidationError as err:
            apply_errors(form, err)
        else:
            messages.success(request, "Consummation recorded (SPA 4(j)(ii)). Check price protection below (SPA 4(j)(v)).")
            return redirect("company_offer", pk=offer.pk)
    return _render_offer(request, offer, cons_form=form)


@company_view
@require_POST
def offer_protect(request, pk: int):
    """SPA 4(j)(v): ask for the new deal terms version and the warrant adjustment; a second deal
    admin applies it on the approvals page (issue 12, four eyes)."""
    offer = _offer(pk)
    try:
        approval = rofr_svc.price_protection_request(offer=offer, user=request.user, as_of=business_date())
    except ValidationError as err:
        messages.error(request, " ".join(err.messages))
        return _render_offer(request, offer)
    except WorkflowError as err:
        messages.error(request, err.message)
        return _render_offer(request, offer)
    messages.success(
        request,
        f"SPA 4(j)(v) price protection is pending approval #{approval.pk}: a second deal admin approves it on the "
        "approvals page, which creates the terms version and adjusts the warrants.",
    )
    return redirect("company_offer", pk=offer.pk)
