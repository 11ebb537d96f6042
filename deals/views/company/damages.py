"""Liquidated damages (RRA 2(b)): Periodic Amounts per investor, their
payment, monthly statements and investors' sales of Conversion Shares."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from deals.forms import company as f
from deals.models import Approval, ExcusedDelay, Financing, Investor, LiquidatedDamagesStatement, Transfer
from deals.services.approvals import payment_threshold
from deals.services.calendar import business_date
from deals.services.company import liquidated_damages as ld_svc
from deals.services.company._common import buyers
from nhtc.formatting import money

from ._base import apply_errors, company_view, ctx, form_errors_text, page_of, series_j


@company_view
@require_GET
def damages_home(request):
    fin = series_j()
    if fin is None:
        return render(request, "deals/company/empty.html", ctx(request, "company_damages_home", what="Series J financing"))
    return redirect("company_damages", financing_id=fin.pk)


@company_view
def damages(request, financing_id: int):
    """RRA 2(b): Periodic Amounts per investor; POST records an investor's sale of Conversion Shares."""
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
                apply_errors(form, err)
            else:
                messages.success(request, "Sale recorded; Held Shares Values recomputed (RRA 2(b)(iii)).")
                return redirect("company_damages", financing_id=financing.pk)
    return _render_damages(request, financing, form=form, holders=holders)


def _excused_form(financing, data=None, holders=None):
    holders = [h[0] for h in buyers(financing)] if holders is None else holders
    return f.ExcusedDelayForm(
        data,
        investors=Investor.objects.filter(pk__in=[i.pk for i in holders]),
        transfers=Transfer.objects.filter(financing=financing).order_by("-id"),
    )


def _render_damages(request, financing, *, form=None, excused_form=None, status: int = 200, holders=None):
    """The page; ``holders``: the financing's Buyers when the view already read them (one read)."""
    as_of = business_date()
    holders = [h[0] for h in buyers(financing)] if holders is None else holders
    if form is None:
        form = f.ShareSaleForm(investors=Investor.objects.filter(pk__in=[i.pk for i in holders]))
    # the investors are paged (issue 17): the figures are computed for the page's investors only
    page = page_of(request, holders)
    overview = ld_svc.damages_overview(financing=financing, as_of=as_of, investor_ids=[i.pk for i in page.object_list])
    found = ld_svc.triggers(financing=financing, as_of=as_of)
    delays = ExcusedDelay.objects.filter(financing=financing).select_related("investor", "created_by", "withdrawn_by").order_by(
        "first_day", "id"
    )
    return render(
        request,
        "deals/company/damages.html",
        ctx(
            request, "company_damages_home", financing=financing, overview=overview, triggers=found, form=form,
            excused_form=excused_form or _excused_form(financing, holders=holders), delays=delays, page=page,
        ),
        status=status,
    )


@company_view
@require_POST
def damages_excused(request, financing_id: int):
    """RRA 2(b)(vi)(i), RRA 9: a deal admin records days of a delay on which no Periodic Amount is payable."""
    financing = get_object_or_404(Financing, pk=financing_id)
    form = _excused_form(financing, request.POST)
    if form.is_valid():
        try:
            delay = ld_svc.excused_delay_record(financing=financing, user=request.user, as_of=business_date(), **form.cleaned_data)
        except ValidationError as err:
            apply_errors(form, err)
        else:
            messages.success(
                request, f"{delay.days} day(s) {delay.first_day.isoformat()}..{delay.last_day.isoformat()} excused "
                f"({delay.get_cause_display()}); Periodic Amounts recomputed."
            )
            return redirect("company_damages", financing_id=financing.pk)
    return _render_damages(request, financing, excused_form=form, status=400)


