"""Deadlines: the full obligations ledger (filters, 25 a page) and the recent
sweep runs; "run sweep now" for deal admins and the JSON status it polls.

Every figure on the page comes from the ledger the sweeps write
(``deals.services.sweeps``); each row shows its clause.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.views.decorators.http import require_GET, require_POST

from deals.forms.deadlines import ObligationFilterForm
from deals.models import Obligation, SweepRun
from deals.pagination import ListPaginator
from deals.selectors.ledger import with_amounts_on
from deals.services.calendar import business_date
from deals.services.roles import is_deal_admin
from deals.services.sweeps import RULES, SweepAlreadyRunning, sweep_abandon, sweep_claim, sweep_run

from .access import clerk_required, deal_admin_required

PAGE_SIZE = 25
RULE_LABELS = {r.name: f"{r.label} ({r.clause})" for r in RULES}

# Pages of the app that show a source record, by model (label -> url name, kwarg).
DETAIL_URLS = {
    "deals.conversion": ("conversion_detail", "pk"),
    "deals.redemption": ("redemption_detail", "pk"),
    "deals.warrantexercise": ("exercise_detail", "pk"),
    "deals.newtransactionoffer": ("company_offer", "pk"),
    "deals.eventofdefault": ("company_default", "pk"),
    "deals.indemnificationclaim": ("company_claim", "pk"),
    "deals.financing": ("company_registration", "financing_id"),
}


def source_link(obligation: Obligation, *, admin: bool) -> str | None:
    """Where the record behind a ledger row is shown: its ``get_absolute_url``, else the
    app's detail page, else (deal admins) its admin change page. No query: the content
    type comes with the row (select_related) and the object is not loaded."""
    ct: ContentType = obligation.content_type
    model = ct.model_class()
    if model is not None and hasattr(model, "get_absolute_url"):
        try:
            return model(pk=obligation.object_id).get_absolute_url()
        except Exception:  # the method needs more than the pk: fall through
            pass
    named = DETAIL_URLS.get(f"{ct.app_label}.{ct.model}")
    if named:
        try:
            return reverse(named[0], kwargs={named[1]: obligation.object_id})
        except NoReverseMatch:
            pass
    if admin:
        try:
            return reverse(f"admin:{ct.app_label}_{ct.model}_change", args=[obligation.object_id])
        except NoReverseMatch:
            return None
    return None


def decorate(rows, *, admin: bool, as_of, terms=None):
    """Attach link, label, overdue flag and the amount owed on ``as_of`` (accruing rows:
    ``deals.selectors.ledger``) to ledger rows for the templates."""
    rows = with_amounts_on(rows, as_of, terms=terms)
    for o in rows:
        o.link = source_link(o, admin=admin)
        o.source_label = f"{o.content_type.name} #{o.object_id}"
        o.overdue = o.status in ("open", "part_paid") and o.due_date < as_of
        o.days_overdue = (as_of - o.due_date).days if o.overdue else 0
    return rows


def obligations_filtered(filters: dict):
    qs = Obligation.objects.select_related("investor", "content_type")
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("investor"):
        qs = qs.filter(investor=filters["investor"])
    if filters.get("due_from"):
        qs = qs.filter(due_date__gte=filters["due_from"])
    if filters.get("due_to"):
        qs = qs.filter(due_date__lte=filters["due_to"])
    return qs.order_by("due_date", "id")


def run_status(run: SweepRun) -> dict:
    """The JSON the dashboard polls while a sweep runs."""
    rules = run.stats.get("rules", {})
    return {
        "id": run.pk,
        "as_of": run.as_of.isoformat(),
        "status": run.status,
        "finished": run.status != SweepRun.Status.RUNNING,
        "rules_done": run.stats.get("rules_done", len(rules)),
        "rules_total": run.stats.get("rules_total", len(RULES)),
        "created": sum(r.get("created", 0) for r in rules.values()),
        "updated": sum(r.get("updated", 0) for r in rules.values()),
        "voided": sum(r.get("voided", 0) for r in rules.values()),
        "errors": run.errors,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }


@require_GET
@clerk_required
def deadlines(request):
    form = ObligationFilterForm(request.GET or {"status": "open"})
    filters = form.filters()
    page = ListPaginator(obligations_filtered(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    admin = is_deal_admin(request.user)
    as_of = business_date()
    decorate(page.object_list, admin=admin, as_of=as_of)
    runs = list(SweepRun.objects.select_related("user").order_by("-started_at")[:10])
    for r in runs:
        r.summary = run_status(r)
        r.rule_rows = [(RULE_LABELS.get(name, name), data) for name, data in r.stats.get("rules", {}).items()]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "deals/deadlines/list.html", {
        "form": form, "page": page, "runs": runs, "as_of": as_of, "querystring": query.urlencode(),
        "filtered": bool(request.GET and any(v for k, v in request.GET.items() if k not in ("page", "queue_down"))),
        "queue_down": request.GET.get("queue_down") == "1",
    })


def _enqueue_sweep(run: SweepRun) -> str | None:
    """Hand a claimed run to the Celery worker without retrying a dead broker (a page never
    waits on it). Returns the reason if the queue could not be reached, else None."""
    from django.conf import settings

    from deals.tasks import sweep_task

    if settings.CELERY_TASK_ALWAYS_EAGER:  # no Redis configured: the task runs here
        sweep_task.delay(run_id=run.pk, triggered_by="run now")
        return None
    try:
        from kombu.exceptions import OperationalError

        with sweep_task.app.connection_for_write(transport_options={"max_retries": 0}) as conn:
            sweep_task.apply_async(kwargs={"run_id": run.pk, "triggered_by": "run now"}, retry=False, connection=conn)
    except (OperationalError, ConnectionError, OSError, TimeoutError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


@require_POST
@deal_admin_required
def sweep_start(request):
    """Claim a sweep for the business date and hand it to Celery (in-process without
    Redis). If the queue cannot be reached the claim is released at once and the page
    offers to run the sweep in this request (``inline=1``). JSON callers get the status
    URL to poll; others are redirected."""
    wants_json = "application/json" in request.headers.get("Accept", "")
    inline = request.POST.get("inline") == "1"
    who = f"run now by {request.user.get_username()}" + (" (in-process)" if inline else "")
    try:
        if inline:
            run = sweep_run(as_of=business_date(), triggered_by=who, user=request.user)
        else:
            run = sweep_claim(as_of=business_date(), triggered_by=who, user=request.user)
    except SweepAlreadyRunning as err:
        if wants_json:
            running = err.running
            return JsonResponse({
                "error": str(err),
                "run_id": running.pk if running else None,
                "status_url": reverse("sweep_status", args=[running.pk]) if running else None,
            }, status=409)
        messages.error(request, str(err))
        return redirect("deadlines")
    if not inline:
        down = _enqueue_sweep(run)
        if down is not None:
            sweep_abandon(run=run, reason=f"Not started: the task queue could not be reached ({down}).")
            text = (f"The task queue (Redis) could not be reached, so the sweep was not started ({down}). "
                    "Nothing was written. You can run the sweep here, in this request, instead; it may take a minute.")
            if wants_json:
                return JsonResponse({"error": text, "queue_down": True, "inline": True}, status=503)
            messages.error(request, text)
            return redirect(reverse("deadlines") + "?queue_down=1")
    if wants_json:
        return JsonResponse({"run_id": run.pk, "status_url": reverse("sweep_status", args=[run.pk])}, status=202)
    messages.success(request, f"Sweep as of {run.as_of.isoformat()} {'finished' if inline else 'started'}; its result is listed below.")
    return redirect("deadlines")


@require_GET
@clerk_required
def sweep_status(request, pk: int):
    return JsonResponse(run_status(get_object_or_404(SweepRun, pk=pk)))


urlpatterns = [
    path("deadlines/", deadlines, name="deadlines"),
    path("deadlines/sweeps/run/", sweep_start, name="sweep_start"),
    path("deadlines/sweeps/<int:pk>/status/", sweep_status, name="sweep_status"),
]
