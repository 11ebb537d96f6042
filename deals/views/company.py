"""Company-side pages: registration statement and suspensions (RRA 2, 3),
liquidated damages (RRA 2(b)), first refusal and price protection (SPA
4(j)), Events of Default (Debenture 10), outbound notices (SPA 10) and
indemnification claims (Indemnification Agreement; RRA 6).

Clerks read every page; deal admins write (every POST). Thin views: form
-> one service -> redirect; on bad input the form is shown again with the
values and the service's sentence.
"""

from __future__ import annotations

import datetime
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from deals.forms import company as f
from deals.models import (
    Debenture,
    EventOfDefault,
    Financing,
    IndemnificationClaim,
    Investor,
    LiquidatedDamagesStatement,
    NewTransactionOffer,
    OfferResponse,
    OutboundNotice,
    PriceProtectionAdjustment,
    RegistrationAmendment,
)
from deals.services.calendar import business_date
from deals.services.company import claims as claims_svc
from deals.services.company import defaults as defaults_svc
from deals.services.company import liquidated_damages as ld_svc
from deals.services.company import outbound as outbound_svc
from deals.services.company import registration as reg_svc
from deals.services.company import rofr as rofr_svc
from deals.services.company import suspensions as susp_svc
from deals.services.company._common import buyers, primary_statement
from deals.services.obligations import obligations_for
from deals.services.roles import is_deal_admin
from deals.terms import events as ev
from deals.terms.suspensions import SuspensionRule

from .access import clerk_required

PER_PAGE = 25


def company_view(view):
    """Clerks (and deal admins) read; only deal admins may POST."""

    @clerk_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST" and not is_deal_admin(request.user):
            raise PermissionDenied("Deal admin role required to change company-side records.")
        return view(request, *args, **kwargs)

    return wrapper


def _apply_errors(form, err: ValidationError) -> None:
    """Put a service's ValidationError on the form (field errors where it names a field)."""
    if hasattr(err, "error_dict"):
        for field, errors in err.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, err)


def _page(request, qs):
    return Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))


COMPANY_NAV = [
    ("company_registration_home", "Registration statement", "RRA 2, 3"),
    ("company_damages_home", "Liquidated damages", "RRA 2(b)"),
    ("company_offers", "First refusal & price protection", "SPA 4(j)"),
    ("company_defaults", "Events of default", "Debenture 10"),
    ("company_notices", "Outbound notices & addresses", "SPA 10"),
    ("company_claims", "Indemnification claims", "Indemnification Agreement; RRA 6"),
]


def _nav():
    return [{"url": reverse(name), "label": label, "clause": clause, "name": name} for name, label, clause in COMPANY_NAV]


def _ctx(request, active: str, **extra) -> dict:
    return {"company_nav": _nav(), "active": active, "can_write": is_deal_admin(request.user), "as_of": business_date(), **extra}


def _series_j_or_404() -> Financing:
    fin = Financing.objects.filter(kind=Financing.Kind.SERIES_J).order_by("id").first()
    if fin is None:
        return None
    return fin


# --- index ------------------------------------------------------------------------


@company_view
@require_GET
def company_index(request):
    fin = _series_j_or_404()
    counts = {
        "offers_open": NewTransactionOffer.objects.filter(status__in=["open", "answered"]).count(),
        "defaults_open": EventOfDefault.objects.filter(status="open").count(),
        "claims": IndemnificationClaim.objects.count(),
        "notices": OutboundNotice.objects.count(),
    }
    return render(request, "deals/company/index.html", _ctx(request, "index", financing=fin, counts=counts))


# --- registration -----------------------------------------------------------------


@company_view
@require_GET
def registration_home(request):
    fin = _series_j_or_404()
    if fin is None:
        return render(request, "deals/company/empty.html", _ctx(request, "company_registration_home", what="Series J financing"))
    return redirect("company_registration", financing_id=fin.pk)


