"""Cap table page (as of any date, default the business date) with chart, CSV and XLSX export."""

from __future__ import annotations

import csv
import html
import io
from decimal import ROUND_HALF_UP, Context, Decimal

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from deals.forms.fields import SafeForm
from deals.selectors.captable import cap_table_as_of, cap_table_export_rows
from deals.services.calendar import business_date
from deals.services.conversions import WorkflowError

from .access import clerk_required

MIN_DAY, MAX_DAY = "1999-01-01", "2035-12-31"


class CapTableForm(SafeForm):
    as_of = forms.DateField(label="As of", widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}))

    def clean_as_of(self):
        import datetime

        day = self.cleaned_data["as_of"]
        low, high = datetime.date.fromisoformat(MIN_DAY), datetime.date.fromisoformat(MAX_DAY)
        if not low <= day <= high:
            raise forms.ValidationError(f"Choose a date from {MIN_DAY} to {MAX_DAY} (the range the trading calendars cover).")
        return day


def as_of_from(params) -> tuple[CapTableForm, object]:
    """The validated as-of date (default: the business date) and the bound form."""
    form = CapTableForm(params if params.get("as_of") else {"as_of": business_date()})
    return form, (form.cleaned_data["as_of"] if form.is_valid() else None)


def chart_data(table) -> dict:
    rows = [r for r in table.rows if r.fully_diluted]
    return {
        "labels": [r.name if len(r.name) < 40 else r.name[:38] + "\u2026" for r in rows],
        "common": [r.common for r in rows],
        "series_j": [r.series_j_as_converted or 0 for r in rows],
        "debentures": [r.debenture_as_converted or 0 for r in rows],
        "warrants": [r.warrants for r in rows],
    }


_CENT = Decimal("0.01")
_WIDE = Context(prec=200)  # floatformat's own: enough digits never to raise


def _count(value: int | None) -> str:
    """``value|intcomma`` (en-us), or "n/a" for an unknown figure."""
    return "n/a" if value is None else f"{value:,}"


def _money(value: Decimal) -> str:
    """``value|floatformat:2|intcomma`` (en-us): 2 places half up, grouped, no negative zero."""
    cents = Decimal(value).quantize(_CENT, ROUND_HALF_UP, _WIDE)
    return f"{cents if cents else abs(cents):,.2f}"


def holder_cells(table) -> list[dict]:
    """The holders' rows as the page prints them, formatted once here: the template filters
    (intcomma, floatformat) cost a locale lookup per cell, ~9,000 cells at (b) (issue 17)."""
    detail = reverse("investor_detail", args=[987654321])  # one reverse, then each holder's id in it
    return [
        {
            "url": detail.replace("987654321", str(r.holder_id)) if r.holder_id else "",
            "name": r.name,
            "common": _count(r.common),
            "series_j_amount": _money(r.series_j_amount),
            "series_j_as_converted": _count(r.series_j_as_converted),
            "debenture_principal": _money(r.debenture_principal),
            "debenture_as_converted": _count(r.debenture_as_converted),
            "warrants": _count(r.warrants),
            "fully_diluted": _count(r.fully_diluted),
            "pct": f"{r.fully_diluted_pct:f}",
        }
        for r in table.rows
    ]


_ROW = (
    "<tr>\n        <td>{name}</td>\n        <td class=\"num\">{common}</td>\n        <td class=\"num\">{series_j_amount}</td>\n"
    "        <td class=\"num\">{series_j_as_converted}</td>\n        <td class=\"num\">{debenture_principal}</td>\n"
    "        <td class=\"num\">{debenture_as_converted}</td>\n        <td class=\"num\">{warrants}</td>\n"
    "        <td class=\"num\">{fully_diluted}</td>\n        <td class=\"num\" data-testid=\"pct\">{pct}</td>\n      </tr>"
)


def holder_rows_html(cells: list[dict]) -> str:
    """The table body's rows (the markup the page's loop wrote, escaped the same way), built in
    one pass: ~12 template nodes a row were a third of the page's time at 1,000 holders. Escaped
    by ``html.escape``, what Django's ``escape`` runs, without its lazy-text wrapper per cell."""
    rows = []
    for c in cells:
        values = {key: html.escape(value) for key, value in c.items()}
        if c["url"]:
            values["name"] = f'<a href="{values["url"]}">{values["name"]}</a>'
        rows.append(_ROW.format(**values))
    return mark_safe("".join(rows))  # every value escaped above


@require_GET
@clerk_required
def cap_table_page(request):
    form, day = as_of_from(request.GET)
    table = error = None
    if day is not None:
        try:
            table = cap_table_as_of(day)
        except WorkflowError as err:
            error = err.message
    status = 400 if (day is None or error) else 200
    return render(
        request,
        "deals/captable/page.html",
        {"form": form, "table": table, "rows_html": holder_rows_html(holder_cells(table)) if table else "", "error": error,
         "chart": chart_data(table) if table else None, "query": request.GET.urlencode()},
        status=status,
    )


def _xlsx(rows: list[list]) -> bytes:
    """The export rows as one XLSX sheet (XlsxWriter, in memory): text is written as text, never
    as a formula, a number or a link (on top of ``safe_cell``'s quote); numbers as numbers."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                   "strings_to_urls": False})
    ws = wb.add_worksheet("Cap table")
    ws.set_column(0, 0, 48)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                ws.write_string(r, c, value)
            else:
                ws.write_number(r, c, value)
    wb.close()
    return buf.getvalue()


def _export(request, kind: str):
    form, day = as_of_from(request.GET)
    if day is None:
        return HttpResponse(" ".join(e for errs in form.errors.values() for e in errs), status=400, content_type="text/plain")
    try:
        table = cap_table_as_of(day)
    except WorkflowError as err:
        return HttpResponse(err.message, status=400, content_type="text/plain")
    rows = cap_table_export_rows(table)
    name = f"cap-table-{day.isoformat()}"
    if kind == "csv":
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        response_body = _xlsx(rows)
        response = HttpResponse(response_body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


@require_GET
@clerk_required
def cap_table_csv(request):
    return _export(request, "csv")


@require_GET
@clerk_required
def cap_table_xlsx(request):
    return _export(request, "xlsx")


@require_GET
@clerk_required
def cap_table_ocf(request):
    """The Open Cap Table Format package (validated against the vendored OCF 1.2.0 schemas)."""
    from deals.ocf.export import OcfInvalid, ocf_export

    try:
        data = ocf_export(as_of=business_date())
    except OcfInvalid as err:
        return HttpResponse(str(err), status=500, content_type="text/plain")
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="nhtc-ocf-{business_date().isoformat()}.zip"'
    return response


urlpatterns = [
    path("cap-table/", cap_table_page, name="cap_table"),
    path("cap-table/export.csv", cap_table_csv, name="cap_table_csv"),
    path("cap-table/export.xlsx", cap_table_xlsx, name="cap_table_xlsx"),
    path("cap-table/export-ocf.zip", cap_table_ocf, name="cap_table_ocf"),
]
