"""The closing room (SPA 1(c)-(e), 6, 7, 8): clerks read, deal admins write. Views validate the
form, call one service and redirect; a refusal re-renders the room with the reason (status 400)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deals.forms.closing import (
    DepositForm,
    RecordClosingForm,
    ReverseForm,
    RoomOpenForm,
    SatisfyForm,
    SubscriptionForm,
    WaiveForm,
)
from deals.models import ClosingCondition, ClosingRoom, EscrowDeposit
from deals.selectors.closing import closing_status, rooms_overview
from deals.services import closing as svc
from deals.services.calendar import business_date
from deals.services.conversions import WorkflowError
from deals.services.obligations import obligations_for
from deals.services.roles import is_deal_admin

from .access import clerk_required, deal_admin_required


@require_GET
@clerk_required
def closing_index(request):
    return render(request, "deals/closing/index.html", {"financings": rooms_overview(), "can_write": is_deal_admin(request.user)})


@require_http_methods(["GET", "POST"])
@deal_admin_required
def room_new(request):
    form = RoomOpenForm(request.POST or None, initial={"acceptance_date": business_date()})
    if request.method == "POST" and form.is_valid():
        try:
            room = svc.closing_room_open(user=request.user, **form.cleaned_data)
        except WorkflowError as err:
            form.add_error(err.field if err.field in form.fields else None, err.message)
        else:
            messages.success(request, f"Closing room opened; escrow deposit due by {room.financing}'s SPA 1(d) deadline.")
            return redirect("closing_room", pk=room.pk)
    return render(request, "deals/closing/new.html", {"form": form}, status=400 if form.errors else 200)


def _load(pk: int) -> ClosingRoom:
    return get_object_or_404(ClosingRoom.objects.select_related("financing__issuer", "closed_by"), pk=pk)


def _page(request, room: ClosingRoom, *, error: str = "", status: int = 200):
    st = closing_status(room)
    today = business_date()
    ctx = {
        "room": room,
        "st": st,
        "today": today,
        "can_write": is_deal_admin(request.user) and not room.is_closed,
        "is_admin": is_deal_admin(request.user),
        "error": error,
        "deposits": list(room.deposits.select_related("subscription__investor", "recorded_by").order_by("deposited_on", "id")),
        "obligations": list(obligations_for(room)),
        "sub_form": SubscriptionForm(),
        "deposit_form": DepositForm(room=room, initial={"deposited_on": today}),
        "record_form": RecordClosingForm(),
        "satisfy_form": SatisfyForm(initial={"met_on": today}),
        "waive_form": WaiveForm(initial={"met_on": today}),
        "issued": (room.snapshot or {}).get("issued", []),
    }
    return render(request, "deals/closing/room.html", ctx, status=status)


@require_GET
@clerk_required
def closing_room(request, pk: int):
    return _page(request, _load(pk))


def _run(request, room, call, success: str):
    try:
        result = call()
    except WorkflowError as err:
        messages.error(request, f"Nothing was recorded: {err.message}")
        return _page(request, _load(room.pk), error=err.message, status=400)
    for w in result[1] if isinstance(result, tuple) else []:
        messages.warning(request, w)
    messages.success(request, success)
    return redirect("closing_room", pk=room.pk)


def _form_error(request, room, form):
    msg = "; ".join(f"{form.fields[f].label or f if f in form.fields else 'form'}: {' '.join(e)}" for f, e in form.errors.items())
    messages.error(request, f"Nothing was recorded: {msg}")
    return _page(request, _load(room.pk), error=msg, status=400)


@require_POST
@deal_admin_required
def subscription_add(request, pk: int):
    room = _load(pk)
    form = SubscriptionForm(request.POST)
    if not form.is_valid():
        return _form_error(request, room, form)
    return _run(request, room, lambda: svc.subscription_add(room=room, user=request.user, **form.cleaned_data), "Subscription added.")


@require_POST
@deal_admin_required
def deposit_add(request, pk: int):
    room = _load(pk)
    form = DepositForm(request.POST, room=room)
    if not form.is_valid():
        return _form_error(request, room, form)
    d = form.cleaned_data
    sub = room.subscriptions.get(pk=d["subscription"])
    return _run(
        request,
        room,
        lambda: svc.escrow_deposit_record(
            room=room, subscription=sub, amount=d["amount"], deposited_on=d["deposited_on"], reference=d["reference"], user=request.user
        ),
        "Deposit recorded.",
    )


@require_POST
@deal_admin_required
def deposit_reverse(request, pk: int):
    deposit = get_object_or_404(EscrowDeposit, pk=pk)
    form = ReverseForm(request.POST)
    room = _load(deposit.room_id)
    if not form.is_valid():
        return _form_error(request, room, form)
    return _run(
        request, room, lambda: svc.escrow_deposit_reverse(deposit=deposit, reason=form.cleaned_data["reason"], user=request.user),
        "Reversing entry recorded.",
    )  # fmt: skip


def _condition(pk):
    return get_object_or_404(ClosingCondition.objects.select_related("room"), pk=pk)


@require_POST
@deal_admin_required
def condition_satisfy(request, pk: int):
    c = _condition(pk)
    form = SatisfyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_error(request, c.room, form)
    d = form.cleaned_data
    return _run(
        request, c.room,
        lambda: svc.condition_satisfy(condition=c, met_on=d["met_on"], evidence=d["evidence"], note=d["note"], user=request.user),
        f"{c.clause} satisfied.",
    )  # fmt: skip


@require_POST
@deal_admin_required
def condition_waive(request, pk: int):
    c = _condition(pk)
    form = WaiveForm(request.POST)
    if not form.is_valid():
        return _form_error(request, c.room, form)
    d = form.cleaned_data
    return _run(
        request, c.room,
        lambda: svc.condition_waive(condition=c, met_on=d["met_on"], waived_by=d["waived_by"], note=d["note"], user=request.user),
        f"{c.clause} waived.",
    )  # fmt: skip


@require_POST
@deal_admin_required
def condition_reopen(request, pk: int):
    c = _condition(pk)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        return _form_error(request, c.room, form)
    return _run(
        request, c.room, lambda: svc.condition_reopen(condition=c, reason=form.cleaned_data["reason"], user=request.user),
        f"{c.clause} reopened.",
    )  # fmt: skip


@require_POST
@deal_admin_required
def closing_record(request, pk: int):
    room = _load(pk)
    form = RecordClosingForm(request.POST)
    if not form.is_valid():
        return _form_error(request, room, form)
    d = form.cleaned_data
    return _run(
        request, room,
        lambda: svc.closing_record(
            room=room, bring_down_confirmed=d["bring_down_confirmed"], maturity_date=d.get("maturity_date"), user=request.user
        ),
        "Closing recorded: securities issued, escrow released, closing memorandum requested.",
    )  # fmt: skip


@require_GET
@clerk_required
def condition_evidence(request, pk: int):
    from django.http import FileResponse, Http404

    c = _condition(pk)
    if not c.evidence:
        raise Http404("No evidence uploaded.")
    return FileResponse(c.evidence.open("rb"), as_attachment=True, filename=c.evidence.name.rsplit("/", 1)[-1])


urlpatterns = [
    path("closing/", closing_index, name="closing_index"),
    path("closing/new/", room_new, name="closing_room_new"),
    path("closing/<int:pk>/", closing_room, name="closing_room"),
    path("closing/<int:pk>/subscriptions/", subscription_add, name="closing_subscription_add"),
    path("closing/<int:pk>/deposits/", deposit_add, name="closing_deposit_add"),
    path("closing/deposits/<int:pk>/reverse/", deposit_reverse, name="closing_deposit_reverse"),
    path("closing/conditions/<int:pk>/satisfy/", condition_satisfy, name="closing_condition_satisfy"),
    path("closing/conditions/<int:pk>/waive/", condition_waive, name="closing_condition_waive"),
    path("closing/conditions/<int:pk>/reopen/", condition_reopen, name="closing_condition_reopen"),
    path("closing/conditions/<int:pk>/evidence/", condition_evidence, name="closing_condition_evidence"),
    path("closing/<int:pk>/record/", closing_record, name="closing_record"),
]