def _statement_initial(statement) -> dict:
    if statement is None:
        return {"shares_registered": 0}
    return {n: getattr(statement, n) for n in reg_svc.STATEMENT_FIELDS}


@company_view
def registration(request, financing_id: int):
    """RRA 2(a)(i)-(ii), 2(b)(i), 3(a), 3(c), 4(a)."""
    financing = get_object_or_404(Financing, pk=financing_id)
    as_of = business_date()
    statement = primary_statement(financing)
    form = f.RegistrationStatementForm(request.POST or None, initial=_statement_initial(statement))
    if request.method == "POST":
        if form.is_valid():
            try:
                reg_svc.registration_statement_save(financing=financing, data=form.cleaned_data, user=request.user, as_of=as_of)
            except ValidationError as err:
                _apply_errors(form, err)
            else:
                messages.success(request, "Registration statement saved.")
                return redirect("company_registration", financing_id=financing.pk)
    ov = reg_svc.registration_overview(financing=financing, as_of=as_of)
    amendment_forms = [
        (
            a,
            f.AmendmentForm(
                initial={"filed_date": a.filed_date, "effective_date": a.effective_date, "shares_added": a.shares_added}, prefix=f"a{a.pk}"
            ),
        )
        for a in ov.amendments
    ]
    return render(
        request,
        "deals/company/registration.html",
        _ctx(
            request,
            "company_registration_home",
            financing=financing,
            ov=ov,
            form=form,
            amendment_forms=amendment_forms,
            obligations=reg_svc.statement_obligations(ov.statement),
            suspensions=list(ov.statement.suspensions.order_by("start_date")) if ov.statement else [],
        ),
    )


@company_view
@require_POST
def registration_increased(request, financing_id: int):
    """RRA 2(a)(ii): record the business date as an Increased Registered Shares Date."""
    financing = get_object_or_404(Financing, pk=financing_id)
    try:
        amendment = reg_svc.increased_shares_record(financing=financing, user=request.user, as_of=business_date())
    except ValidationError as err:
        messages.error(request, " ".join(err.messages))
    else:
        inc = amendment.snapshot
        messages.success(
            request,
            f"Increased Registered Shares Date {amendment.increased_registered_shares_date.isoformat()} recorded: register "
            f"{inc['increased_shares_amount']:,} shares; amendment due "
            f"{inc['amendment_deadline'] or 'n/a (Additional Registration Statement)'}; "
            f"Required Effective Date {inc['required_effective_date']} (RRA 2(a)(ii), 2(b)(i)).",
        )
    return redirect("company_registration", financing_id=financing.pk)


