"""Warrant exercises: form -> review -> confirm (idempotent) -> detail; list with filters."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deals.forms.exercises import ExerciseDeliveryForm, ExerciseDishonourForm, ExerciseFilterForm, ExerciseForm
from deals.models import WarrantExercise
from deals.pagination import ListPaginator
from deals.selectors.conversions import exercises_filtered, obligations_of
from deals.services import exercises as svc
from deals.services.calendar import business_date
from deals.services.conversions import WorkflowError
from deals.services.roles import is_deal_admin

from .access import clerk_required, deal_admin_required
from .conversions import PAGE_SIZE, add_workflow_error


@require_GET
@clerk_required
def exercise_list(request):
    form = ExerciseFilterForm(request.GET or None)
    qs = exercises_filtered(**form.filters()) if form.is_bound else exercises_filtered()
    page = ListPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "deals/exercises/list.html",
        {"form": form, "page": page, "querystring": params.urlencode(), "filtered": bool(form.is_bound and form.filters())},
    )


def _form_page(request, form):
    return render(request, "deals/exercises/form.html", {"form": form})


def _quote(data):
    return svc.exercise_quote(
        warrant=data["warrant"],
        shares=data["shares"],
        exercise_date=data["exercise_date"],
        payment_amount=data["payment_amount"],
        payment_date=data["payment_date"],
    )


@require_http_methods(["GET", "POST"])
@clerk_required
def exercise_new(request):
    if request.method == "GET":
        today = business_date()
        initial = {"exercise_date": today, "payment_date": today}
        if request.GET.get("warrant", "").isdigit():
            initial["warrant"] = int(request.GET["warrant"])
        return _form_page(request, ExerciseForm(initial=initial))
    form = ExerciseForm(request.POST)
    if "_edit" in request.POST or not form.is_valid():
        form.is_valid()
        return _form_page(request, form)
    try:
        quote = _quote(form.cleaned_data)
    except WorkflowError as err:
        add_workflow_error(form, err)
        return _form_page(request, form)
    return render(request, "deals/exercises/review.html", {"form": form, "q": quote})


@require_POST
@clerk_required
def exercise_confirm(request):
    form = ExerciseForm(request.POST)
    if not form.is_valid():
        return _form_page(request, form)
    d = form.cleaned_data
    try:
        exercise = svc.exercise_submit(
            warrant=d["warrant"],
            shares=d["shares"],
            exercise_date=d["exercise_date"],
            payment_amount=d["payment_amount"],
            payment_date=d["payment_date"],
            idempotency_key=d["idempotency_key"],
            user=request.user,
        )
    except WorkflowError as err:
        add_workflow_error(form, err)
        return _form_page(request, form)
    if exercise.replayed:
        messages.info(request, f"This exercise was already recorded as #{exercise.pk}; nothing was added.")
    else:
        for w in exercise.warnings:
            messages.warning(request, w)
        messages.success(
            request, f"Exercise #{exercise.pk} recorded: {exercise.shares:,} shares due by {exercise.delivery_date.isoformat()}."
        )
    return redirect("exercise_detail", pk=exercise.pk)


def _detail(request, exercise, form=None, status=200, dishonour_form=None):
    pending = exercise.status == WarrantExercise.Status.PENDING_DELIVERY
    if form is None and pending:
        form = ExerciseDeliveryForm(initial={"delivered_date": business_date()})
    if dishonour_form is None and pending and is_deal_admin(request.user):
        dishonour_form = ExerciseDishonourForm(initial={"notice_date": business_date()})
    return render(
        request,
        "deals/exercises/detail.html",
        {"e": exercise, "form": form if pending else None, "dishonour_form": dishonour_form if pending else None,
         "obligations": list(obligations_of(exercise))},
        status=status,
    )


def _load(pk):
    return get_object_or_404(WarrantExercise.objects.select_related("warrant", "investor", "terms_version", "created_by"), pk=pk)


@require_GET
@clerk_required
def exercise_detail(request, pk: int):
    return _detail(request, _load(pk))


@require_POST
@clerk_required
def exercise_deliver(request, pk: int):
    exercise = _load(pk)
    form = ExerciseDeliveryForm(request.POST)
    if form.is_valid():
        try:
            svc.exercise_delivery_record(
                exercise=exercise,
                delivered_date=form.cleaned_data["delivered_date"],
                reference=form.cleaned_data["reference"],
                user=request.user,
            )
        except WorkflowError as err:
            add_workflow_error(form, err)
        else:
            messages.success(request, "Delivery recorded.")
            return redirect("exercise_detail", pk=pk)
    messages.error(request, "Nothing was recorded; see the form below.")
    return _detail(request, exercise, form=form, status=400)


@require_POST
@deal_admin_required
def exercise_dishonour(request, pk: int):
    """SPA 5(f): the Company rejected the Warrant Exercise; the holder's notice is recorded."""
    exercise = _load(pk)
    form = ExerciseDishonourForm(request.POST)
    if form.is_valid():
        try:
            ex = svc.exercise_dishonour(exercise=exercise, notice_date=form.cleaned_data["notice_date"], user=request.user)
        except WorkflowError as err:
            add_workflow_error(form, err)
        else:
            messages.success(request, f"Exercise #{ex.pk} recorded as dishonoured; the Mandatory Purchase Amount is owed within "
                                      "5 business days of the notice (SPA 5(f)).")
            return redirect("exercise_detail", pk=pk)
    messages.error(request, "Nothing was recorded; see the form below.")
    return _detail(request, exercise, status=400, dishonour_form=form)


urlpatterns = [
    path("exercises/", exercise_list, name="exercise_list"),
    path("exercises/new/", exercise_new, name="exercise_new"),
    path("exercises/confirm/", exercise_confirm, name="exercise_confirm"),
    path("exercises/<int:pk>/", exercise_detail, name="exercise_detail"),
    path("exercises/<int:pk>/deliver/", exercise_deliver, name="exercise_deliver"),
    path("exercises/<int:pk>/dishonour/", exercise_dishonour, name="exercise_dishonour"),
]
