"""Registration statement, Increased Registered Shares Dates and amendments
(RRA 2(a), 2(b)(i), 3(a), 3(c), 4(a)); suspensions (RRA 3(h))."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from deals.forms import company as f
from deals.models import Financing, RegistrationAmendment
from deals.services.calendar import business_date
from deals.services.company import registration as reg_svc
from deals.services.company import suspensions as susp_svc
from deals.services.company._common import primary_statement
from deals.terms.suspensions import SuspensionRule

from ._base import apply_errors, company_view, ctx, form_errors_text, series_j


@company_view
@require_GET
def registration_home(request):
    fin = series_j()
    if fin is None:
        return render(request, "deals/company/empty.html", ctx(request, "company_registration_home", what="Series J financing"))
    return redirect("company_registration", financing_id=fin.pk)


def _statement_initial(statement) -> dict:
    if statement is None:
        return {"shares_registered": 0}
    return {n: getattr(statement, n) for n in reg_svc.STATEMENT_FIELDS}


@company_view
def registration(request, financing_id: int):
    """RRA 2(a)(i)-(ii), 2(b)(i), 3(a), 3(c), 4(a): the statement page; POST saves the statement."""
    financing = get_object_or_404(Financing, pk=financing_id)
    as_of = business_date()
    statement = primary_statement(financing)
    form = f.RegistrationStatementForm(request.POST or None, initial=_statement_initial(statement))
    if request.method == "POST":
        if form.is_valid():
            try:
                reg_svc.registration_statement_save(financing=financing, data=form.cleaned_data, user=request.user, as_of=as_of)
            except ValidationError as err:
                apply_errors(form, err)
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
        ctx(
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
    """RRA 2(a)(ii): the amendment's filing and effective dates and shares added."""
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
        messages.error(request, "Amendment not saved: " + form_errors_text(form))
    return redirect("company_registration", financing_id=amendment.statement.financing_id)


# --- suspensions (RRA 3(h)) ---------------------------------------------------------------


RULE_TEXT = {r.value: r.name.replace("_", " ").lower() for r in SuspensionRule}


def _suspension_args(statement, d: dict) -> dict:
    return {
        "statement": statement,
        "notice_date": d["notice_date"],
        "start_date": d["start_date"],
        "end_date": d["end_date"],
        "notice_required": d["notice_required"],
        "notice_method": d.get("notice_method") or "",
    }


def _render_suspensions(request, financing, statement, form, verdict=None):
    periods = list(statement.suspensions.order_by("-start_date")) if statement else []
    return render(
        request,
        "deals/company/suspensions.html",
        ctx(
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
def suspensions(request, financing_id: int):
    """RRA 3(h): the suspensions page; POST checks a proposed suspension (nothing is saved)."""
    financing = get_object_or_404(Financing, pk=financing_id)
    statement = primary_statement(financing)
    form = f.SuspensionForm(request.POST or None)
    verdict = None
    if request.method == "POST" and statement is not None and form.is_valid():
        try:
            verdict = susp_svc.suspension_preview(**_suspension_args(statement, form.cleaned_data))
        except ValidationError as err:
            apply_errors(form, err)
    return _render_suspensions(request, financing, statement, form, verdict)


@company_view
@require_POST
def suspension_save(request, financing_id: int):
    """RRA 3(h): record a Potential Material Event notice and its suspension."""
    financing = get_object_or_404(Financing, pk=financing_id)
    statement = primary_statement(financing)
    form = f.SuspensionForm(request.POST)
    if statement is None:
        form.add_error(None, "Record the registration statement first.")
    elif form.is_valid():
        d = form.cleaned_data
        try:
            period = susp_svc.suspension_record(
                reason=d["reason"], user=request.user, as_of=business_date(), **_suspension_args(statement, d)
            )
        except ValidationError as err:
            apply_errors(form, err)
        else:
            if period.permitted:
                messages.success(request, "Suspension recorded: every day is within a Permitted Suspension Period (RRA 3(h)).")
            else:
                messages.warning(
                    request,
                    f"Suspension recorded. {len(period.non_permitted_days)} day(s) are outside a Permitted Suspension Period: "
                    "they are Restricted Sale Dates and Periodic Amounts run (RRA 2(b)(ii)).",
                )
            return redirect("company_suspensions", financing_id=financing.pk)
    return _render_suspensions(request, financing, statement, form)


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
    try:
        verdict = susp_svc.suspension_preview(**_suspension_args(statement, form.cleaned_data))
    except ValidationError as err:
        return JsonResponse({"ok": False, "errors": {"__all__": [{"message": m} for m in err.messages]}}, status=400)
    return JsonResponse({"ok": True, "verdict": verdict.as_dict()})
