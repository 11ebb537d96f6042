"""What-if simulator page: a scenario in, a day-by-day table, chart and CSV out; nothing saved."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods

from deals.forms.whatif import WhatIfForm
from deals.selectors.captable import safe_cell
from deals.selectors.whatif import PricePath, event_for, parse_price_csv, run_scenario
from deals.services.calendar import business_date
from deals.services.conversions import WorkflowError

from .access import clerk_required

MAX_CSV = 2 * 1024 * 1024
COLUMNS = ["Day", "Closing bid", "Debenture price", "Series J price", "Shares issued", "Shares issued (total)", "Common outstanding",
           "Cap used", "Cap room", "Unconverted Shares", "Remedy (x) shares", "Remedy (y) cash", "Reserve required",
           "Authorized headroom", "Periodic Amounts", "Existing holders %"]


def _row(r) -> list:
    return [r.day.isoformat(), r.bid, r.debenture_price, r.series_j_price, r.shares_today, r.shares_total, r.issued_outstanding,
            r.cap_used, r.cap_room, r.unconverted, r.remedy_x_shares, r.remedy_y_cash, r.reserve_required, r.authorized_headroom,
            r.periodic_exposure, r.existing_holders_pct]


def _run(form):
    d = form.cleaned_data
    csv_rows = None
    if d["path"] == "csv":
        upload = d["csv_file"]
        if upload.size > MAX_CSV:
            raise WorkflowError("The CSV is larger than 2 MB.", code="csv", field="csv_file")
        csv_rows = parse_price_csv(upload.read().decode("utf-8-sig", errors="replace"))
    events = ()
    policy = d["policy"]
    if policy == "single":
        events = (event_for(d["instrument"], d["amount"], d["start"]),)
        policy = "events"
    suspensions = ((d["suspension_start"], d["suspension_end"]),) if d.get("suspension_start") else ()
    return run_scenario(
        start=d["start"], trading_days=d["trading_days"],
        path=PricePath(d["path"], price=d.get("price"), daily_pct=d.get("daily_pct"), csv_rows=csv_rows),
        policy=policy, events=events, exercise_warrants=d["exercise_warrants"], interest_election=d["interest_election"],
        effective_date=d.get("effective_date"), suspensions=suspensions,
    )


@require_http_methods(["GET", "POST"])
@clerk_required
def whatif_page(request):
    if request.method == "GET":
        form = WhatIfForm(initial={"start": business_date(), "trading_days": 250, "path": "flat", "price": "1.5000",
                                   "policy": "max", "exercise_warrants": True})
        return render(request, "deals/whatif/page.html", {"form": form})
    form = WhatIfForm(request.POST, request.FILES)
    result = error = None
    if form.is_valid():
        try:
            _, result = _run(form)
        except WorkflowError as err:
            if err.field in form.fields:
                form.add_error(err.field, err.message)
            else:
                error = err.message
    if result is not None and "csv" in request.POST:
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(COLUMNS)
        for r in result.rows:
            w.writerow([safe_cell(v) for v in _row(r)])
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="what-if.csv"'
        return response
    chart = None
    if result is not None:
        chart = {
            "labels": [r.day.isoformat() for r in result.rows],
            "issued": [r.shares_total for r in result.rows],
            "cap": [r.cap_used for r in result.rows],
            "cap_limit": result.cap_shares,
            "headroom": [r.authorized_headroom for r in result.rows],
            "bid": [str(r.bid) for r in result.rows],
        }
    status = 200 if result is not None else 400
    return render(request, "deals/whatif/page.html", {"form": form, "result": result, "error": error, "chart": chart,
                                                      "columns": COLUMNS}, status=status)


urlpatterns = [path("what-if/", whatif_page, name="whatif")]
