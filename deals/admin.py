"""The deal admin: every deals model, with history (who changed what, when).

- Deal data (parties, financings, instruments, registration, prices, terms)
  is edited here by deal admins; the site answers 403 to everyone else
  (``nhtc.admin.BackOfficeAdminSite``).
- Workflow records (conversions, exercises, redemptions, obligations, sweep
  runs, imports ...) are view-only: the services in ``deals.services`` make
  and change them, with their computation snapshots.
- Outstanding amounts are read-only after creation (the workflows keep them).
- Derived figures are shown next to the inputs, computed by
  ``deals.selectors.derived`` through ``deals.terms``; each names its clause.
- Terms versions are immutable: "add" is prefilled from the latest version,
  needs ``effective_from`` and a reason, records the user; a version's page
  shows what changed from the previous one.
- List pages select their related rows up front, so their query count does
  not grow with the number of rows (``tests/admin/test_query_counts.py``).
"""

from __future__ import annotations

import datetime
import json

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import PermissionDenied
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from deals import models as m
from deals.forms.admin import (
    BusinessDateAdminForm,
    DealTermsVersionAdminForm,
    DebentureAdminForm,
    PreferredHoldingAdminForm,
    PriceImportForm,
    SuspensionPeriodAdminForm,
    WarrantAdminForm,
    term_groups,
)
from deals.forms.fields import SafeModelForm
from deals.ordering import natural
from deals.pagination import ListPaginator
from deals.selectors import derived
from deals.selectors.out_of_range import out_of_range_message
from deals.selectors.search import conversion_search, exercise_search, obligation_search
from deals.services.approvals import price_import_submit
from deals.services.calendar import business_date, business_date_set
from deals.services.prices import ImportProgress, prices_export, prices_import_steps
from deals.services.roles import is_deal_admin
from deals.terms.errors import CalendarRangeError
from deals.terms.params import NHTC_DEFAULTS, fields_for
from nhtc import formatting as fmt
from nhtc.admin import ReadOnlyHistoryAdmin


def figure_html(fig: derived.Figure):
    """A derived figure: value, working lines and clause; problems in plain words."""
    if fig.problem:
        body = format_html('<strong class="figure-problem">{}</strong>', fig.problem)
    else:
        value = fig.value
        if isinstance(value, int) and not isinstance(value, bool):
            value = f"{value:,}"
        body = format_html("<strong>{}</strong>", value)
    lines = format_html_join("", "<br>{}", ((line,) for line in fig.lines))
    css = "figure-warning" if fig.warning else "figure-clause"
    return format_html('{}{}<br><span class="{}">{}</span>', body, lines, css, fig.clause)


def figure_of(compute, obj):
    """``figure_html(compute(obj))``; a stored date outside the calendars' range (or too far to add
    days to) shows as the problem instead of breaking the page (issue 15 item 11)."""
    try:
        return figure_html(compute(obj))
    except (CalendarRangeError, OverflowError) as exc:
        return format_html('<strong class="figure-problem">Cannot be computed: {}</strong>', out_of_range_message(exc))


# Tables that grow with the book (issue 17): a foreign key to one of them is a raw id input on
# admin forms (with the chosen row's name beside it), never a <select> of every row.
BIG_TABLES = (m.Investor, m.Debenture, m.PreferredHolding, m.Warrant, m.Conversion, m.WarrantExercise, m.Redemption,
              m.Obligation, m.Settlement)


class YearFilter(admin.SimpleListFilter):
    """A year filter in place of ``date_hierarchy`` (issue 17): the years come from the column's
    MIN and MAX (two index lookups), not a DISTINCT over every row. Subclasses set ``field``."""

    field = ""
    parameter_name = "year"

    def __init__(self, request, params, model, model_admin):
        self.title = f"{model._meta.get_field(self.field).verbose_name} (year)"
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        span = model_admin.model._default_manager.aggregate(first=models.Min(self.field), last=models.Max(self.field))
        if span["first"] is None:
            return []
        return [(str(y), str(y)) for y in range(span["last"].year, span["first"].year - 1, -1)]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit() and 1 <= int(value) <= 9999:
            year = int(value)
            # a range on the column (its index), not EXTRACT(year ...)
            return queryset.filter(**{f"{self.field}__gte": datetime.date(year, 1, 1),
                                      f"{self.field}__lte": datetime.date(year, 12, 31)})
        return queryset


def year_filter(field_name: str) -> type[YearFilter]:
    return type(f"{field_name.title().replace('_', '')}YearFilter", (YearFilter,), {"field": field_name})