@company_view
@require_POST
def amendment_update(request, pk: int):
    amendment = get_object_or_404(RegistrationAmendment.objects.select_related("statement"), pk=pk)
    form = f.AmendmentForm(request.POST, prefix=f"a{amendment.pk}")
    if form.is_valid():
        try:
            reg_svc.amendment_update(amendment=amendment, user=request.user, as_of=business_date(), **form.cleaned_data)
        except ValidationError as err:
            messages.error(request, " ".join(err.messages))
        else:
            messages.success(request, "Amendment saved (RRA 2(a)(ii)).")
    else:
        messages.error(request, "Amendment not saved: " + "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    return redirect("company_registration", financing_id=amendment.statement.financing_id)


# --- suspensions --------------------------------------------------------------------


RULE_TEXT = {r.value: r.name.replace("_", " ").lower() for r in SuspensionRule}


@company_view
def suspensions(request, financing_id: int):
    """RRA 3(h): record a Potential Material Event and its suspension; verdict before saving."""
    financing = get_object_or_404(Financing, pk=financing_id)
    statement = primary_statement(financing)
    form = f.SuspensionForm(request.POST or None)
    verdict = None
    if request.method == "POST" and statement is not None and form.is_valid():
        d = form.cleaned_data
        args = {
            "statement": statement,
            "notice_date": d["notice_date"],
            "start_date": d["start_date"],
            "end_date": d["end_date"],
            "notice_required": d["notice_required"],
        }
        try:
            if request.POST.get("action") == "save":
                period = susp_svc.suspension_record(reason=d["reason"], user=request.user, as_of=business_date(), **args)
                if period.permitted:
                    messages.success(request, "Suspension recorded: every day is within a Permitted Suspension Period (RRA 3(h)).")
                else:
                    messages.warning(
                        request,
                        f"Suspension recorded. {len(period.non_permitted_days)} day(s) are outside a Permitted Suspension Period: "
                        "they are Restricted Sale Dates and Periodic Amounts run (RRA 2(b)(ii)).",
                    )
                return redirect("company_suspensions", financing_id=financing.pk)
            verdict = susp_svc.suspension_preview(**args)
        except ValidationError as err:
            _apply_errors(form, err)
    periods = list(statement.suspensions.order_by("-start_date")) if statement else []
    return render(
        request,
        "deals/company/suspensions.html",
        _ctx(
            request,
            "company_registration_home",
            financing=financing,
            statement=statement,
            form=form,
            verdict=verdict,
            periods=periods,
            rule_text=RULE_TEXT,
        ),
    )


@company_view
@require_GET
def suspension_preview_json(request, financing_id: int):
    """RRA 3(h) verdict as JSON for the page's live check (nothing is saved)."""
    financing = get_object_or_404(Financing, pk=financing_id)
    statement = primary_statement(financing)
    form = f.SuspensionForm(request.GET)
    if statement is None:
        return JsonResponse({"ok": False, "errors": {"__all__": ["Record the registration statement first."]}}, status=400)
    if not form.is_valid():
        return JsonResponse({"ok": False, "errors": form.errors.get_json_data()}, status=400)
    d = form.cleaned_data
    try:
        verdict = susp_svc.suspension_preview(
            statement=statement,
            notice_date=d["notice_date"],
            start_date=d["start_date"],
            end_date=d["end_date"],
            notice_required=d["notice_required"],
        )
    except ValidationError as err:
        return JsonResponse({"ok": False, "errors": {"__all__": [{"message": m} for m in err.messages]}}, status=400)
    return JsonResponse({"ok": True, "verdict": verdict.as_dict()})


# --- liquidated damages ---------------------------------------------------------------


@company_view
@require_GET
def damages_home(request):
    fin = _series_j_or_404()
    if fin is None:
        return render(request, "deals/company/empty.html", _ctx(request, "company_damages_home", what="Series J financing"))
    return redirect("company_damages", financing_id=fin.pk)


@company_view
def damages(request, financing_id: int):
    """RRA 2(b): Periodic Amounts per investor; investors' sales of Conversion Shares."""
    financing = get_object_or_404(Financing, pk=financing_id)
    as_of = business_date()
    holders = [h[0] for h in buyers(financing)]
    investor_qs = Investor.objects.filter(pk__in=[i.pk for i in holders])
    form = f.ShareSaleForm(request.POST or None, investors=investor_qs)
    if request.method == "POST":
        if form.is_valid():
            try:
                ld_svc.share_sale_record(financing=financing, user=request.user, as_of=as_of, **form.cleaned_data)
            except ValidationError as err:
                _apply_errors(form, err)
            else:
                messages.success(request, "Sale recorded; Held Shares Values recomputed (RRA 2(b)(iii)).")
                return redirect("company_damages", financing_id=financing.pk)
    overview = ld_svc.damages_overview(financing=financing, as_of=as_of)
    found = ld_svc.triggers(financing=financing, as_of=as_of)
    return render(
        request,
        "deals/company/damages.html",
        _ctx(request, "company_damages_home", financing=financing, overview=overview, triggers=found, form=form),
    )


@company_view
def damages_investor(request, financing_id: int, investor_id: int):
    """RRA 2(b)(iii)-(iv), (vii): one investor's Periodic Amounts; mark paid; monthly statements."""
    financing = get_object_or_404(Financing, pk=financing_id)
    investor = get_object_or_404(Investor, pk=investor_id)
    as_of = business_date()
    pay_form = f.MarkPaidForm(request.POST or None, initial={"paid_date": as_of}) if request.POST.get("action") == "paid" else None
    stmt_form = f.StatementForm(request.POST or None) if request.POST.get("action") == "statement" else None
    if request.method == "POST":
        try:
            if pay_form is not None and pay_form.is_valid():
                d = pay_form.cleaned_data
                ld_svc.periodic_amount_mark_paid(
                    financing=financing,
                    investor=investor,
                    lateness=d["lateness"],
                    trigger_date=d["trigger_date"],
                    computation_date=d["computation_date"],
                    paid_date=d["paid_date"],
                    reference=d["reference"],
                    user=request.user,
                    as_of=as_of,
                )
                messages.success(request, f"Periodic Amount for {d['computation_date'].isoformat()} marked paid (RRA 2(b)(iv)).")
                return redirect("company_damages_investor", financing_id=financing.pk, investor_id=investor.pk)
            if stmt_form is not None and stmt_form.is_valid():
                stmt = ld_svc.ld_statement_create(
                    financing=financing,
                    investor=investor,
                    month=stmt_form.cleaned_data["month"],
                    user=request.user,
                    as_of=as_of,
                )
                messages.success(request, f"Statement for {stmt.month:%B %Y} created; its PDF is being rendered (Notices).")
                return redirect("company_damages_investor", financing_id=financing.pk, investor_id=investor.pk)
            bad = pay_form or stmt_form
            messages.error(
                request, "Not saved: " + ("; ".join(f"{k}: {' '.join(v)}" for k, v in bad.errors.items()) if bad else "unknown action.")
            )
        except ValidationError as err:
            messages.error(request, " ".join(err.messages))
    found = ld_svc.damages_overview(financing=financing, as_of=as_of, investor=investor)
    if not found:
        return render(request, "deals/company/empty.html", _ctx(request, "company_damages_home", what=f"Series J held by {investor}"))
    statements = list(LiquidatedDamagesStatement.objects.filter(financing=financing, investor=investor).order_by("-month", "-id")[:24])
    _attach_notices(statements)
    return render(
        request,
        "deals/company/damages_investor.html",
        _ctx(
            request,
            "company_damages_home",
            financing=financing,
            investor=investor,
            d=found[0],
            statement_form=f.StatementForm(initial={"month": as_of.replace(day=1)}),
            statements=statements,
        ),
    )


def _attach_notices(statements) -> None:
    """The current notice (PDF) of each statement, one query."""
    from django.contrib.contenttypes.models import ContentType

    from notices.models import Notice

    if not statements:
        return
    ct = ContentType.objects.get_for_model(LiquidatedDamagesStatement)
    by_id = {}
    for n in Notice.objects.filter(content_type=ct, object_id__in=[s.pk for s in statements], kind="ld_statement").order_by("version"):
        by_id[n.object_id] = n
    for s in statements:
        s.notice = by_id.get(s.pk)


# --- first refusal -----------------------------------------------------------------------


@company_view
@require_GET
def offers(request):
    """SPA 4(j): New Transaction Offers."""
    qs = (
        NewTransactionOffer.objects.select_related("financing", "restarts")
        .annotate(n_buyers=Count("responses"))
        .order_by("-sent_date", "-id")
    )
    return render(request, "deals/company/offers.html", _ctx(request, "company_offers", page=_page(request, qs)))


def _offer_buyers():
    fin = _series_j_or_404()
    return fin, ([h[0] for h in buyers(fin)] if fin else [])


@company_view
def offer_new(request, restart_of: int | None = None):
    """SPA 4(j)(i) (and (iii) when ``restart_of``): record a New Transaction Offer."""
    old = get_object_or_404(NewTransactionOffer, pk=restart_of) if restart_of else None
    fin, holders = _offer_buyers()
    if fin is None:
        return render(request, "deals/company/empty.html", _ctx(request, "company_offers", what="Series J financing"))
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
            "user": request.user,
            "as_of": business_date(),
        }
        try:
            offer = rofr_svc.offer_restart(offer=old, **args) if old else rofr_svc.offer_create(financing=fin, **args)
        except ValidationError as err:
            _apply_errors(form, err)
        else:
            messages.success(request, f"New Transaction Offer {offer.pk} recorded; answer deadlines are in the ledger (SPA 4(j)(i)).")
            return redirect("company_offer", pk=offer.pk)
    return render(request, "deals/company/offer_form.html", _ctx(request, "company_offers", form=form, old=old, financing=fin))


