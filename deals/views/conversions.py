"""Conversions: form -> review (engine quote with clauses and chart) -> confirm -> detail.

The review page carries the validated form data and the idempotency key (generated when the form
was first shown) as hidden fields; confirming twice, or going back and resubmitting, returns the
conversion already recorded under that key instead of creating another.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deals.forms.conversions import (
    BuyInForm,
    CapRemedyForm,
    ConversionFilterForm,
    ConversionForm,
    DeliveryForm,
    DishonourForm,
    OriginalForm,
    RepriceForm,
    RevokeForm,
)
from deals.models import Conversion
from deals.pagination import ListPaginator
from deals.selectors.conversions import (
    conversion_date_notes,
    conversion_obligations,
    conversion_timeline,
    conversions_filtered,
    instrument_key,
    pending_redemption,
    price_chart_data,
)
from deals.services import conversions as svc
from deals.services.calendar import business_date
from deals.services.roles import is_deal_admin

from .access import clerk_required, deal_admin_required

PAGE_SIZE = 25


def price_import_url(user=None) -> str | None:
    """Where missing prices are fixed: the price import in the admin, which only deal admins
    enter (issue 15 item 17: a clerk never gets a link to a page that answers 403; the page
    tells a clerk to ask a deal admin instead). None when the user may not use it."""
    if user is None or not is_deal_admin(user):
        return None
    try:
        return reverse("admin:deals_marketprice_import")
    except NoReverseMatch:
        return None


def add_workflow_error(form, err: svc.WorkflowError) -> None:
    """Attach a service error to its field (or the form) so the page re-renders with the values."""
    field = err.field if err.field in form.fields else None
    form.add_error(field, err.message)


@require_GET
@clerk_required
def conversion_list(request):
    form = ConversionFilterForm(request.GET or None)
    qs = conversions_filtered(**form.filters()) if form.is_bound else conversions_filtered()
    page = ListPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "deals/conversions/list.html",
        {"form": form, "page": page, "querystring": params.urlencode(), "filtered": bool(form.is_bound and form.filters())},
    )


def _form_page(request, form, *, missing_dates=(), status=200, error_code: str = ""):
    return render(
        request,
        "deals/conversions/form.html",
        {
            "form": form,
            "missing_dates": missing_dates,
            "price_import_url": price_import_url(request.user),
            # Debenture 4(A): an old fax date -- a deal admin confirms it here; a clerk is told why they can't
            "fax_confirm": error_code == "fax_date_unconfirmed",
            "can_confirm_fax": is_deal_admin(request.user),
        },
        status=status,
    )


def _fax_confirmer(request, data):
    """The user confirming an old fax date (Debenture 4(A)), when the box is ticked; the service
    accepts only a deal admin's confirmation."""
    return request.user if data.get("confirm_fax_date") else None


@require_http_methods(["GET", "POST"])
@clerk_required
def conversion_new(request):
    """GET: empty form with a fresh idempotency key. POST: quote and show the review page
    (or, with ``_edit``, show the form again with the values, e.g. from the review's Back)."""
    if request.method == "GET":
        initial = {"conversion_date": business_date(), "notice_received_date": business_date(), "notice_method": "facsimile"}
        if request.GET.get("instrument"):
            initial["instrument"] = request.GET["instrument"]
        return _form_page(request, ConversionForm(initial=initial))
    form = ConversionForm(request.POST)
    if "_edit" in request.POST:
        form.is_valid()  # show the values as entered, with any shape errors
        return _form_page(request, form)
    if not form.is_valid():
        return _form_page(request, form)
    data = form.cleaned_data
    try:
        quote = svc.conversion_quote(
            instrument=data["instrument"],
            amount=data["amount"],
            conversion_date=data["conversion_date"],
            notice_method=data["notice_method"],
            notice_received_date=data["notice_received_date"],
            interest_election=data["interest_election"],
            fax_date_confirmed_by=_fax_confirmer(request, data),
        )
    except svc.WorkflowError as err:
        add_workflow_error(form, err)
        return _form_page(request, form, missing_dates=err.missing_dates, error_code=err.code)
    instrument = data["instrument"]
    redemption = pending_redemption(instrument) if quote.instrument.value == "debenture" else None
    return render(
        request,
        "deals/conversions/review.html",
        {
            "form": form,
            "quote": quote,
            "instrument": instrument,
            "is_debenture": quote.instrument.value == "debenture",
            "chart": price_chart_data(quote, today=business_date()),
            "redemption": redemption,
            "data": data,
            "date_notes": conversion_date_notes(instrument, data["conversion_date"]),
        },
    )