class DealAdmin(ReadOnlyHistoryAdmin):
    """Base: 25 rows a page, created_by filled in, read-only-after-creation fields."""

    form = SafeModelForm  # dates in the calendars' range, integers in the column's range (issue 15 items 11-12)

    class Media:
        css = {"all": ("css/admin.css",)}  # figure colours: the CSP allows no inline styles

    list_per_page = 25
    readonly_after_creation: tuple[str, ...] = ()
    show_full_result_count = False
    paginator = ListPaginator  # counts capped / estimated, deep pages by id (deals.pagination)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if (db_field.remote_field.model in BIG_TABLES and db_field.name not in self.raw_id_fields
                and db_field.name not in self.get_autocomplete_fields(request)):
            kwargs["widget"] = ForeignKeyRawIdWidget(db_field.remote_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += [f for f in self.readonly_after_creation if f not in fields]
        return fields

    def save_model(self, request, obj, form, change):
        if hasattr(obj, "created_by_id") and not obj.created_by_id:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for obj in formset.save(commit=False):
            if hasattr(obj, "created_by_id") and not obj.created_by_id:
                obj.created_by = request.user
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


class SelectorSearchMixin:
    """The admin list searches as the matching page does (deals.selectors.search: indexed columns
    only, no LIKE over the whole table). ``search_q`` turns the typed term into a Q."""

    search_q = None

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        return (queryset.filter(self.search_q(term)) if term else queryset), False


class ReadOnlyPermissions:
    """No add, change or delete in the admin: records change only through the services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RecordAdmin(ReadOnlyPermissions, DealAdmin):
    """Workflow records: view-only here (services make and change them)."""


# --- parties ------------------------------------------------------------------


@admin.register(m.Issuer)
class IssuerAdmin(DealAdmin):
    list_display = ("name", "state_of_incorporation", "authorized_common_shares", "shares_outstanding_at_signing",
                    "shares_issued", "par_value")
    search_fields = ("name",)
    readonly_fields = ("reserve_figure",)
    fieldsets = (
        (None, {"fields": ("name", "state_of_incorporation", "address", "fax", "counsel")}),
        ("Capital (SPA 3(c))", {"fields": ("authorized_common_shares", "shares_outstanding_at_signing", "shares_issued",
                                          "par_value", "reserve_figure", "next_stockholders_meeting")}),
    )

    def save_model(self, request, obj, form, change):
        """SPA 4(d)(ii): a new next stockholders' meeting moves the Meeting Date row at once (the
        same builder as the sweep), in the admin's transaction."""
        super().save_model(request, obj, form, change)
        if "next_stockholders_meeting" in form.changed_data or "shares_outstanding_at_signing" in form.changed_data:
            from deals.services.calendar import business_date
            from deals.services.ledger.sync import meeting_sync

            meeting_sync(obj.pk, as_of=business_date(), user=request.user)

    @admin.display(description="Reserve required vs available (SPA 4(g))")
    def reserve_figure(self, obj):
        if obj is None or obj.pk is None:
            return "Shown once the issuer is saved."
        return figure_of(derived.reserve_status, obj)


class LabelledTabularInline(admin.TabularInline):
    """A tabular inline whose inputs carry their column's name for screen readers (the
    admin's table puts the label in the header only: axe "label"/"select-name").

    A foreign-key select is read once per formset, not once per row (issue 17: the rows'
    forms share the choices); one to a big table is a raw id input."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.remote_field.model in BIG_TABLES and db_field.name not in self.raw_id_fields:
            kwargs["widget"] = ForeignKeyRawIdWidget(db_field.remote_field, self.admin_site)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and not isinstance(field.widget.widget if hasattr(field.widget, "widget") else field.widget,
                                                ForeignKeyRawIdWidget):
            field.choices = list(field.choices)  # evaluated here, once; each row's form copies the list
        return field

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            field.widget.attrs.setdefault("aria-label", str(db_field.verbose_name).capitalize())
        return field

    def get_formset(self, request, obj=None, **kwargs):
        base = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(base):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                if "DELETE" in form.fields:
                    form.fields["DELETE"].widget.attrs["aria-label"] = "Delete this row"

        return LabelledFormSet


INLINE_ROWS = 25  # an investor page shows this many of each kind of holding; the rest are in the lists


class _FirstRowsFormSet(BaseInlineFormSet):
    """The first ``INLINE_ROWS`` rows in the model's order: one query (``IN (SELECT ... LIMIT)``),
    the same whether the investor holds none or thousands, and a filterable queryset, so the
    formset's own look-ups by id still work on a save of the investor."""

    def get_queryset(self):
        if not hasattr(self, "_first_rows"):
            qs = super().get_queryset()
            self._first_rows = qs.filter(pk__in=qs.values("pk")[:INLINE_ROWS])
        return self._first_rows


class _InstrumentInline(ReadOnlyPermissions, LabelledTabularInline):
    """An investor's holdings, shown read-only (issue 17): instruments are issued at a closing and change
    only through the services (conversions, exercises, redemptions, transfers -- SPA 4(a), RRA 9), so the
    investor page is not a side door to edit, add or delete them; each row links to the instrument's
    own page. Read-only rows carry no inputs or selects, and at most ``INLINE_ROWS`` of each kind are
    shown (at (c) an investor holds ~80 Series J holdings, ~50 debentures and ~80 warrants): the
    investor's "Instruments" field counts them all and links to each full list."""

    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    formset = _FirstRowsFormSet

    def get_queryset(self, request):
        # each row names its holder and financing (``__str__``): read with the rows, not one query a row
        return super().get_queryset(request).select_related("investor", "financing")

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields


class PreferredHoldingInline(_InstrumentInline):
    model = m.PreferredHolding
    form = PreferredHoldingAdminForm
    fields = ("certificate_number", "financing", "shares", "liquidation_preference", "purchase_price", "closing_date",
              "liquidation_preference_outstanding", "status")
    readonly_fields = ("liquidation_preference_outstanding", "status")


class DebentureInline(_InstrumentInline):
    model = m.Debenture
    form = DebentureAdminForm
    fields = ("number", "financing", "principal", "dated_date", "issue_date", "closing_date", "maturity_date",
              "principal_outstanding", "status")
    readonly_fields = ("principal_outstanding", "status")


class WarrantInline(_InstrumentInline):
    model = m.Warrant
    form = WarrantAdminForm
    fields = ("number", "financing", "shares", "exercise_price", "issue_date", "expiry_date", "sizing_reason",
              "shares_remaining", "status")
    readonly_fields = ("shares_remaining", "status")