@company_view
def offer_detail(request, pk: int):
    """SPA 4(j)(i)-(v): one offer, its answers, allocation, consummation and price protection."""
    offer = get_object_or_404(
        NewTransactionOffer.objects.select_related("financing", "restarts").prefetch_related(
            Prefetch("responses", queryset=OfferResponse.objects.select_related("investor").order_by("id"))
        ),
        pk=pk,
    )
    as_of = business_date()
    action = request.POST.get("action")
    answer_form = f.AnswerForm(request.POST if action == "answer" else None, offer=offer, initial={"answered_date": as_of})
    cons_form = f.ConsummationForm(
        request.POST if action == "consummate" else None,
        offer=offer,
        initial={"consummated_date": as_of, **{k: v for k, v in offer.terms.items() if v}},
    )
    if request.method == "POST":
        try:
            if action == "answer" and answer_form.is_valid():
                d = answer_form.cleaned_data
                rofr_svc.offer_answer_record(
                    response=d["response"],
                    answer=d["answer"],
                    answered_date=d["answered_date"],
                    amount_exercised=d["amount_exercised"],
                    additional_requested=d["additional_requested"],
                    user=request.user,
                    as_of=as_of,
                )
                messages.success(request, "Answer recorded; allocation recomputed (SPA 4(j)(iv)).")
                return redirect("company_offer", pk=offer.pk)
            if action == "consummate" and cons_form.is_valid():
                rofr_svc.offer_consummate(
                    offer=offer,
                    consummated_date=cons_form.cleaned_data["consummated_date"],
                    final=cons_form.new_terms(),
                    new_financing=cons_form.cleaned_data.get("new_financing"),
                    user=request.user,
                    as_of=as_of,
                )
                messages.success(request, "Consummation recorded (SPA 4(j)(ii)). Check price protection below (SPA 4(j)(v)).")
                return redirect("company_offer", pk=offer.pk)
            if action == "protect":
                adj = rofr_svc.price_protection_confirm(offer=offer, user=request.user, as_of=as_of)
                messages.success(
                    request,
                    f"Deal terms v{adj.terms_version.version} effective {adj.effective_from.isoformat()} created and "
                    f"{len(adj.warrants_adjusted)} warrant(s) adjusted (SPA 4(j)(v)). Earlier conversions keep their terms.",
                )
                return redirect("company_offer", pk=offer.pk)
        except ValidationError as err:
            target = answer_form if action == "answer" else cons_form if action == "consummate" else None
            if target is not None:
                _apply_errors(target, err)
            else:
                messages.error(request, " ".join(err.messages))
    allocation = rofr_svc.offer_allocation(offer)
    proposal = adjustment = None
    if offer.status == NewTransactionOffer.Status.CONSUMMATED:
        adjustment = PriceProtectionAdjustment.objects.filter(offer=offer).select_related("terms_version").first()
        if adjustment is None:
            try:
                proposal = rofr_svc.price_protection_proposal(offer)
            except ValidationError as err:
                messages.error(request, " ".join(err.messages))
    deadline = rofr_svc.consummation_deadline(offer) if offer.responses.all() else None
    return render(
        request,
        "deals/company/offer_detail.html",
        _ctx(
            request,
            "company_offers",
            offer=offer,
            answer_form=answer_form,
            cons_form=cons_form,
            allocation=allocation,
            proposal=proposal,
            adjustment=adjustment,
            consummation_deadline=deadline,
            restarted_by=list(offer.restarted_by.all()),
            obligations=list(obligations_for(offer)),
        ),
    )