@require_POST
@clerk_required
def conversion_confirm(request):
    form = ConversionForm(request.POST)
    if not form.is_valid():
        return _form_page(request, form)
    data = form.cleaned_data
    try:
        conversion = svc.conversion_submit(
            instrument=data["instrument"],
            amount=data["amount"],
            conversion_date=data["conversion_date"],
            notice_method=data["notice_method"],
            notice_received_date=data["notice_received_date"],
            interest_election=data["interest_election"],
            reference=data["reference"],
            idempotency_key=data["idempotency_key"],
            user=request.user,
            fax_date_confirmed_by=_fax_confirmer(request, data),
        )
    except svc.WorkflowError as err:
        add_workflow_error(form, err)
        return _form_page(request, form, missing_dates=err.missing_dates, error_code=err.code)
    if conversion.replayed:
        messages.info(request, f"This notice was already recorded as conversion #{conversion.pk}; nothing was added.")
    else:
        messages.success(
            request,
            f"Conversion #{conversion.pk} recorded: {conversion.shares_issuable:,} shares due by {conversion.delivery_date.isoformat()}.",
        )
    return redirect("conversion_detail", pk=conversion.pk)


ACTION_FORMS = {
    "deliver": DeliveryForm,
    "original": OriginalForm,
    "revoke": RevokeForm,
    "buy_in": BuyInForm,
    "dishonour": DishonourForm,
    "remedy": CapRemedyForm,
    "reprice": RepriceForm,
}
ADMIN_ACTIONS = {"dishonour", "remedy", "reprice"}


def _load(pk: int) -> Conversion:
    return get_object_or_404(
        Conversion.objects.select_related("debenture", "preferred__financing", "investor", "terms_version", "created_by").prefetch_related(
            "buy_ins", "cap_remedies"
        ),
        pk=pk,
    )


def _detail(request, conversion: Conversion, bound: dict | None = None, status: int = 200):
    today = business_date()
    allowed = svc.available_actions(conversion, as_of=today)
    admin = is_deal_admin(request.user)
    forms = {}
    for name, form_class in ACTION_FORMS.items():
        if bound and name in bound:
            forms[name] = bound[name]
            continue
        if not allowed.get(name) or (name in ADMIN_ACTIONS and not admin):
            continue
        initial = {k: today for k in ("delivered_date", "received_date", "revoked_date", "buy_in_date", "notice_date", "chosen_date")}
        if name == "remedy":
            initial["shares"] = svc.unconverted_remaining(conversion)
        forms[name] = form_class(initial=initial, prefix=name)
        if name == "remedy":
            offered, why = svc.remedy_x_offer(conversion, as_of=today)
            if not offered:  # SPA 4(i)(x): offered only when the Cap Regulations permit it
                forms[name].fields["remedy"].choices = [c for c in forms[name].fields["remedy"].choices if c[0] != "x"]
            forms[name].fields["remedy"].help_text = why
    reprice, reprice_error = None, ""
    if allowed.get("reprice"):
        try:
            reprice = svc.conversion_reprice_quote(conversion=conversion)
        except svc.WorkflowError as err:
            reprice_error = err.message
    obligations = conversion_obligations(conversion)
    revocation = svc.revocation_status(conversion, as_of=today) if not conversion.is_debenture else None
    return render(
        request,
        "deals/conversions/detail.html",
        {
            "c": conversion,
            "s": conversion.snapshot,
            "timeline": conversion_timeline(conversion, obligations, today),
            "obligations": obligations,
            "forms": forms,
            "revocation": revocation,
            "admin_only_actions": [n for n in ADMIN_ACTIONS if allowed.get(n) and not admin],
            "instrument_key": instrument_key(conversion.instrument),
            "reprice": reprice,
            "reprice_error": reprice_error,
        },
        status=status,
    )


@require_GET
@clerk_required
def conversion_detail(request, pk: int):
    return _detail(request, _load(pk))