@admin.register(m.Investor)
class InvestorAdmin(DealAdmin):
    list_display = ("legal_name", "kind", "jurisdiction", "reg_s_non_us_attested", "reg_s_attested_on",
                    "accredited_investor", "email")
    list_filter = ("kind", "reg_s_non_us_attested", "accredited_investor", "jurisdiction")
    search_fields = ("legal_name", "email", "dtc_participant", "prime_broker", "jurisdiction")
    inlines = (PreferredHoldingInline, DebentureInline, WarrantInline)
    readonly_fields = ("instruments",)
    fieldsets = (
        (None, {"fields": ("legal_name", "kind", "jurisdiction", "instruments")}),
        ("Notices (SPA 10)", {"fields": ("notice_address", "fax", "email", "counsel_contact")}),
        ("Representations (SPA 2)", {"fields": ("reg_s_non_us_attested", "reg_s_attested_on", "accredited_investor")}),
        ("Electronic delivery (SPA 5(e))", {"fields": ("dtc_participant", "prime_broker")}),
    )


    @admin.display(description="Instruments")
    def instruments(self, obj):
        """How many of each kind the investor holds, each linked to its full list (the inlines below
        show the first ``INLINE_ROWS``)."""
        if obj is None or obj.pk is None:
            return "Instruments are issued to the investor at a closing."
        parts = []
        for model, label in ((m.PreferredHolding, "Series J holdings"), (m.Debenture, "debentures"), (m.Warrant, "warrants")):
            n = model.objects.filter(investor=obj).count()
            url = reverse(f"admin:deals_{model._meta.model_name}_changelist") + f"?investor__id__exact={obj.pk}"
            shown = f" (the first {INLINE_ROWS} below)" if n > INLINE_ROWS else ""
            parts.append((url, f"{n:,} {label}", shown))
        return format_html_join(", ", '<a href="{}">{}</a>{}', parts)


# --- financings and instruments -------------------------------------------------


