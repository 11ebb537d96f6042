"""The books: an obligation's page (working, settlements, balance, "Record payment" / "Waive"
for deal admins; clerks read-only), the amount due on a chosen payment date (JSON for the form),
the Aging page with its CSV export, and statements of account per investor (PDF via notices).

Every figure comes from ``deals.selectors.settlements``; every write from
``deals.services.ledger``. Function views, as in the rest of the app.
"""

from __future__ import annotations

import csv
import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deals.forms.ledger import AgingFilterForm, PaymentForm, ReverseForm, StatementForm, WaiverForm
from deals.models import AccountStatement, Approval, Investor, Obligation, Settlement
from deals.selectors.settlements import (
    MONEY_KINDS,
    PAYMENT_DATED,
    UNSETTLED,
    AmountUnavailable,
    aging,
    aging_rows,
    amount_due_on,
    arose_on,
    business_days_overdue,
    settlements_of,
    statement_of_account,
)
from deals.services.approvals import settlement_submit
from deals.services.calendar import business_date
from deals.services.conversions import WorkflowError
from deals.services.csv_cells import safe_cell
from deals.services.ledger.settlements import settlement_reverse
from deals.services.ledger.statements import account_statement_create
from deals.services.roles import is_deal_admin
from nhtc.formatting import money

from .access import clerk_required, deal_admin_required
from .deadlines import source_link

PAGE_SIZE = 50
INVESTORS_PER_PAGE = 25


def _detail_context(request, ob: Obligation, *, payment_form=None, waiver_form=None, reverse_form=None, error=None) -> dict:
    as_of = business_date()
    admin = is_deal_admin(request.user)
    money = ob.kind in MONEY_KINDS and ob.amount is not None
    due, due_error = None, None
    if money:
        try:
            due = amount_due_on(ob, as_of)
        except AmountUnavailable as err:
            due_error = str(err)
    entries = list(settlements_of(ob))
    payee = _maturity_payee(ob) if ob.kind == "maturity" else None
    can_settle = admin and money and ob.status in UNSETTLED
    initial = {"date": as_of, "amount": f"{due.balance:.2f}" if due else ""}
    return {
        "ob": ob, "as_of": as_of, "due": due, "due_error": due_error, "money": money, "entries": entries,
        "arose_on": arose_on(ob) if money else None, "payment_dated": ob.kind in PAYMENT_DATED,
        "link": source_link(ob, admin=admin), "can_settle": can_settle, "can_reverse": admin,
        "payment_form": payment_form or PaymentForm(initial=initial, prefix="pay"),
        "waiver_form": waiver_form or WaiverForm(initial=initial, prefix="waive"),
        "reverse_form": reverse_form or ReverseForm(initial={"date": as_of}, prefix="rev"),
        "payee": payee, "error": error, "working": sorted((ob.details or {}).items()) if isinstance(ob.details, dict) else [],
        "overdue_days": business_days_overdue(ob.due_date, as_of) if ob.status in UNSETTLED else 0,
        "history": list(ob.history.select_related("history_user").order_by("-history_date")[:20]),
        "pending_approvals": list(ob.approvals.filter(status="pending").select_related("maker")) if admin else [],
    }


def _maturity_payee(ob: Obligation) -> str | None:
    """Debenture face: principal and interest go to the registered holder as of the tenth day
    before the Maturity Date (deals.selectors.closing.maturity_record)."""
    from deals.models import Debenture
    from deals.selectors.closing import maturity_record

    deb = Debenture.objects.filter(pk=ob.object_id).select_related("financing").first()
    if deb is None:
        return None
    _maturity, record_date, holders = maturity_record(deb.financing)
    holder = next((h.holder for h in holders if h.number == deb.number), None)
    if record_date is None or holder is None:
        return None
    return (f"Payable to {holder}, the holder of record of {deb.number} on {record_date.isoformat()} (the tenth day "
            "before the Maturity Date, Debenture face), in cash or, at the holder's option, in Common Stock.")