def _action(request, pk: int, name: str, run):
    conversion = _load(pk)
    form = ACTION_FORMS[name](request.POST, prefix=name)
    if form.is_valid():
        try:
            message = run(conversion, form.cleaned_data)
        except svc.WorkflowError as err:
            add_workflow_error(form, err)
        else:
            messages.success(request, message)
            return redirect("conversion_detail", pk=pk)
    messages.error(request, "Nothing was recorded; see the highlighted form below.")
    return _detail(request, conversion, bound={name: form}, status=400)


@require_POST
@clerk_required
def conversion_deliver(request, pk: int):
    def run(c, d):
        svc.delivery_record(conversion=c, delivered_date=d["delivered_date"], reference=d["reference"], user=request.user)
        return "Delivery recorded."

    return _action(request, pk, "deliver", run)


@require_POST
@clerk_required
def conversion_original(request, pk: int):
    def run(c, d):
        res = svc.original_notice_receive(conversion=c, received_date=d["received_date"], user=request.user)
        for w in res.warnings:
            messages.warning(request, w)
        return "Receipt of the original recorded."

    return _action(request, pk, "original", run)


@require_POST
@clerk_required
def conversion_revoke(request, pk: int):
    def run(c, d):
        svc.conversion_revoke(conversion=c, revoked_date=d["revoked_date"], user=request.user)
        return "Revocation recorded (SPA 5(c)); the outstanding amount is restored."

    return _action(request, pk, "revoke", run)


@require_POST
@clerk_required
def conversion_buy_in(request, pk: int):
    def run(c, d):
        b = svc.buy_in_record(
            conversion=c,
            buy_in_date=d["buy_in_date"],
            covering_cost=d["covering_cost"],
            sold_proceeds=d["sold_proceeds"],
            user=request.user,
        )
        return f"Buy-In recorded: Buy-In Adjustment Amount ${b.adjustment_amount:,.2f} (SPA 5(d))."

    return _action(request, pk, "buy_in", run)


@require_POST
@deal_admin_required
def conversion_dishonour(request, pk: int):
    def run(c, d):
        svc.conversion_dishonour(conversion=c, notice_date=d["notice_date"], user=request.user)
        return "Dishonour recorded; the Mandatory Purchase Amount is in the obligations below (SPA 5(f))."

    return _action(request, pk, "dishonour", run)


@require_POST
@deal_admin_required
def conversion_remedy(request, pk: int):
    def run(c, d):
        r = svc.cap_remedy_choose(conversion=c, remedy=d["remedy"], shares=d["shares"], chosen_date=d["chosen_date"], user=request.user)
        return f"Remedy {r.get_remedy_display()} recorded for {r.unconverted_shares} Unconverted Share(s) (SPA 4(i))."

    return _action(request, pk, "remedy", run)


@require_POST
@deal_admin_required
def conversion_reprice(request, pk: int):
    def run(c, d):
        conv = svc.conversion_reprice(conversion=c, reason=d["reason"], user=request.user)
        return (
            f"Re-priced on {conv.conversion_date.isoformat()} (Debenture 4(A)): {conv.shares_issuable:,} shares due by "
            f"{conv.delivery_date.isoformat()}; the old figures are kept in the history and the notice is superseded."
        )

    return _action(request, pk, "reprice", run)


urlpatterns = [
    path("conversions/", conversion_list, name="conversion_list"),
    path("conversions/new/", conversion_new, name="conversion_new"),
    path("conversions/confirm/", conversion_confirm, name="conversion_confirm"),
    path("conversions/<int:pk>/", conversion_detail, name="conversion_detail"),
    path("conversions/<int:pk>/deliver/", conversion_deliver, name="conversion_deliver"),
    path("conversions/<int:pk>/original/", conversion_original, name="conversion_original"),
    path("conversions/<int:pk>/revoke/", conversion_revoke, name="conversion_revoke"),
    path("conversions/<int:pk>/buy-in/", conversion_buy_in, name="conversion_buy_in"),
    path("conversions/<int:pk>/dishonour/", conversion_dishonour, name="conversion_dishonour"),
    path("conversions/<int:pk>/remedy/", conversion_remedy, name="conversion_remedy"),
    path("conversions/<int:pk>/reprice/", conversion_reprice, name="conversion_reprice"),
]