# --- events of default ---------------------------------------------------------------------


@company_view
def defaults(request):
    """Debenture 10: Events of Default register."""
    debentures = Debenture.objects.select_related("investor").order_by("number")
    form = f.DefaultForm(request.POST or None, debentures=debentures)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        fin = d["debenture"].financing if d["debenture"] else Financing.objects.filter(kind=Financing.Kind.DEBENTURE).order_by("id").first()
        if fin is None:
            form.add_error(None, "No debenture financing is recorded.")
        else:
            try:
                eod = defaults_svc.default_record(financing=fin, user=request.user, as_of=business_date(), **d)
            except ValidationError as err:
                _apply_errors(form, err)
            else:
                messages.success(request, f"Recorded {ev.EventOfDefault(eod.kind).clause}.")
                return redirect("company_default", pk=eod.pk)
    qs = EventOfDefault.objects.select_related("debenture__investor", "financing").order_by("-occurred_date", "-id")
    return render(
        request,
        "deals/company/defaults.html",
        _ctx(request, "company_defaults", page=_page(request, qs), form=form, kinds={e.value: e for e in ev.EventOfDefault}),
    )


@company_view
def default_detail(request, pk: int):
    eod = get_object_or_404(EventOfDefault.objects.select_related("debenture__investor", "financing"), pk=pk)
    as_of = business_date()
    form = f.DefaultActionForm(request.POST or None, initial={"on": as_of})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if d["action"] == "notice":
                defaults_svc.default_notice_record(eod=eod, written_notice_date=d["on"], as_of=as_of)
            elif d["action"] == "cure":
                defaults_svc.default_cure(eod=eod, cured_date=d["on"], as_of=as_of)
            elif d["action"] == "waive":
                defaults_svc.default_waive(eod=eod, waived_by=d["waived_by"], waived_date=d["on"], reference=d["reference"], as_of=as_of)
            else:
                defaults_svc.default_accelerate(eod=eod, accelerated_date=d["on"], as_of=as_of)
        except ValidationError as err:
            if hasattr(err, "error_dict"):
                form.add_error("on", [m for v in err.error_dict.values() for m in ValidationError(v).messages])
            else:
                form.add_error(None, err)
        else:
            messages.success(request, "Saved.")
            return redirect("company_default", pk=eod.pk)
    state = defaults_svc.assessment(eod, as_of)
    quote = None
    if eod.debenture_id and eod.status == EventOfDefault.Status.OPEN:
        try:
            quote = defaults_svc.acceleration_quote(eod, as_of)
        except ValidationError:
            quote = None
    return render(
        request,
        "deals/company/default_detail.html",
        _ctx(
            request,
            "company_defaults",
            eod=eod,
            event=ev.EventOfDefault(eod.kind),
            state=state,
            quote=quote,
            form=form,
            obligations=list(obligations_for(eod)),
        ),
    )