def _obligation(pk: int) -> Obligation:
    return get_object_or_404(Obligation.objects.select_related("investor", "content_type"), pk=pk)


@require_GET
@clerk_required
def obligation_detail(request, pk: int):
    return render(request, "deals/ledger/obligation.html", _detail_context(request, _obligation(pk)))


@require_POST
@deal_admin_required
def obligation_settle(request, pk: int):
    """POST a payment (``action=pay``) or a waiver (``action=waive``) through ``settlement_record``."""
    ob = _obligation(pk)
    action = request.POST.get("action")
    form_class, prefix, kind = (WaiverForm, "waive", "waiver") if action == "waive" else (PaymentForm, "pay", "payment")
    form = form_class(request.POST, request.FILES, prefix=prefix)
    forms = {"waiver_form" if kind == "waiver" else "payment_form": form}
    if not form.is_valid():
        return render(request, "deals/ledger/obligation.html", _detail_context(request, ob, **forms), status=400)
    d = form.cleaned_data
    try:
        entry = settlement_submit(
            obligation_id=ob.pk, kind=kind, date=d["date"], amount=d["amount"], method=d.get("method", ""),
            reference=d.get("reference", ""), document=d.get("document"), waived_by=d.get("waived_by", ""),
            instrument=d.get("instrument", ""), by=request.user,
        )
    except WorkflowError as err:
        if err.field in form.fields:
            form.add_error(err.field, err.message)
        else:
            form.add_error(None, err.message)
        return render(request, "deals/ledger/obligation.html", _detail_context(request, _obligation(pk), **forms), status=400)
    what = "Waiver" if kind == "waiver" else "Payment"
    if isinstance(entry, Approval):
        messages.info(request, f"{what} of {money(entry.amount)} waits for a second deal admin's approval "
                               f"(approval #{entry.pk}): {entry.summary}.")
        return redirect("obligation_detail", pk=ob.pk)
    messages.success(request, f"{what} of {money(entry.amount)} recorded on {entry.date.isoformat()} ({ob.clause}).")
    return redirect("obligation_detail", pk=ob.pk)


@require_POST
@deal_admin_required
def settlement_reverse_view(request, pk: int, sid: int):
    ob = _obligation(pk)
    entry = get_object_or_404(Settlement, pk=sid, obligation=ob)
    form = ReverseForm(request.POST, prefix="rev")
    if form.is_valid():
        try:
            settlement_reverse(settlement_id=entry.pk, date=form.cleaned_data["date"], reason=form.cleaned_data["reason"],
                               by=request.user)
        except WorkflowError as err:
            form.add_error(err.field if err.field in form.fields else None, err.message)
        else:
            messages.success(request, f"Settlement #{entry.pk} (${entry.amount:,.2f}) reversed; the balance re-opens.")
            return redirect("obligation_detail", pk=ob.pk)
    return render(request, "deals/ledger/obligation.html", _detail_context(request, _obligation(pk), reverse_form=form), status=400)


@require_GET
@clerk_required
def obligation_amount_due(request, pk: int):
    """JSON for the settlement form: the amount due and the balance if paid on ``?date=``."""
    ob = _obligation(pk)
    try:
        day = datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return JsonResponse({"error": "Give the payment date as YYYY-MM-DD."}, status=400)
    if ob.kind not in MONEY_KINDS or ob.amount is None:
        return JsonResponse({"error": "This obligation is a deadline, not an amount owed."}, status=400)
    try:
        due = amount_due_on(ob, day)
    except AmountUnavailable as err:
        return JsonResponse({"error": str(err)}, status=400)
    return JsonResponse(due.as_dict())


# --- aging --------------------------------------------------------------------------------------


csv_cell = safe_cell  # deals.services.csv_cells: the one neutraliser of formula cells


