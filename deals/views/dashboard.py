"""Home page: what is overdue, due today and due in the next 7 business days,
by investor and by kind, with the amounts accrued so far (SPA 5(c) late
payments, RRA 2(b) Periodic Amounts), a 90-day deadline timeline (Chart.js)
and, for deal admins, "run sweep now". Everything comes from the obligations
ledger the sweeps write; a fixed number of queries whatever its size."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from deals.models import Investor, Obligation, ObligationKind, ObligationStatus, SweepRun
from deals.selectors.ledger import late_payments_total_on, periodic_amounts_total_on, terms_by_version
from deals.services.calendar import business_date
from deals.services.roles import is_deal_admin
from deals.terms import calendars

from .access import clerk_required
from .deadlines import decorate, run_status

LIST_LIMIT = 25
TOP_INVESTORS = 10  # the dashboard's "By investor" card; the deadlines list has every investor
TIMELINE_DAYS = 90
KIND_LABELS = dict(ObligationKind.choices)


def _buckets(as_of: datetime.date, week_end: datetime.date) -> dict:
    overdue, today, week = Q(due_date__lt=as_of), Q(due_date=as_of), Q(due_date__gt=as_of, due_date__lte=week_end)
    return {
        "overdue_n": Count("id", filter=overdue), "overdue_amt": Sum("amount", filter=overdue),
        "today_n": Count("id", filter=today), "today_amt": Sum("amount", filter=today),
        "week_n": Count("id", filter=week), "week_amt": Sum("amount", filter=week),
    }


def _fold(cells: list[tuple], at: int, buckets: dict) -> dict:
    """(investor, kind, *bucket figures) cells summed into one row per ``cells[at]`` (counts and amounts
    per bucket). Tuples and one list of sums per row (issue 17: ~5,000 cells at (b))."""
    names = list(buckets)
    key = ("investor_id", "kind")[at]
    sums: dict = {}
    for c in cells:
        acc = sums.get(c[at])
        if acc is None:
            sums[c[at]] = acc = [0] * len(names)
        for i, v in enumerate(c[2:]):
            if v:  # None (no row in the bucket) and zero add nothing, as ``+= v or 0`` did
                acc[i] += v
    return {k: {key: k, **dict(zip(names, acc, strict=True))} for k, acc in sums.items()}


def _timeline(as_of: datetime.date, rows) -> dict:
    """Chart.js data: one stacked bar per day for the next 90 days, one dataset per kind."""
    labels = [(as_of + datetime.timedelta(days=i)).isoformat() for i in range(TIMELINE_DAYS + 1)]
    index = {d: i for i, d in enumerate(labels)}
    counts: dict[str, list[int]] = {}
    amounts: dict[str, list[str]] = {}
    for due, kind, n, amt in rows:
        i = index[due.isoformat()]
        counts.setdefault(kind, [0] * len(labels))[i] = n
        amounts.setdefault(kind, ["0"] * len(labels))[i] = str(amt or 0)
    return {
        "labels": labels,
        "business_days": [calendars.is_business_day(as_of + datetime.timedelta(days=i)) for i in range(len(labels))],
        "datasets": [
            {"kind": k, "label": KIND_LABELS.get(k, k), "counts": counts[k], "amounts": amounts[k]}
            for k in sorted(counts, key=lambda k: list(KIND_LABELS).index(k) if k in KIND_LABELS else 99)
        ],
    }


@require_GET
@clerk_required
def dashboard(request):
    as_of = business_date()
    week_end = calendars.add_business_days(as_of, 7)
    horizon = as_of + datetime.timedelta(days=TIMELINE_DAYS)
    admin = is_deal_admin(request.user)
    open_ = Obligation.objects.filter(status__in=[ObligationStatus.OPEN, ObligationStatus.PART_PAID])
    near = open_.filter(due_date__lte=week_end)
    # one grouped query over the near rows, by (investor, kind), folded here into both tables (issue 17)
    buckets = _buckets(as_of, week_end)
    cells = list(near.values("investor_id", "kind").annotate(**buckets).order_by().values_list("investor_id", "kind", *buckets))
    by_kind = sorted(_fold(cells, 1, buckets).values(), key=lambda r: r["kind"])
    for row in by_kind:
        row["label"] = KIND_LABELS.get(row["kind"], row["kind"])
    # the TOP_INVESTORS investors with the most overdue, then due today, then due this week; the rest
    # are counted ("and M more", a link to the deadlines list)
    investors = _fold(cells, 0, buckets)
    by_investor = sorted(investors.values(), key=lambda r: (-r["overdue_n"], -r["today_n"], -r["week_n"],
                                                            r["investor_id"] is None, r["investor_id"] or 0))[:TOP_INVESTORS]
    investors_n = len(investors)
    names = dict(Investor.objects.filter(pk__in=[r["investor_id"] for r in by_investor if r["investor_id"]])
                 .values_list("pk", "legal_name"))
    for row in by_investor:
        row["investor__legal_name"] = names.get(row["investor_id"])
    accrued = {}
    # SPA 5(c) late payments accrue: the total owed today, not the stored first-day figures
    terms = terms_by_version()  # once for the page: the query count does not depend on which lists have rows
    n_late, late_total = late_payments_total_on(open_, as_of, terms=terms)
    if n_late:
        accrued[ObligationKind.LATE_PAYMENT] = {"kind": ObligationKind.LATE_PAYMENT, "n": n_late, "total": late_total}
    # RRA 2(b)(iii): the parts accruing towards the next Computation Date, computed for today
    n_periodic, periodic_total = periodic_amounts_total_on(open_, as_of)
    if n_periodic:
        accrued[ObligationKind.PERIODIC_AMOUNT] = {"kind": ObligationKind.PERIODIC_AMOUNT, "n": n_periodic, "total": periodic_total}
    rows = open_.select_related("investor", "content_type").order_by("due_date", "id")
    overdue = decorate(list(rows.filter(due_date__lt=as_of)[:LIST_LIMIT]), admin=admin, as_of=as_of, terms=terms)
    today = decorate(list(rows.filter(due_date=as_of)[:LIST_LIMIT]), admin=admin, as_of=as_of, terms=terms)
    week = decorate(list(rows.filter(due_date__gt=as_of, due_date__lte=week_end)[:LIST_LIMIT]), admin=admin, as_of=as_of, terms=terms)
    timeline = _timeline(as_of, open_.filter(due_date__gte=as_of, due_date__lte=horizon)
                         .values_list("due_date", "kind").annotate(n=Count("id"), amt=Sum("amount")).order_by("due_date", "kind"))
    last_run = SweepRun.objects.order_by("-started_at").first()
    totals = {k: sum(r[k] or 0 for r in by_kind) for k in ("overdue_n", "today_n", "week_n")}
    totals.update({k: sum((r[k] or Decimal(0) for r in by_kind), Decimal(0)) for k in ("overdue_amt", "today_amt", "week_amt")})
    return render(request, "deals/dashboard.html", {
        "as_of": as_of,
        "week_end": week_end,
        "horizon": horizon,
        "by_kind": by_kind,
        "by_investor": by_investor,
        "by_investor_more": investors_n - len(by_investor),
        "totals": totals,
        "late_accrued": accrued.get(ObligationKind.LATE_PAYMENT),
        "periodic_accrued": accrued.get(ObligationKind.PERIODIC_AMOUNT),
        "overdue": overdue,
        "today": today,
        "week": week,
        "list_limit": LIST_LIMIT,
        "timeline": timeline,
        "timeline_total": sum(sum(d["counts"]) for d in timeline["datasets"]),
        "last_run": last_run,
        "last_run_status": run_status(last_run) if last_run else None,
        "can_sweep": admin,
    })


urlpatterns = [path("", dashboard, name="dashboard")]