# --- outbound notices -------------------------------------------------------------------------


@company_view
def notices(request):
    """SPA 10: notices the company sends and investors' address changes."""
    which = request.POST.get("form")
    form = f.OutboundNoticeForm(request.POST if which == "notice" else None, prefix="n", initial={"sent_date": business_date()})
    addr_form = f.AddressChangeForm(request.POST if which == "address" else None, prefix="a")
    if request.method == "POST":
        try:
            if which == "notice" and form.is_valid():
                n = outbound_svc.outbound_notice_record(user=request.user, **form.cleaned_data)
                messages.success(request, f"Notice logged; deemed given {n.deemed_given_date.isoformat()} (SPA 10).")
                return redirect("company_notices")
            if which == "address" and addr_form.is_valid():
                c = outbound_svc.address_change_record(**addr_form.cleaned_data)
                messages.success(request, f"New address for {c.investor} takes effect {c.effective_date.isoformat()} (SPA 10).")
                return redirect("company_notices")
        except ValidationError as err:
            _apply_errors(form if which == "notice" else addr_form, err)
    qs = OutboundNotice.objects.select_related("investor").order_by("-sent_date", "-id")
    from deals.models import AddressChange

    changes = AddressChange.objects.select_related("investor").order_by("-notice_date", "-id")[:50]
    return render(
        request,
        "deals/company/notices.html",
        _ctx(request, "company_notices", page=_page(request, qs), form=form, addr_form=addr_form, changes=changes),
    )


