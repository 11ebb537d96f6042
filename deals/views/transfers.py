"""Transfers and restrictions (SPA 2(b), 4(a), 4(b), 5(a), 5(e); RRA 9; Debenture 1, 3, 7, 8):
clerks read everything and give share delivery instructions; deal admins record transfers,
legend removals, exchanges and Sales."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deals.forms.transfers import (
    ExchangeForm,
    InstructedForm,
    LegendRemovalForm,
    RegisterForm,
    SaleForm,
    SalePrepaymentForm,
    TAInstructionForm,
    TransferForm,
)
from deals.models import Conversion, Financing, LegendRemoval, SaleEvent, Transfer, TransferAgentInstruction, WarrantExercise
from deals.ordering import natural
from deals.pagination import ListPaginator
from deals.selectors.closing import RegisterLines, RestrictionLines, maturity_dates
from deals.services import transfers as svc
from deals.services.calendar import business_date
from deals.services.conversions import WorkflowError, money
from deals.services.ledger.writer import obligations_for
from deals.services.roles import is_deal_admin

from .access import clerk_required, deal_admin_required
from .conversions import PAGE_SIZE, add_workflow_error


@require_GET
@clerk_required
def transfers_index(request):
    today = business_date()
    qs = Transfer.objects.select_related("transferor", "transferee", "preferred__financing", "warrant", "debenture").order_by(
        "-transfer_date", "-id"
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "deals/transfers/index.html",
        {
            "today": today,
            "page": page,
            # a page of the restriction lines (issue 17): only its instruments are read
            "restrictions": ListPaginator(RestrictionLines(today), PAGE_SIZE).get_page(request.GET.get("rpage")),
            "removals": LegendRemoval.objects.select_related("investor")[:50],
            "sales": SaleEvent.objects.select_related("financing").prefetch_related("prepayments__debenture")[:20],
            "instructions": TransferAgentInstruction.objects.select_related("investor")[:20],
            "can_write": is_deal_admin(request.user),
        },
    )


TITLES = {
    "transfer_new": ("Record a transfer", "SPA 2(b), 4(a); RRA 9; Debenture 1, 3"),
    "exchange_new": ("Exchange debenture denominations", "Debenture 1"),
    "legend_new": ("Legend removal", "SPA 4(b), 5(a)"),
    "sale_new": ("Record a Sale", "Debenture 7"),
    "sale_prepay": ("Record a prepayment before a Sale", "Debenture 7"),
}


def _form_view(request, form, template, call, success, redirect_to):
    if request.method == "POST" and form.is_valid():
        try:
            obj = call(form.cleaned_data)
        except WorkflowError as err:
            add_workflow_error(form, err)
        else:
            messages.success(request, success(obj))
            return redirect_to(obj)
    if form.errors:
        messages.error(request, "Nothing was recorded; see the form.")
    title, clause = TITLES.get(request.resolver_match.url_name, ("", ""))
    ctx = {"form": form, "title": title, "clause": clause, "multipart": form.is_multipart()}
    return render(request, template, ctx, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@deal_admin_required
def transfer_new(request):
    today = business_date()
    form = TransferForm(request.POST or None, initial={"transfer_date": today, "notice_to_company_date": today})

    def call(d):
        src = d.pop("source")
        return svc.transfer_submit(source=src, user=request.user, **d)

    return _form_view(
        request, form, "deals/transfers/form.html", call,
        lambda t: f"Transfer #{t.pk} recorded; registration rights {'follow' if t.rights_follow else 'do not follow'} (RRA 9).",
        lambda t: redirect("transfer_detail", pk=t.pk),
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
@deal_admin_required
def exchange_new(request):
    form = ExchangeForm(request.POST or None, initial={"exchange_date": business_date()})
    return _form_view(
        request, form, "deals/transfers/form.html",
        lambda d: svc.debenture_exchange(user=request.user, **d),
        lambda t: f"Exchange recorded: {', '.join(t.snapshot.get('new_debentures', []))} issued.",
        lambda t: redirect("transfer_detail", pk=t.pk),
    )  # fmt: skip


@require_GET
@clerk_required
def transfer_detail(request, pk: int):
    t = get_object_or_404(
        Transfer.objects.select_related(
            "transferor", "transferee", "preferred__financing", "warrant", "debenture", "new_preferred", "new_warrant"
        ),
        pk=pk,
    )
    return render(request, "deals/transfers/detail.html", {"t": t, "new_debentures": list(t.new_debentures.order_by(*natural("number")))})


@require_http_methods(["GET", "POST"])
@deal_admin_required
def legend_new(request):
    today = business_date()
    form = LegendRemovalForm(request.POST or None, request.FILES or None, initial={"opinion_date": today, "opinion_received": today})
    return _form_view(
        request, form, "deals/transfers/form.html",
        lambda d: svc.legend_removal_request(user=request.user, **d),
        lambda r: f"Legend removal recorded; instruction due by {r.due_date.isoformat()} (SPA 4(b), 5(a)).",
        lambda r: redirect("legend_detail", pk=r.pk),
    )  # fmt: skip


def _legend_page(request, removal, form=None, status=200):
    if form is None and removal.status == LegendRemoval.Status.PENDING and is_deal_admin(request.user):
        form = InstructedForm(initial={"instructed_on": business_date()})
    return render(
        request, "deals/transfers/legend_detail.html",
        {"r": removal, "form": form, "obligations": list(obligations_for(removal))}, status=status,
    )  # fmt: skip


@require_GET
@clerk_required
def legend_detail(request, pk: int):
    return _legend_page(request, get_object_or_404(LegendRemoval.objects.select_related("investor", "financing"), pk=pk))


@require_POST
@deal_admin_required
def legend_instructed(request, pk: int):
    removal = get_object_or_404(LegendRemoval, pk=pk)
    form = InstructedForm(request.POST)
    if form.is_valid():
        try:
            svc.legend_removal_instructed(removal=removal, instructed_on=form.cleaned_data["instructed_on"], user=request.user)
        except WorkflowError as err:
            add_workflow_error(form, err)
        else:
            messages.success(request, "Instruction recorded; the deadline is closed.")
            return redirect("legend_detail", pk=pk)
    messages.error(request, "Nothing was recorded; see the form.")
    return _legend_page(request, removal, form=form, status=400)


@require_http_methods(["GET", "POST"])
@deal_admin_required
def sale_new(request):
    today = business_date()
    form = SaleForm(request.POST or None, initial={"notice_date": today, "notice_received": today})
    return _form_view(
        request, form, "deals/transfers/form.html",
        lambda d: svc.sale_event_record(user=request.user, **d),
        lambda s: f"Sale recorded; holders may convert until {s.convert_by.isoformat()} (Debenture 7).",
        lambda s: redirect("transfers_index"),
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
@deal_admin_required
def sale_prepay(request):
    """Debenture 7: "the Company may prepay all outstanding principal and accrued interest ... less all
    amounts required by law to be deducted, upon which tender of payment ... the right of conversion
    shall terminate" (deal admins; the service refuses a tender before the Holder declined or the
    window ended)."""
    today = business_date()
    initial = {"tender_date": today}
    sale_id = request.GET.get("sale", "")
    if sale_id.isdigit():
        initial["sale"] = int(sale_id)
    form = SalePrepaymentForm(request.POST or None, initial=initial)
    return _form_view(
        request, form, "deals/transfers/form.html",
        lambda d: svc.sale_prepayment_record(user=request.user, **d),
        lambda p: (f"Prepayment of {p.debenture.label} recorded: {money(p.gross_amount)} (principal {money(p.principal)} + "
                   f"interest {money(p.interest)}), {money(p.net_amount)} tendered; the right of conversion terminated "
                   f"on {p.tender_date.isoformat()} (Debenture 7)."),
        lambda p: redirect("transfers_index"),
    )  # fmt: skip


@require_GET
@clerk_required
def register(request):
    form = RegisterForm(request.GET or None, initial={"on": business_date()})
    ctx = {"form": form}
    fin = day = None
    if form.is_bound and form.is_valid():
        fin, day = form.cleaned_data["financing"], form.cleaned_data["on"]
    elif not form.is_bound:
        fin = Financing.objects.filter(kind=Financing.Kind.DEBENTURE).order_by("name").first()
        if fin:
            day = business_date()
            ctx["form"] = form = RegisterForm(initial={"financing": fin, "on": day})
    if fin is not None:
        # pages of the register (issue 17): only a page's D-numbers are read in full
        ctx.update({"lines": ListPaginator(RegisterLines(fin, day), PAGE_SIZE).get_page(request.GET.get("page")), "on": day})
        maturity, record = maturity_dates(fin)
        holders = ListPaginator(RegisterLines(fin, record), PAGE_SIZE).get_page(request.GET.get("rpage")) if record else None
        ctx.update({"financing": fin, "maturity": maturity, "record_date": record, "record_holders": holders,
                    "querystring": f"financing={fin.pk}&on={day.isoformat()}"})
    return render(request, "deals/transfers/register.html", ctx, status=400 if form.is_bound and form.errors else 200)


@require_http_methods(["GET", "POST"])
@clerk_required
def ta_new(request):
    src = request.GET.get("conversion") or request.POST.get("conversion")
    ex = request.GET.get("exercise") or request.POST.get("exercise")
    if src and src.isdigit():
        record = get_object_or_404(Conversion.objects.select_related("investor"), pk=src)
    elif ex and ex.isdigit():
        record = get_object_or_404(WarrantExercise.objects.select_related("investor"), pk=ex)
    else:
        messages.error(request, "Open the instruction from a conversion or an exercise.")
        return redirect("transfers_index")
    form = TAInstructionForm(
        request.POST or None, initial={"registered_name": record.investor.legal_name, "instruction_date": business_date()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            ins = svc.ta_instruction_create(record=record, user=request.user, **form.cleaned_data)
        except WorkflowError as err:
            add_workflow_error(form, err)
        else:
            messages.success(request, "Instruction letter requested.")
            return redirect("ta_detail", pk=ins.pk)
    if form.errors:
        messages.error(request, "Nothing was recorded; see the form.")
    return render(
        request, "deals/transfers/ta_form.html", {"form": form, "record": record, "is_conversion": isinstance(record, Conversion)},
        status=400 if form.errors else 200,
    )  # fmt: skip


@require_GET
@clerk_required
def ta_detail(request, pk: int):
    ins = get_object_or_404(TransferAgentInstruction.objects.select_related("investor", "conversion", "exercise"), pk=pk)
    return render(request, "deals/transfers/ta_detail.html", {"i": ins})


urlpatterns = [
    path("transfers/", transfers_index, name="transfers_index"),
    path("transfers/new/", transfer_new, name="transfer_new"),
    path("transfers/exchange/", exchange_new, name="exchange_new"),
    path("transfers/<int:pk>/", transfer_detail, name="transfer_detail"),
    path("transfers/legends/new/", legend_new, name="legend_new"),
    path("transfers/legends/<int:pk>/", legend_detail, name="legend_detail"),
    path("transfers/legends/<int:pk>/instructed/", legend_instructed, name="legend_instructed"),
    path("transfers/sales/new/", sale_new, name="sale_new"),
    path("transfers/sales/prepay/", sale_prepay, name="sale_prepay"),
    path("transfers/register/", register, name="debenture_register"),
    path("transfers/instructions/new/", ta_new, name="ta_new"),
    path("transfers/instructions/<int:pk>/", ta_detail, name="ta_detail"),
]