@company_view
@require_POST
def damages_excused_withdraw(request, financing_id: int, pk: int):
    """Withdraw a mistaken excused delay (kept with who, when and why)."""
    financing = get_object_or_404(Financing, pk=financing_id)
    delay = get_object_or_404(ExcusedDelay, pk=pk, financing=financing)
    form = f.WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not withdrawn: " + form_errors_text(form))
        return _render_damages(request, financing, status=400)
    try:
        ld_svc.excused_delay_withdraw(delay=delay, reason=form.cleaned_data["reason"], user=request.user, as_of=business_date())
    except ValidationError as err:
        messages.error(request, "Not withdrawn: " + " ".join(err.messages))
        return _render_damages(request, financing, status=400)
    messages.success(request, "Excused delay withdrawn; Periodic Amounts recomputed (RRA 2(b)(vi)).")
    return redirect("company_damages", financing_id=financing.pk)


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


def _render_investor(request, financing, investor, *, status: int = 200):
    as_of = business_date()
    found = ld_svc.damages_overview(financing=financing, as_of=as_of, investor=investor)
    if not found:
        return render(
            request, "deals/company/empty.html", ctx(request, "company_damages_home", what=f"Series J held by {investor}"), status=status
        )
    statements = list(LiquidatedDamagesStatement.objects.filter(financing=financing, investor=investor).order_by("-month", "-id")[:24])
    _attach_notices(statements)
    return render(
        request,
        "deals/company/damages_investor.html",
        ctx(
            request,
            "company_damages_home",
            financing=financing,
            investor=investor,
            d=found[0],
            statement_form=f.StatementForm(initial={"month": as_of.replace(day=1)}),
            statements=statements,
        ),
        status=status,
    )


def _financing_and_investor(financing_id: int, investor_id: int):
    return get_object_or_404(Financing, pk=financing_id), get_object_or_404(Investor, pk=investor_id)


@company_view
@require_GET
def damages_investor(request, financing_id: int, investor_id: int):
    """RRA 2(b)(iii)-(iv), (vii): one investor's Periodic Amounts and monthly statements."""
    financing, investor = _financing_and_investor(financing_id, investor_id)
    return _render_investor(request, financing, investor)


@company_view
@require_POST
def damages_mark_paid(request, financing_id: int, investor_id: int):
    """RRA 2(b)(iv): mark one Periodic Amount paid."""
    financing, investor = _financing_and_investor(financing_id, investor_id)
    as_of = business_date()
    form = f.MarkPaidForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not saved: " + form_errors_text(form))
        return _render_investor(request, financing, investor)
    d = form.cleaned_data
    try:
        result = ld_svc.periodic_amount_mark_paid(
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
    except ValidationError as err:
        messages.error(request, " ".join(err.messages))
        return _render_investor(request, financing, investor)
    if isinstance(result, Approval):
        messages.warning(
            request,
            f"Payment of {money(result.amount)} for the Periodic Amount of {d['computation_date'].isoformat()} is above the "
            f"{money(payment_threshold())} approval threshold: pending approval #{result.pk}; a second deal admin records "
            "it (issue 12, four eyes).",
        )
    else:
        messages.success(request, f"Periodic Amount for {d['computation_date'].isoformat()} marked paid (RRA 2(b)(iv)).")
    return redirect("company_damages_investor", financing_id=financing.pk, investor_id=investor.pk)


@company_view
@require_POST
def damages_statement(request, financing_id: int, investor_id: int):
    """RRA 2(b)(iv): create one month's statement (its PDF is rendered by the notices worker)."""
    financing, investor = _financing_and_investor(financing_id, investor_id)
    form = f.StatementForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not saved: " + form_errors_text(form))
        return _render_investor(request, financing, investor)
    try:
        stmt = ld_svc.ld_statement_create(
            financing=financing, investor=investor, month=form.cleaned_data["month"], user=request.user, as_of=business_date()
        )
    except ValidationError as err:
        messages.error(request, " ".join(err.messages))
        return _render_investor(request, financing, investor)
    messages.success(request, f"Statement for {stmt.month:%B %Y} created; its PDF is being rendered (Notices).")
    return redirect("company_damages_investor", financing_id=financing.pk, investor_id=investor.pk)