@company_view
@require_GET
def deemed_given_json(request):
    """SPA 10 deemed-given date for a method and sending date (live hint on the form)."""
    method, sent = request.GET.get("method", ""), request.GET.get("sent_date", "")
    try:
        day = datetime.date.fromisoformat(sent)
        given = outbound_svc.deemed_given(method=method, sent_date=day)
    except (ValueError, KeyError, ValidationError) as err:
        return JsonResponse({"ok": False, "error": str(err)}, status=400)
    return JsonResponse({"ok": True, **given.as_dict()})


# --- claims ---------------------------------------------------------------------------------------


@company_view
def claims(request):
    """Indemnification Agreement 3-6; RRA 6: claims register."""
    form = f.ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            claim = claims_svc.claim_record(data=form.cleaned_data, user=request.user, as_of=business_date())
        except ValidationError as err:
            _apply_errors(form, err)
        else:
            messages.success(request, f"Claim {claim.pk} recorded.")
            return redirect("company_claims")
    qs = IndemnificationClaim.objects.order_by("-notice_date", "-id")
    return render(request, "deals/company/claims.html", _ctx(request, "company_claims", page=_page(request, qs), form=form))


@company_view
def claim_detail(request, pk: int):
    claim = get_object_or_404(IndemnificationClaim, pk=pk)
    form = f.ClaimForm(request.POST or None, instance=claim)
    if request.method == "POST" and form.is_valid():
        try:
            claims_svc.claim_update(claim=claim, data=form.cleaned_data, user=request.user, as_of=business_date())
        except ValidationError as err:
            _apply_errors(form, err)
        else:
            messages.success(request, "Claim updated.")
            return redirect("company_claim", pk=claim.pk)
    return render(
        request,
        "deals/company/claim_detail.html",
        _ctx(request, "company_claims", claim=claim, form=form, obligations=list(obligations_for(claim))),
    )


urlpatterns = [
    path("company/", company_index, name="company_index"),
    path("company/registration/", registration_home, name="company_registration_home"),
    path("company/registration/<int:financing_id>/", registration, name="company_registration"),
    path("company/registration/<int:financing_id>/increased/", registration_increased, name="company_registration_increased"),
    path("company/registration/amendments/<int:pk>/", amendment_update, name="company_amendment_update"),
    path("company/registration/<int:financing_id>/suspensions/", suspensions, name="company_suspensions"),
    path("company/registration/<int:financing_id>/suspensions/preview/", suspension_preview_json, name="company_suspension_preview"),
    path("company/damages/", damages_home, name="company_damages_home"),
    path("company/damages/<int:financing_id>/", damages, name="company_damages"),
    path("company/damages/<int:financing_id>/investors/<int:investor_id>/", damages_investor, name="company_damages_investor"),
    path("company/offers/", offers, name="company_offers"),
    path("company/offers/new/", offer_new, name="company_offer_new"),
    path("company/offers/<int:restart_of>/restart/", offer_new, name="company_offer_restart"),
    path("company/offers/<int:pk>/", offer_detail, name="company_offer"),
    path("company/defaults/", defaults, name="company_defaults"),
    path("company/defaults/<int:pk>/", default_detail, name="company_default"),
    path("company/notices/", notices, name="company_notices"),
    path("company/notices/deemed-given/", deemed_given_json, name="company_deemed_given"),
    path("company/claims/", claims, name="company_claims"),
    path("company/claims/<int:pk>/", claim_detail, name="company_claim"),
]
