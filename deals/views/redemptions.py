"""Debenture redemptions (Debenture 4(B)): deal admins give notice and record payment; clerks may look."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deals.forms.redemptions import PaymentForm, RedemptionForm
from deals.models import Approval, Redemption, RedemptionStatus
from deals.pagination import ListPaginator
from deals.selectors.conversions import obligations_of
from deals.services import redemptions as svc
from deals.services.approvals import payment_threshold
from deals.services.calendar import business_date
from deals.services.conversions import WorkflowError
from nhtc.formatting import money

from .access import clerk_required, deal_admin_required
from .conversions import PAGE_SIZE, add_workflow_error


@require_GET
@clerk_required
def redemption_list(request):
    qs = Redemption.objects.select_related("debenture__investor").order_by("-notice_date", "-id")
    page = ListPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "deals/redemptions/list.html", {"page": page, "querystring": ""})


def _form_page(request, form):
    return render(request, "deals/redemptions/form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@deal_admin_required
def redemption_new(request):
    if request.method == "GET":
        today = business_date()
        initial = {"notice_date": today, "received_date": today}
        if request.GET.get("debenture", "").isdigit():
            initial["debenture"] = int(request.GET["debenture"])
        return _form_page(request, RedemptionForm(initial=initial))
    form = RedemptionForm(request.POST)
    if "_edit" in request.POST or not form.is_valid():
        form.is_valid()
        return _form_page(request, form)
    d = form.cleaned_data
    try:
        quote = svc.redemption_preview(debenture=d["debenture"], notice_date=d["notice_date"], received_date=d["received_date"],
                                       notice_method=d.get("notice_method") or "")
    except WorkflowError as err:
        add_workflow_error(form, err)
        return _form_page(request, form)
    return render(request, "deals/redemptions/review.html", {"form": form, "q": quote, "debenture": d["debenture"]})


@require_POST
@deal_admin_required
def redemption_confirm(request):
    form = RedemptionForm(request.POST)
    if not form.is_valid():
        return _form_page(request, form)
    d = form.cleaned_data
    try:
        red = svc.redemption_notice(
            debenture=d["debenture"],
            notice_date=d["notice_date"],
            received_date=d["received_date"],
            idempotency_key=d["idempotency_key"],
            user=request.user,
            notice_method=d.get("notice_method") or "",
        )
    except WorkflowError as err:
        add_workflow_error(form, err)
        return _form_page(request, form)
    if red.replayed:
        messages.info(request, "This Notice of Redemption was already recorded; nothing was added.")
    else:
        messages.success(request, f"Notice of Redemption recorded: ${red.total_amount:,.2f} due by {red.payment_due_date.isoformat()}.")
    return redirect("redemption_detail", pk=red.pk)


def _load(pk):
    return get_object_or_404(Redemption.objects.select_related("debenture__investor", "terms_version", "created_by"), pk=pk)


def _detail(request, red, form=None, status=200):
    if form is None and red.status == RedemptionStatus.PENDING:
        form = PaymentForm(initial={"payment_date": business_date()})
    obligations = list(obligations_of(red))
    pending = list(Approval.objects.filter(obligation__in=[o.pk for o in obligations], status="pending")
                   .select_related("maker").order_by("pk"))
    return render(
        request,
        "deals/redemptions/detail.html",
        {"r": red, "form": form, "state": svc.redemption_state(red), "obligations": obligations,
         "pending_approvals": pending},
        status=status,
    )


@require_GET
@clerk_required
def redemption_detail(request, pk: int):
    return _detail(request, _load(pk))


@require_POST
@deal_admin_required
def redemption_pay(request, pk: int):
    red = _load(pk)
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            red = svc.redemption_payment_record(redemption=red, payment_date=form.cleaned_data["payment_date"], user=request.user,
                                                method=form.cleaned_data["method"], reference=form.cleaned_data["reference"])
        except WorkflowError as err:
            add_workflow_error(form, err)
        else:
            if isinstance(red, Approval):
                messages.warning(
                    request,
                    f"Payment of {money(red.amount)} is above the {money(payment_threshold())} approval threshold: pending "
                    f"approval #{red.pk}; a second deal admin records it, then the Debenture is redeemed (issue 12).",
                )
            elif red.status == RedemptionStatus.VOID:
                messages.warning(
                    request,
                    f"Paid after the due date {red.payment_due_date.isoformat()}: the Notice of Redemption is void and the "
                    "right to redeem this Debenture has ended (Debenture 4(B)(ii)).",
                )
            else:
                messages.success(request, f"Redemption paid: ${red.total_amount:,.2f}; {red.debenture.label} is redeemed.")
            return redirect("redemption_detail", pk=pk)
    messages.error(request, "Nothing was recorded; see the form below.")
    return _detail(request, red, form=form, status=400)


urlpatterns = [
    path("redemptions/", redemption_list, name="redemption_list"),
    path("redemptions/new/", redemption_new, name="redemption_new"),
    path("redemptions/confirm/", redemption_confirm, name="redemption_confirm"),
    path("redemptions/<int:pk>/", redemption_detail, name="redemption_detail"),
    path("redemptions/<int:pk>/pay/", redemption_pay, name="redemption_pay"),
]