@admin.register(m.Financing)
class FinancingAdmin(DealAdmin):
    list_display = ("name", "kind", "issuer", "total_offering", "acceptance_date", "initial_closing_date")
    list_select_related = ("issuer",)
    list_filter = ("kind",)
    search_fields = ("name", "escrow_agent")
    readonly_fields = ("allocation_figure", "allocable_shares_table", "terms_versions_table")

    @admin.display(description="Deal terms versions")
    def terms_versions_table(self, obj):
        if obj is None or obj.pk is None:
            return "Add the financing, then its terms (Deal terms versions > Add, pick this financing)."
        versions = obj.terms_versions.order_by("-version")
        add = reverse("admin:deals_dealtermsversion_add") + f"?financing={obj.pk}"
        rows = [(reverse("admin:deals_dealtermsversion_change", args=[v.pk]), v.version, v.effective_from.isoformat(), v.reason)
                for v in versions]
        table = format_html(
            "<table><tr><th>Version</th><th>Effective from</th><th>Reason</th></tr>{}</table>",
            format_html_join("", '<tr><td><a href="{}">v{}</a></td><td>{}</td><td>{}</td></tr>', rows),
        ) if rows else "No terms yet: conversions under this financing are refused until a version is in force."
        return format_html('{}<p><a href="{}">Add a terms version for {}</a></p>', table, add, obj)

    @admin.display(description="Offering placed")
    def allocation_figure(self, obj):
        if obj is None or obj.pk is None:
            return "Shown once the financing is saved."
        return figure_of(derived.financing_allocation, obj)

    @admin.display(description="Buyer's Allocable Shares (SPA 1(b)(iv))")
    def allocable_shares_table(self, obj):
        if obj is None or obj.pk is None or not obj.is_series_j:
            return "Series J financings only."
        holdings = obj.preferred_holdings.select_related("investor", "financing").order_by(*natural("certificate_number"))
        rows = [(h.certificate_number, h.investor, f"${h.liquidation_preference:,.2f}",
                 f"{derived.allocable_share(h).value * 100:.4f}%") for h in holdings]
        if not rows:
            return "No holdings yet."
        return format_html(
            "<table><tr><th>Certificate</th><th>Buyer</th><th>Liquidation preference</th><th>Allocable Share</th></tr>"
            "{}</table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )


@admin.register(m.PreferredHolding)
class PreferredHoldingAdmin(DealAdmin):
    form = PreferredHoldingAdminForm
    list_display = ("certificate_number", "investor", "financing", "shares", "liquidation_preference",
                    "liquidation_preference_outstanding", "allocable_share", "closing_date", "status")
    list_select_related = ("investor", "financing")
    list_filter = ("status", "financing")
    search_fields = ("certificate_number", "investor__legal_name")
    readonly_fields = ("liquidation_preference_outstanding", "status", "allocable_share_figure")
    fields = ("financing", "investor", "certificate_number", "shares", "liquidation_preference", "purchase_price",
              "closing_date", "rule_144_from", "liquidation_preference_outstanding", "status", "allocable_share_figure")

    @admin.display(description="Allocable Share")
    def allocable_share(self, obj):
        return f"{derived.allocable_share(obj).value * 100:.2f}%"

    @admin.display(description="Buyer's Allocable Share")
    def allocable_share_figure(self, obj):
        if obj is None or obj.pk is None:
            return "Liquidation preference / total offering (SPA 1(b)(iv)); shown once saved."
        return figure_of(derived.allocable_share, obj)


@admin.register(m.Debenture)
class DebentureAdmin(DealAdmin):
    form = DebentureAdminForm
    list_display = ("number", "investor", "financing", "principal", "principal_outstanding", "dated_date", "issue_date",
                    "maturity_date", "status")
    list_select_related = ("investor", "financing")
    list_filter = ("status", "financing", "maturity_date")
    search_fields = ("number", "investor__legal_name")
    readonly_fields = ("principal_outstanding", "status", "outstanding_figure")
    fields = ("financing", "investor", "number", "principal", "dated_date", "issue_date", "closing_date", "maturity_date",
              "interest_paid_through", "principal_outstanding", "status", "outstanding_figure")

    @admin.display(description="Outstanding and convertible (Debenture 4(A))")
    def outstanding_figure(self, obj):
        if obj is None or obj.pk is None:
            return "Outstanding principal starts equal to the principal; shown once saved."
        return figure_of(derived.debenture_status, obj)


@admin.register(m.Warrant)
class WarrantAdmin(DealAdmin):
    form = WarrantAdminForm
    list_display = ("number", "investor", "financing", "shares", "shares_remaining", "exercise_price", "issue_date",
                    "expiry_date", "status")
    list_select_related = ("investor", "financing")
    list_filter = ("status", "financing", "expiry_date")
    search_fields = ("number", "investor__legal_name")
    readonly_fields = ("shares_remaining", "status", "expiry_figure", "sizing_figure")
    fields = ("financing", "investor", "number", "shares", "exercise_price", "issue_date", "expiry_date",
              "expiry_figure", "sizing_reason", "sizing_figure", "shares_remaining", "status")

    @admin.display(description="SPA 4(h) sizing")
    def sizing_figure(self, obj):
        if obj is None or obj.pk is None:
            return ("Checked on save: 20% of the Buyer's Purchase Price / 110% of the closing bid on the trading day "
                    "before the Closing Date; a different figure needs a sizing reason.")
        check = obj.sizing_check or {}
        if not check:
            return "Not checked (saved before the SPA 4(h) check, or no warrant terms in this financing)."
        expected = check.get("expected") or {}
        text = (f"SPA 4(h): {fmt.shares(expected.get('shares'))} shares at {fmt.price(expected.get('exercise_price'))}, "
                f"expiring {expected.get('expiry')}" if expected else f"SPA 4(h) not checkable: {check.get('problem')}")
        if check.get("differences"):
            text += f"; recorded differently because: {check.get('reason')}"
        return text

    @admin.display(description="SPA 4(h) expiry")
    def expiry_figure(self, obj):
        if obj is None or obj.pk is None:
            return "Left empty, the expiry is computed from the issue (Closing) date per SPA 4(h)."
        return figure_of(derived.warrant_status, obj)


# --- deal terms ------------------------------------------------------------------


@admin.register(m.DealTermsVersion)
class DealTermsVersionAdmin(DealAdmin):
    """Versions per financing: the list filters by financing; adding starts by picking the
    financing (``?financing=<id>``), the form is prefilled from that financing's latest
    version and the page compares each version with the same financing's previous one."""

    form = DealTermsVersionAdminForm
    list_display = ("financing", "version", "effective_from", "reason", "created_by", "created_at")
    list_select_related = ("created_by", "financing")
    list_filter = ("financing",)
    search_fields = ("reason",)
    date_hierarchy = "effective_from"
    ordering = ("financing", "-version")

    def _financing_from(self, request):
        raw = request.GET.get("financing") or request.POST.get("financing")
        if raw and str(raw).isdigit():
            return m.Financing.objects.filter(pk=int(raw)).first()
        return None

    def add_view(self, request, form_url="", extra_context=None):
        if request.method == "GET" and self._financing_from(request) is None:
            financings = list(m.Financing.objects.order_by("kind", "name"))
            latest = {}
            for v in m.DealTermsVersion.objects.order_by("financing_id", "version"):
                latest[v.financing_id] = v
            return TemplateResponse(request, "admin/deals/dealtermsversion/pick_financing.html", {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Add deal terms version: pick the financing",
                "rows": [(f, latest.get(f.pk)) for f in financings],
            })
        return super().add_view(request, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            form.financing_from_request = self._financing_from(request)
        return form

    CONSENT_FIELDS = ("acknowledge_records", "instrument", "instrument_date", "company_consents", "consenting_investors")

    def get_fieldsets(self, request, obj=None):
        head = ("financing", "effective_from", "reason") if obj is None else (
            "financing", "version", "effective_from", "reason", "created_by", "created_at", "changes_from_previous")
        financing = obj.financing if obj is not None else self._financing_from(request)
        kind = financing.terms_kind if financing is not None else None
        consents = () if obj is not None else (
            ("Consents (RRA 10 / SPA 9(i)) and records already made", {"fields": self.CONSENT_FIELDS}),)
        return ((None, {"fields": head}),
                *((title, {"fields": names, "classes": ("collapse",) if obj else ()}) for title, names in term_groups(kind)),
                *consents)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("financing", "version", "effective_from", "reason", "created_by", "created_at", "changes_from_previous",
                *fields_for(obj.financing.terms_kind))

    def has_add_permission(self, request):
        return is_deal_admin(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return False  # a version is never edited: add a new one

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        financing = self._financing_from(request)
        if financing is None:
            return initial
        initial["financing"] = financing.pk
        latest = financing.terms_versions.order_by("-version").first()
        # start from the financing's latest version, else the engine's defaults for its kind
        source = latest.term_values() if latest else m.DealTermsVersion.values_from_terms(NHTC_DEFAULTS, kind=financing.terms_kind)
        initial.update({n: source[n] for n in fields_for(financing.terms_kind)})
        return initial

    def save_model(self, request, obj, form, change):
        """Issue 12 (four eyes): the version is not written here; it waits on /approvals/ for a
        different deal admin (``deals.services.approvals.terms_version_request``)."""
        from deals.services.approvals import terms_version_request
        from deals.services.errors import WorkflowError

        if change:
            raise PermissionDenied("Terms versions are never edited; add a new version.")
        d = form.cleaned_data
        try:
            request._terms_approval = terms_version_request(
            financing=obj.financing, effective_from=obj.effective_from, reason=obj.reason, values=obj.term_values(),
            maker=request.user, acknowledged=bool(d.get("acknowledge_records")), document=d.get("instrument"),
            instrument_date=d.get("instrument_date"), company_consents=bool(d.get("company_consents")),
            signed={i.pk for i in d.get("consenting_investors") or ()},
            )
        except WorkflowError as err:  # a race after the form's checks: refused, nothing written
            raise PermissionDenied(err.message)

    def save_related(self, request, form, formsets, change):
        pass  # nothing is written until the approval

    def log_addition(self, request, obj, message):
        return None  # the approval's history records the request

    def response_add(self, request, obj, post_url_continue=None):
        approval = request._terms_approval
        self.message_user(request, f"Terms version requested: it waits for a second deal admin's approval "
                                   f"(approval #{approval.pk}). {approval.summary}.", messages.INFO)
        return redirect("approval_detail", pk=approval.pk)

    @admin.display(description="Changes from the previous version")
    def changes_from_previous(self, obj):
        prev = (
            m.DealTermsVersion.objects.filter(financing_id=obj.financing_id, version__lt=obj.version).order_by("-version").first()
        )
        if prev is None:
            return f"The first version of {obj.financing}: nothing to compare."
        rows = [(m.DealTermsVersion._meta.get_field(n).verbose_name, getattr(prev, n), getattr(obj, n),
                 m.DealTermsVersion._meta.get_field(n).help_text)
                for n in fields_for(obj.financing.terms_kind) if getattr(prev, n) != getattr(obj, n)]
        if not rows:
            return f"No term differs from version {prev.version}."
        return format_html(
            "<table><tr><th>Term</th><th>v{}</th><th>v{}</th><th>Clause</th></tr>{}</table>",
            prev.version,
            obj.version,
            format_html_join("", "<tr><td>{}</td><td>{}</td><td><strong>{}</strong></td><td>{}</td></tr>", rows),
        )


# --- market prices ------------------------------------------------------------------


@admin.register(m.MarketPrice)
class MarketPriceAdmin(DealAdmin):
    list_display = ("date", "closing_bid", "closing_price", "source", "imported_by")
    list_select_related = ("imported_by",)
    list_filter = ("source",)
    search_fields = ("source", "date")
    date_hierarchy = "date"
    actions = ("export_selected",)
    change_list_template = "admin/deals/marketprice/change_list.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name=f"{info[0]}_{info[1]}_import"),
            path("export/", self.admin_site.admin_view(self.export_view), name=f"{info[0]}_{info[1]}_export"),
            *super().get_urls(),
        ]

    def save_model(self, request, obj, form, change):
        """Issue 12 (four eyes): changing the price of a date a recorded conversion used waits for a
        second deal admin -- the edit goes through the import service as a one-row correction."""
        from deals.selectors.conversions import price_dates_used

        if change and form.changed_data and price_dates_used([obj.date]):
            result, approval = price_import_submit(
                file_name=f"admin-edit-{obj.date.isoformat()}.csv", content=prices_export(prices=[obj]), user=request.user,
                replace=True, reason=f"Correction of the {obj.date.isoformat()} price in the admin")
            if approval is None:
                raise PermissionDenied(result.summary())
            request._price_approval = approval
            return
        super().save_model(request, obj, form, change)

    def log_change(self, request, obj, message):
        if getattr(request, "_price_approval", None) is None:
            return super().log_change(request, obj, message)
        return None

    def response_change(self, request, obj):
        approval = getattr(request, "_price_approval", None)
        if approval is None:
            return super().response_change(request, obj)
        self.message_user(request, f"The {obj.date.isoformat()} price was used by recorded conversion(s): the correction "
                                   f"waits for a second deal admin (approval #{approval.pk}).", messages.WARNING)
        return redirect("approval_detail", pk=approval.pk)

    def _check_import(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied("Importing prices needs add and change permission on market prices.")

    def import_view(self, request):
        """CSV upload (SPA 1(b)(ix), 4(h); Debenture 4(A) inputs). With JavaScript the page posts
        with XMLHttpRequest and reads a stream of progress lines (NDJSON); without, it re-renders."""
        self._check_import(request)
        result = None
        form = PriceImportForm(request.POST, request.FILES) if request.method == "POST" else PriceImportForm()
        if request.method == "POST" and form.is_valid():
            name, content = form.cleaned_data["file"]
            kwargs = {"file_name": name, "content": content, "user": request.user,
                      "dry_run": form.cleaned_data["dry_run"], "replace": form.cleaned_data["replace"]}
            if "application/x-ndjson" in request.headers.get("Accept", ""):
                return StreamingHttpResponse(self._stream(prices_import_steps(**kwargs), content, request.user),
                                             content_type="application/x-ndjson")
            result, approval = price_import_submit(**kwargs)
            if result.applied:
                self.message_user(request, result.summary(), messages.SUCCESS)
            elif approval is not None:
                self.message_user(request, f"{result.summary()} Approval #{approval.pk}.", messages.WARNING)
                return redirect("approval_detail", pk=approval.pk)
        elif request.method == "POST" and "application/x-ndjson" in request.headers.get("Accept", ""):
            errors = [{"row": 0, "column": name, "message": " ".join(e)} for name, e in form.errors.items()]
            return HttpResponse(json.dumps({"type": "result", "ok": False, "summary": "The form is incomplete.",
                                            "errors": errors, "warnings": []}) + "\n",
                                content_type="application/x-ndjson", status=400)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import market prices from CSV",
            "form": form,
            "result": result,
            "recent": m.PriceImport.objects.select_related("uploaded_by")[:5],
        }
        return TemplateResponse(request, "admin/deals/marketprice/import.html", context)

    @staticmethod
    def _stream(steps, content, user):
        from deals.services.approvals import price_correction_request

        for item in steps:
            payload = item.as_dict()
            if not isinstance(item, ImportProgress) and payload.get("price_import_id"):
                payload["price_import_url"] = reverse("admin:deals_priceimport_change", args=[payload["price_import_id"]])
            if not isinstance(item, ImportProgress):
                approval = price_correction_request(result=item, content=content, user=user)
                if approval is not None:  # issue 12: dates a conversion used wait for a second deal admin
                    payload["approval_id"] = approval.pk
                    payload["approval_url"] = reverse("approval_detail", args=[approval.pk])
            yield json.dumps(payload) + "\n"

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        start = _parse_date(request.GET.get("from"))
        end = _parse_date(request.GET.get("to"))
        return _csv_response(prices_export(start=start, end=end), "market-prices.csv")

    @admin.action(description="Export selected prices to CSV")
    def export_selected(self, request, queryset):
        return _csv_response(prices_export(prices=queryset.order_by("date")), "market-prices-selected.csv")


def _parse_date(raw):
    try:
        return datetime.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@admin.register(m.Approval)
class ApprovalAdmin(RecordAdmin):
    """Four-eyes items (issue 12), view-only: they are asked for and decided on /approvals/."""

    list_display = ("id", "kind", "status", "summary", "maker", "checker", "created_at", "decided_at")
    list_select_related = ("maker", "checker")
    list_filter = ("kind", "status")
    search_fields = ("summary", "reason")


@admin.register(m.ApprovalConsent)
class ApprovalConsentAdmin(RecordAdmin):
    """RRA 10 / SPA 9(i) consents recorded with a terms-version request (view-only)."""

    list_display = ("approval", "investor", "holding", "signed")
    list_select_related = ("approval", "investor")
    list_filter = ("signed",)


@admin.register(m.PriceImport)
class PriceImportAdmin(RecordAdmin):
    list_display = ("file_name", "status", "rows_total", "rows_created", "rows_updated", "uploaded_by", "uploaded_at")
    list_select_related = ("uploaded_by",)
    list_filter = ("status",)
    search_fields = ("file_name", "sha256")
    readonly_fields = ("report_table",)
    exclude = ("report",)

    @admin.display(description="Report")
    def report_table(self, obj):
        report = obj.report or {}
        errors = report.get("errors") or []
        warnings = report.get("warnings") or []
        parts = []
        if errors:
            parts.append(format_html(
                "<table><tr><th>Row</th><th>Column</th><th>Problem</th></tr>{}</table>",
                format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                                 ((e.get("row"), e.get("column"), e.get("message")) for e in errors)),
            ))
        if warnings:
            parts.append(format_html("<p>Warnings:</p><ul>{}</ul>",
                                     format_html_join("", "<li>{}</li>", ((w,) for w in warnings))))
        if not parts:
            return "No errors or warnings."
        return format_html_join("", "{}", ((p,) for p in parts))


# --- registration ---------------------------------------------------------------------


class RegistrationAmendmentInline(LabelledTabularInline):
    model = m.RegistrationAmendment
    form = SafeModelForm
    extra = 0
    show_change_link = True
    fields = ("increased_registered_shares_date", "filed_date", "effective_date", "shares_added", "created_by")
    readonly_fields = ("created_by",)


def _record_suspension(obj, user):
    """RRA 3(h): save through the suspensions service (verdict, obligations, Periodic Amounts)."""
    from deals.services.company.suspensions import suspension_record

    return suspension_record(statement=obj.statement, notice_date=obj.notice_date, start_date=obj.start_date,
                             end_date=obj.end_date, reason=obj.reason, notice_required=obj.notice_required,
                             user=user, as_of=business_date())


class SuspensionPeriodInline(LabelledTabularInline):
    """Existing suspensions are shown read-only (their verdict and obligations were recorded by the
    service); a new row is judged and recorded by the same service."""

    model = m.SuspensionPeriod
    form = SuspensionPeriodAdminForm
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("notice_date", "start_date", "end_date", "reason", "notice_required", "permitted", "created_by")
    readonly_fields = ("permitted", "created_by")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(m.RegistrationStatement)
class RegistrationStatementAdmin(DealAdmin):
    list_display = ("__str__", "financing", "filed_date", "effective_date", "shares_registered",
                    "registration_period_end")
    list_select_related = ("financing",)
    list_filter = ("financing",)
    search_fields = ("sec_file_number",)
    inlines = (RegistrationAmendmentInline, SuspensionPeriodInline)
    readonly_fields = ("shares_to_register_figure",)

    def save_formset(self, request, form, formset, change):
        if formset.model is not m.SuspensionPeriod:
            return super().save_formset(request, form, formset, change)
        for obj in formset.save(commit=False):
            if obj.pk is None:
                _record_suspension(obj, request.user)

    @admin.display(description="Shares to register (RRA 2(a)(i))")
    def shares_to_register_figure(self, obj):
        if obj is None or obj.pk is None:
            return "Shown once the statement is saved."
        return figure_of(derived.registration_status, obj)


@admin.register(m.RegistrationAmendment)
class RegistrationAmendmentAdmin(DealAdmin):
    list_display = ("__str__", "statement", "increased_registered_shares_date", "filed_date", "effective_date",
                    "shares_added")
    list_select_related = ("statement__financing",)
    list_filter = ("effective_date",)
    readonly_fields = ("snapshot", "created_by")


@admin.register(m.SuspensionPeriod)
class SuspensionPeriodAdmin(DealAdmin):
    """Suspensions (RRA 3(h)): added through the suspensions service; never edited afterwards."""

    form = SuspensionPeriodAdminForm
    list_display = ("__str__", "statement", "notice_date", "start_date", "end_date", "permitted", "created_by")
    list_select_related = ("statement__financing", "created_by")
    list_filter = ("permitted",)
    search_fields = ("reason",)
    readonly_fields = ("permitted", "non_permitted_days", "verdict", "created_by")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.pk = _record_suspension(obj, request.user).pk


# --- business date ---------------------------------------------------------------------


@admin.register(m.BusinessDate)
class BusinessDateAdmin(DealAdmin):
    """The business date: one row; deal admins change it (shown in every page's header). Only to an
    explicit date; a large forward move asks for confirmation (``BusinessDateAdminForm``)."""

    form = BusinessDateAdminForm
    list_display = ("__str__", "business_date", "changed_by", "changed_at")
    list_select_related = ("changed_by",)
    fields = ("business_date", "confirm_forward", "changed_by", "changed_at")
    readonly_fields = ("changed_by", "changed_at")

    def has_add_permission(self, request):
        return is_deal_admin(request.user) and not m.BusinessDate.objects.filter(pk=1).exists()

    def has_change_permission(self, request, obj=None):
        return is_deal_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        row = business_date_set(day=form.cleaned_data["business_date"], user=request.user)
        obj.pk, obj.changed_by, obj.changed_at = row.pk, row.changed_by, row.changed_at

    def changelist_view(self, request, extra_context=None):
        row = m.BusinessDate.objects.filter(pk=1).first()
        if row is not None and self.has_change_permission(request, row):
            return redirect("admin:deals_businessdate_change", row.pk)
        return super().changelist_view(request, extra_context)


# --- workflow records (view-only) -------------------------------------------------------


@admin.register(m.Conversion)
class ConversionAdmin(SelectorSearchMixin, RecordAdmin):
    list_display = ("__str__", "investor", "amount", "conversion_date", "conversion_price", "shares_issuable",
                    "delivery_date", "status", "terms_version")
    list_select_related = ("investor", "debenture", "preferred__financing", "terms_version")  # labels read the financing (issue 17)
    list_filter = ("status", "notice_method", year_filter("conversion_date"))
    search_fields = ("reference",)  # searched as on /conversions/ (deals.selectors.search): indexed columns only
    search_help_text = "Reference, delivery reference, investor name, debenture or Series J number, or #id."

    def get_queryset(self, request):
        return super().get_queryset(request).defer("snapshot")

    search_q = staticmethod(conversion_search)


@admin.register(m.WarrantExercise)
class WarrantExerciseAdmin(SelectorSearchMixin, RecordAdmin):
    list_display = ("__str__", "investor", "shares", "exercise_date", "exercise_price", "aggregate_price",
                    "delivery_date", "status", "terms_version")
    list_select_related = ("warrant", "investor", "terms_version")
    list_filter = ("status", year_filter("exercise_date"))
    search_fields = ("delivery_reference",)  # as on /exercises/ (deals.selectors.search)
    search_help_text = "Delivery reference, investor name, warrant number, or #id."

    def get_queryset(self, request):
        return super().get_queryset(request).defer("snapshot")

    search_q = staticmethod(exercise_search)


@admin.register(m.Redemption)
class RedemptionAdmin(RecordAdmin):
    list_display = ("__str__", "notice_date", "principal", "total_amount", "payment_due_date", "status",
                    "terms_version")
    list_select_related = ("debenture", "terms_version")
    list_filter = ("status",)
    search_fields = ("debenture__number",)


@admin.register(m.Obligation)
class ObligationAdmin(SelectorSearchMixin, RecordAdmin):
    list_display = ("kind", "clause", "due_date", "amount", "status", "investor", "content_type", "object_id",
                    "period_key")
    list_select_related = ("investor", "content_type")
    list_filter = ("status", "kind", year_filter("due_date"))
    search_fields = ("description",)  # indexed columns only (deals.selectors.search)
    search_help_text = "Description, investor name, or the id of the row or of its source record."

    search_q = staticmethod(obligation_search)


@admin.register(m.Settlement)
class SettlementAdmin(RecordAdmin):
    """Books entries: never edited; a correction is a reversal (deals.services.ledger.settlements)."""

    list_display = ("obligation", "kind", "date", "amount", "method", "reference", "recorded_by", "recorded_at")
    list_select_related = ("obligation", "recorded_by")
    list_filter = ("kind", "method")
    search_fields = ("reference", "instrument", "waived_by")
    date_hierarchy = "date"


@admin.register(m.StockholderMeeting)
class StockholderMeetingAdmin(RecordAdmin):
    """SPA 4(d)(ii): recorded on the Cap Regulations page (deals.services.issuance); read-only here."""

    list_display = ("issuer", "meeting_date", "votes_for", "votes_against", "votes_abstain", "approved", "created_by")
    list_select_related = ("issuer", "created_by")
    list_filter = ("approved",)
    date_hierarchy = "meeting_date"


@admin.register(m.AccountStatement)
class AccountStatementAdmin(RecordAdmin):
    list_display = ("investor", "as_of", "total_owed", "total_settled", "balance", "created_by", "created_at")
    list_select_related = ("investor", "created_by")


@admin.register(m.SweepRun)
class SweepRunAdmin(RecordAdmin):
    list_display = ("as_of", "status", "started_at", "finished_at", "triggered_by", "user")
    list_select_related = ("user",)
    list_filter = ("status",)


# --- closing and transfers: workflow records, view-only here (deals.services.closing / transfers) ----


@admin.register(m.ClosingRoom)
class ClosingRoomAdmin(RecordAdmin):
    list_display = ("financing", "acceptance_date", "status", "closing_date", "escrow_released_on")
    list_filter = ("status",)
    list_select_related = ("financing",)


@admin.register(m.Subscription)
class SubscriptionAdmin(RecordAdmin):
    list_display = ("room", "investor", "amount", "purchase_price", "denominations")
    list_select_related = ("room__financing", "investor")


@admin.register(m.EscrowDeposit)
class EscrowDepositAdmin(RecordAdmin):
    list_display = ("room", "subscription", "amount", "deposited_on", "reference", "reverses")
    list_select_related = ("room__financing", "subscription__investor", "reverses")


@admin.register(m.ClosingCondition)
class ClosingConditionAdmin(RecordAdmin):
    list_display = ("room", "code", "status", "met_on", "waived_by", "decided_by")
    list_filter = ("status",)
    list_select_related = ("room__financing", "decided_by")


@admin.register(m.LegendRemoval)
class LegendRemovalAdmin(RecordAdmin):
    list_display = ("certificate", "investor", "security", "opinion_received", "due_date", "status")
    list_filter = ("status", "security")
    list_select_related = ("investor",)


@admin.register(m.Transfer)
class TransferAdmin(RecordAdmin):
    list_display = ("id", "kind", "security", "transferor", "transferee", "amount", "warrant_shares", "transfer_date", "rights_follow")
    list_filter = ("kind", "security", "rights_follow")
    list_select_related = ("transferor", "transferee")


@admin.register(m.DebentureRegisterEntry)
class DebentureRegisterEntryAdmin(RecordAdmin):
    list_display = ("debenture", "holder", "principal", "registered_on", "cancelled_on", "reason")
    list_select_related = ("debenture", "holder")


@admin.register(m.SaleEvent)
class SaleEventAdmin(RecordAdmin):
    list_display = ("financing", "kind", "counterparty", "notice_received", "convert_by")
    list_select_related = ("financing",)


@admin.register(m.TransferAgentInstruction)
class TransferAgentInstructionAdmin(RecordAdmin):
    list_display = ("id", "investor", "shares", "legended", "dwac", "instruction_date")
    list_select_related = ("investor",)


READ_ONLY_MARKERS = {"snapshot", "idempotency_key"}
# Records the workflows make without a snapshot field of that name.
READ_ONLY_MODELS = {"BuyIn", "CapRemedy", "OutboundNotice", "PriceProtectionAdjustment", "PeriodicAmountPayment",
                    "LiquidatedDamagesStatement"}


def _auto_admin(model) -> type[admin.ModelAdmin]:
    """An admin for a deals model nobody wrote one for yet: simple columns, related rows
    selected, view-only for workflow records (a ``snapshot`` or ``idempotency_key``)."""
    concrete = [f for f in model._meta.concrete_fields if not isinstance(f, models.JSONField | models.TextField)]
    shown = [f for f in concrete if f.name not in ("id", "created_at", "updated_at")][:7] or concrete[:1]
    fks = [f.name for f in shown if f.is_relation]
    read_only = model.__name__ in READ_ONLY_MODELS or bool(READ_ONLY_MARKERS & _names(model))
    base = RecordAdmin if read_only else DealAdmin
    attrs = {
        "list_display": ("__str__", *[f.name for f in shown]),
        "list_select_related": tuple(fks),
        "list_filter": tuple(f.name for f in concrete if f.choices or isinstance(f, models.BooleanField))[:4],
        "search_fields": tuple(f.name for f in concrete if isinstance(f, models.CharField) and not f.choices)[:3],
    }
    if any(f.name == "created_by" for f in model._meta.concrete_fields):
        attrs["readonly_fields"] = ("created_by",)
    return type(f"{model.__name__}Admin", (base,), attrs)


def _names(model) -> set[str]:
    return {f.name for f in model._meta.concrete_fields}


def register_remaining(site=admin.site) -> list[str]:
    """Register every deals model not registered above (new models get history and a list page)."""
    done = []
    for model in apps.get_app_config("deals").get_models():
        if model.__name__.startswith("Historical") or site.is_registered(model):
            continue
        site.register(model, _auto_admin(model))
        done.append(model.__name__)
    return done


register_remaining()