@require_GET
@clerk_required
def aging_page(request):
    as_of = business_date()
    form = AgingFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    rows = aging_rows(as_of=as_of, **filters)
    if request.GET.get("format") == "csv":
        return _aging_csv(rows, as_of)
    summary = aging(as_of=as_of, investor_id=filters.get("investor_id"), kind=filters.get("kind"))
    paginator = Paginator(rows, PAGE_SIZE)
    # the summary's grouped query has already counted these rows: no second COUNT over the ledger (issue 17)
    bucket = filters.get("bucket")
    paginator.count = summary["totals"][f"{bucket}_n" if bucket else "total_n"]
    page = paginator.get_page(request.GET.get("page"))
    # the by-investor table is paged too (a firm's book has thousands of investors); totals cover all
    investors_page = Paginator(summary["by_investor"], INVESTORS_PER_PAGE).get_page(request.GET.get("ipage"))
    for o in page.object_list:
        o.days_overdue = business_days_overdue(o.due_date, as_of)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    iquery = request.GET.copy()
    iquery.pop("ipage", None)
    iquery.pop("format", None)
    return render(request, "deals/ledger/aging.html", {
        "form": form, "summary": summary, "page": page, "as_of": as_of, "querystring": query.urlencode(),
        "investors_page": investors_page, "iquerystring": iquery.urlencode(),
        "filtered": any(filters.values()) if filters else False,
    })


def _aging_csv(rows, as_of: datetime.date) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="aging-{as_of.isoformat()}.csv"'
    w = csv.writer(response)
    w.writerow(["obligation", "investor", "kind", "clause", "due_date", "business_days_overdue", "bucket", "amount", "settled",
                "balance", "status", "description"])
    for o in rows.iterator(chunk_size=2000):
        w.writerow([o.pk, csv_cell(o.investor.legal_name if o.investor else "Company"), o.kind, csv_cell(o.clause),
                    o.due_date.isoformat(), business_days_overdue(o.due_date, as_of), o.bucket, o.amount, o.settled, o.balance,
                    o.status, csv_cell(o.description)])
    return response


# --- statements of account ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@clerk_required
def investor_statement(request, pk: int):
    investor = get_object_or_404(Investor, pk=pk)
    as_of = business_date()
    form = StatementForm(request.POST or request.GET or None, initial={"as_of": as_of})
    day = form.cleaned_data["as_of"] if form.is_bound and form.is_valid() else as_of
    if request.method == "POST" and form.is_valid():
        try:
            stmt = account_statement_create(investor_id=investor.pk, as_of=day, by=request.user)
        except WorkflowError as err:
            form.add_error("as_of", err.message)
        except PermissionDenied:
            raise
        else:
            messages.success(request, f"Statement of account as of {stmt.as_of.isoformat()} requested; its PDF is listed below.")
            return redirect(reverse("investor_statement", args=[investor.pk]) + f"?as_of={stmt.as_of.isoformat()}")
    data = statement_of_account(investor=investor, as_of=day)
    page = Paginator(data["lines"], PAGE_SIZE).get_page(request.GET.get("page"))  # totals cover every line
    statements = list(AccountStatement.objects.filter(investor=investor).order_by("-created_at")[:10])
    return render(request, "deals/ledger/statement.html", {
        "investor": investor, "form": form, "data": data, "page": page, "as_of": day, "statements": statements,
    }, status=400 if form.errors else 200)


urlpatterns = [
    path("books/obligations/<int:pk>/", obligation_detail, name="obligation_detail"),
    path("books/obligations/<int:pk>/settle/", obligation_settle, name="obligation_settle"),
    path("books/obligations/<int:pk>/settlements/<int:sid>/reverse/", settlement_reverse_view, name="settlement_reverse"),
    path("books/obligations/<int:pk>/amount-due/", obligation_amount_due, name="obligation_amount_due"),
    path("books/aging/", aging_page, name="aging"),
    path("books/investors/<int:pk>/statement/", investor_statement, name="investor_statement"),
]
