"""Outbound notices and investors' address changes (SPA 10)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from deals.forms import company as f
from deals.models import AddressChange, OutboundNotice
from deals.services.calendar import business_date
from deals.services.company import outbound as outbound_svc

from ._base import apply_errors, company_view, ctx, page_of


def _render(request, *, form=None, addr_form=None):
    form = form or f.OutboundNoticeForm(prefix="n", initial={"sent_date": business_date()})
    addr_form = addr_form or f.AddressChangeForm(prefix="a")
    qs = OutboundNotice.objects.select_related("investor").order_by("-sent_date", "-id")
    changes = AddressChange.objects.select_related("investor").order_by("-notice_date", "-id")[:50]
    return render(
        request,
        "deals/company/notices.html",
        ctx(request, "company_notices", page=page_of(request, qs), form=form, addr_form=addr_form, changes=changes),
    )


@company_view
@require_GET
def notices(request):
    """SPA 10: notices the company sends and investors' address changes."""
    return _render(request)


@company_view
@require_POST
def notice_log(request):
    """SPA 10: log a notice the company sent; its deemed-given date is computed."""
    form = f.OutboundNoticeForm(request.POST, prefix="n")
    if form.is_valid():
        try:
            n = outbound_svc.outbound_notice_record(user=request.user, **form.cleaned_data)
        except ValidationError as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"Notice logged; deemed given {n.deemed_given_date.isoformat()} (SPA 10).")
            return redirect("company_notices")
    return _render(request, form=form)


@company_view
@require_POST
def address_change(request):
    """SPA 10: an investor's new address, effective 10 days after its notice is given."""
    form = f.AddressChangeForm(request.POST, prefix="a")
    if form.is_valid():
        try:
            c = outbound_svc.address_change_record(**form.cleaned_data)
        except ValidationError as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"New address for {c.investor} takes effect {c.effective_date.isoformat()} (SPA 10).")
            return redirect("company_notices")
    return _render(request, addr_form=form)


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
