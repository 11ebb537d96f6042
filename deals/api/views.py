"""API endpoints. Reads go through the selectors the list pages use (same filters, from the
pages' own filter forms); writes call the workflow services. No figure is computed here."""

from __future__ import annotations

import csv
import hashlib
import io

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from deals.forms.approvals import ApprovalFilterForm
from deals.forms.conversions import ConversionFilterForm, ConversionForm
from deals.forms.deadlines import ObligationFilterForm
from deals.forms.exercises import ExerciseFilterForm, ExerciseForm
from deals.forms.redemptions import RedemptionForm
from deals.models import (
    Conversion,
    DealTermsVersion,
    Debenture,
    Financing,
    Issuer,
    MarketPrice,
    PreferredHolding,
    Redemption,
    SweepRun,
    Warrant,
    WarrantExercise,
)
from deals.selectors.conversions import conversions_filtered, exercises_filtered
from deals.selectors.investors import investors_ordered, with_counts
from deals.services import conversions as conversion_svc
from deals.services import exercises as exercise_svc
from deals.services import redemptions as redemption_svc
from deals.services.approvals import price_import_submit
from deals.services.prices import COLUMNS
from deals.views.deadlines import obligations_filtered
from notices.access import accessible_notices
from notices.forms import NoticeFilterForm

from . import schema  # noqa: F401  (registers the token scheme)
from . import serializers as s
from .errors import ApiError, form_error
from .filters import form_parameters
from .idempotency import HEADER, idempotent
from .inputs import json_object, validated
from .parsers import DecimalJSONParser
from .permissions import IsClerk, IsDealAdmin

ERRORS = {400: s.ErrorSerializer, 401: s.ErrorSerializer, 403: s.ErrorSerializer}
WRITE_ERRORS = {**ERRORS, 422: s.ErrorSerializer}
KEY_PARAM = OpenApiParameter(
    HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
    description="Unique per write; a replay returns the first response, another body with the same key gets 422.",
)


class FormFilteredList(generics.ListAPIView):
    """A list filtered by the page's filter form; bad filter values are a 400, not ignored."""

    filter_form = None

    def filters(self) -> dict:
        if self.filter_form is None or not self.request.query_params:
            return {}
        form = self.filter_form(self.request.query_params)
        if not form.is_valid():
            raise form_error(form)
        return form.filters() if hasattr(form, "filters") else form.cleaned_data


# --- deal-admin reads (the pages show these in the admin only) ------------------------------


class IssuerList(generics.ListAPIView):
    """The Issuer (SPA preamble, 3(c)): authorized and issued Common Stock."""

    permission_classes = [IsDealAdmin]
    serializer_class = s.IssuerSerializer
    queryset = Issuer.objects.order_by("name")


class FinancingList(generics.ListAPIView):
    permission_classes = [IsDealAdmin]
    serializer_class = s.FinancingSerializer
    queryset = Financing.objects.order_by("kind", "name")


@extend_schema_view(
    get=extend_schema(parameters=[OpenApiParameter("financing", OpenApiTypes.INT, description="Only this financing's versions")])
)
class TermsVersionList(generics.ListAPIView):
    """Deal terms versions per financing (issue 18), newest first; each applies to its financing
    from ``effective_from``; terms of another kind are null."""

    permission_classes = [IsDealAdmin]
    serializer_class = s.TermsVersionSerializer

    def get_queryset(self):
        qs = DealTermsVersion.objects.order_by("financing_id", "-effective_from", "-version")
        raw = self.request.query_params.get("financing", "")
        return qs.filter(financing_id=int(raw)) if raw.isdigit() else qs


# --- clerk reads ----------------------------------------------------------------------------


@extend_schema_view(get=extend_schema(parameters=[OpenApiParameter("q", OpenApiTypes.STR, description="Name contains")]))
class InvestorList(generics.ListAPIView):
    serializer_class = s.InvestorSerializer

    def get_queryset(self):
        qs = investors_ordered()
        q = self.request.query_params.get("q", "").strip()
        return qs.filter(legal_name__icontains=q) if q else qs

    def paginate_queryset(self, queryset):
        # the page's counts in one grouped query (deals.selectors.investors.with_counts)
        page = super().paginate_queryset(queryset)
        return with_counts(page) if page is not None else None


INSTRUMENT_PARAMS = [
    OpenApiParameter("investor", OpenApiTypes.INT),
    OpenApiParameter("status", OpenApiTypes.STR),
]


class _InstrumentList(generics.ListAPIView):
    order = ()

    def get_queryset(self):
        qs = self.model.objects.select_related("investor").order_by(*self.order)
        params = self.request.query_params
        investor = params.get("investor", "")
        if investor:
            if not investor.isdigit():
                raise ApiError(f"investor: '{investor}' is not an investor id.", code="invalid", field="investor")
            qs = qs.filter(investor_id=int(investor))
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        return qs


@extend_schema_view(get=extend_schema(parameters=INSTRUMENT_PARAMS))
class DebentureList(_InstrumentList):
    serializer_class = s.DebentureSerializer
    model = Debenture
    order = ("number",)


@extend_schema_view(get=extend_schema(parameters=INSTRUMENT_PARAMS))
class PreferredList(_InstrumentList):
    serializer_class = s.PreferredHoldingSerializer
    model = PreferredHolding
    order = ("certificate_number",)


@extend_schema_view(get=extend_schema(parameters=INSTRUMENT_PARAMS))
class WarrantList(_InstrumentList):
    serializer_class = s.WarrantSerializer
    model = Warrant
    order = ("number",)


@extend_schema_view(get=extend_schema(parameters=[OpenApiParameter("date_from", OpenApiTypes.DATE),
                                                  OpenApiParameter("date_to", OpenApiTypes.DATE)]))
class MarketPriceList(generics.ListAPIView):
    serializer_class = s.MarketPriceSerializer

    def get_queryset(self):
        from django import forms

        class F(forms.Form):
            date_from = forms.DateField(required=False)
            date_to = forms.DateField(required=False)

        form = F(self.request.query_params)
        if not form.is_valid():
            raise form_error(form)
        qs = MarketPrice.objects.order_by("-date")
        if form.cleaned_data["date_from"]:
            qs = qs.filter(date__gte=form.cleaned_data["date_from"])
        if form.cleaned_data["date_to"]:
            qs = qs.filter(date__lte=form.cleaned_data["date_to"])
        return qs


class SweepRunList(generics.ListAPIView):
    serializer_class = s.SweepRunSerializer
    queryset = SweepRun.objects.order_by("-started_at", "-id")


@extend_schema_view(get=extend_schema(parameters=form_parameters(ObligationFilterForm)))
class ObligationList(FormFilteredList):
    """The obligations ledger (the Deadlines page's rows and filters; no default status here)."""

    serializer_class = s.ObligationSerializer
    filter_form = ObligationFilterForm

    def get_queryset(self):
        from django.db.models import Prefetch

        from deals.models import Settlement

        entries = Settlement.objects.select_related("recorded_by").order_by("date", "id")
        return obligations_filtered(self.filters()).prefetch_related(Prefetch("settlements", queryset=entries))


SETTLEMENT_FIELDS = ("kind", "date", "amount", "method", "reference", "waived_by", "instrument")


@extend_schema_view(post=extend_schema(
    request=s.SettlementRequestSerializer, parameters=[KEY_PARAM],
    responses={201: s.SettlementSerializer, 202: s.PendingApprovalSerializer, **WRITE_ERRORS, 404: s.ErrorSerializer},
    summary="Record a payment or a waiver against an obligation (deal admins); a waiver or a payment above "
            "APPROVAL_PAYMENT_THRESHOLD answers 202 with the pending approval's id (four eyes, issue 12)",
))
class SettlementCreate(APIView):
    """The obligation page's Record payment / Waive, through ``settlement_record`` (same checks and messages)."""

    permission_classes = [IsDealAdmin]

    @idempotent
    def post(self, request, pk: int):
        from deals.forms.ledger import PaymentForm, WaiverForm
        from deals.models import Approval, Obligation, Settlement
        from deals.services.approvals import settlement_submit

        ob = get_object_or_404(Obligation, pk=pk)
        body = json_object(request)
        kind = body.get("kind")
        if kind not in ("payment", "waiver"):
            raise ApiError("kind: record a 'payment' or a 'waiver'; corrections are reversals.", code="invalid", field="kind")
        form_class = WaiverForm if kind == "waiver" else PaymentForm
        allowed = ("kind", *form_class.base_fields)
        data = validated(form_class, request, fields=[f for f in allowed if f != "document"])
        entry = settlement_submit(
            obligation_id=ob.pk, kind=kind, date=data["date"], amount=data["amount"], method=data.get("method", ""),
            reference=data.get("reference", ""), waived_by=data.get("waived_by", ""), instrument=data.get("instrument", ""),
            by=request.user,
        )
        if isinstance(entry, Approval):
            return Response(_pending(entry), status=status.HTTP_202_ACCEPTED)
        entry = Settlement.objects.select_related("recorded_by").get(pk=entry.pk)
        return Response(s.SettlementSerializer(entry).data, status=status.HTTP_201_CREATED)


@extend_schema_view(post=extend_schema(
    request=s.ReversalRequestSerializer, parameters=[KEY_PARAM],
    responses={201: s.SettlementSerializer, **WRITE_ERRORS, 404: s.ErrorSerializer},
    summary="Reverse a payment or waiver (a new reversing entry; deal admins)",
))
class SettlementReverse(APIView):
    permission_classes = [IsDealAdmin]

    @idempotent
    def post(self, request, pk: int):
        from deals.forms.ledger import ReverseForm
        from deals.models import Settlement
        from deals.services.ledger.settlements import settlement_reverse

        entry = get_object_or_404(Settlement, pk=pk)
        data = validated(ReverseForm, request, fields=("date", "reason"))
        reversal = settlement_reverse(settlement_id=entry.pk, date=data["date"], reason=data["reason"], by=request.user)
        reversal = Settlement.objects.select_related("recorded_by").get(pk=reversal.pk)
        return Response(s.SettlementSerializer(reversal).data, status=status.HTTP_201_CREATED)


@extend_schema_view(get=extend_schema(parameters=form_parameters(NoticeFilterForm)))
class NoticeList(generics.ListAPIView):
    """Notices the user may see (metadata + permission-checked download link)."""

    serializer_class = s.NoticeSerializer

    def get_queryset(self):
        qs = accessible_notices(self.request.user).select_related("investor").order_by("-created_at", "-id")
        if self.request.query_params:
            form = NoticeFilterForm(self.request.query_params)
            if not form.is_valid():
                raise form_error(form)
            qs = form.apply(qs)
        return qs


# --- conversions ------------------------------------------------------------------------------

CONVERSION_FIELDS = ("instrument", "amount", "conversion_date", "notice_method", "notice_received_date",
                     "interest_election", "reference")


def _conversion_args(data: dict) -> dict:
    return {k: data[k] for k in ("instrument", "amount", "conversion_date", "notice_method", "notice_received_date",
                                 "interest_election")}


def service_key(request, key: str) -> str:
    """The services' own idempotency key for an API write (<= 64 chars, per user)."""
    return "api-" + hashlib.sha256(f"{request.user.pk}:{key}".encode()).hexdigest()[:60]


@extend_schema_view(
    get=extend_schema(parameters=form_parameters(ConversionFilterForm), summary="Conversions (the list page's filters)"),
    post=extend_schema(request=s.ConversionRequestSerializer, parameters=[KEY_PARAM],
                       responses={201: s.ConversionDetailSerializer, **WRITE_ERRORS},
                       summary="Submit a Notice of Conversion (Debenture 4(A); Series J CoD, SPA 4(i))"),
)
class ConversionListCreate(FormFilteredList):
    filter_form = ConversionFilterForm

    def get_serializer_class(self):
        return s.ConversionDetailSerializer if self.request.method == "POST" else s.ConversionSerializer

    def get_queryset(self):
        return conversions_filtered(**self.filters())

    @idempotent
    def post(self, request):
        from .idempotency import require_key

        data = validated(ConversionForm, request, fields=CONVERSION_FIELDS, extra={"idempotency_key": "api"})
        conversion = conversion_svc.conversion_submit(
            **_conversion_args(data), reference=data["reference"],
            idempotency_key=service_key(request, require_key(request)), user=request.user,
        )
        # the row as written (its instrument and investor are the ones the submit locked and read):
        # not read again, since this runs under the issuer lock until the idempotency record commits
        return Response(s.ConversionDetailSerializer(conversion).data, status=status.HTTP_201_CREATED)


class ConversionDetail(generics.RetrieveAPIView):
    serializer_class = s.ConversionDetailSerializer
    queryset = Conversion.objects.select_related("debenture", "preferred__financing", "investor")


class ConversionQuote(APIView):
    """Quote a conversion without recording it: the review page's figures (``as_dict`` of the
    engine's ConversionQuote: prices, shares, cap, reserve, delivery date, clauses)."""

    @extend_schema(request=s.ConversionRequestSerializer, responses={200: OpenApiTypes.OBJECT, **ERRORS})
    def post(self, request):
        data = validated(ConversionForm, request, fields=CONVERSION_FIELDS, extra={"idempotency_key": "quote"})
        quote = conversion_svc.conversion_quote(**_conversion_args(data))
        return Response(quote.as_dict())


# --- exercises --------------------------------------------------------------------------------

EXERCISE_FIELDS = ("warrant", "shares", "exercise_date", "payment_amount", "payment_date")


def _exercise_args(data: dict) -> dict:
    return {k: data[k] for k in EXERCISE_FIELDS}


@extend_schema_view(
    get=extend_schema(parameters=form_parameters(ExerciseFilterForm)),
    post=extend_schema(request=s.ExerciseRequestSerializer, parameters=[KEY_PARAM],
                       responses={201: s.ExerciseSerializer, **WRITE_ERRORS}, summary="Record a warrant exercise (SPA 4(h))"),
)
class ExerciseListCreate(FormFilteredList):
    serializer_class = s.ExerciseSerializer
    filter_form = ExerciseFilterForm

    def get_queryset(self):
        return exercises_filtered(**self.filters())

    @idempotent
    def post(self, request):
        from .idempotency import require_key

        data = validated(ExerciseForm, request, fields=EXERCISE_FIELDS, extra={"idempotency_key": "api"})
        exercise = exercise_svc.exercise_submit(
            **_exercise_args(data), idempotency_key=service_key(request, require_key(request)), user=request.user
        )
        exercise = get_object_or_404(WarrantExercise.objects.select_related("warrant", "investor"), pk=exercise.pk)
        return Response(s.ExerciseSerializer(exercise).data, status=status.HTTP_201_CREATED)


class ExerciseDetail(generics.RetrieveAPIView):
    serializer_class = s.ExerciseSerializer
    queryset = WarrantExercise.objects.select_related("warrant", "investor")


class ExerciseQuote(APIView):
    """Price and validate a warrant exercise without recording it (SPA 4(h))."""

    @extend_schema(request=s.ExerciseRequestSerializer, responses={200: OpenApiTypes.OBJECT, **ERRORS})
    def post(self, request):
        data = validated(ExerciseForm, request, fields=EXERCISE_FIELDS, extra={"idempotency_key": "quote"})
        return Response(exercise_svc.exercise_quote(**_exercise_args(data)).as_dict())


# --- redemptions ------------------------------------------------------------------------------

REDEMPTION_FIELDS = ("debenture", "notice_date", "received_date")


@extend_schema_view(
    post=extend_schema(request=s.RedemptionRequestSerializer, parameters=[KEY_PARAM],
                       responses={201: s.RedemptionSerializer, **WRITE_ERRORS},
                       summary="Record a Notice of Redemption (Debenture 4(B)); deal admins"),
)
class RedemptionListCreate(generics.ListAPIView):
    serializer_class = s.RedemptionSerializer
    queryset = Redemption.objects.select_related("debenture__investor").order_by("-notice_date", "-id")

    def get_permissions(self):
        return [IsDealAdmin()] if self.request.method == "POST" else [IsClerk()]

    @idempotent
    def post(self, request):
        from .idempotency import require_key

        data = validated(RedemptionForm, request, fields=REDEMPTION_FIELDS, extra={"idempotency_key": "api"})
        red = redemption_svc.redemption_notice(
            debenture=data["debenture"], notice_date=data["notice_date"], received_date=data["received_date"],
            idempotency_key=service_key(request, require_key(request)), user=request.user,
        )
        red = get_object_or_404(Redemption.objects.select_related("debenture__investor"), pk=red.pk)
        return Response(s.RedemptionSerializer(red).data, status=status.HTTP_201_CREATED)


class RedemptionDetail(generics.RetrieveAPIView):
    serializer_class = s.RedemptionSerializer
    queryset = Redemption.objects.select_related("debenture__investor")


# --- market prices import -----------------------------------------------------------------------


class CSVTextParser(BaseParser):
    """``text/csv`` body: the import file itself."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read()
        return {"csv": raw}


def _flag(value, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("", "0", "false", "no"):
        return False
    if text in ("1", "true", "yes"):
        return True
    raise ApiError(f"{name}: expected true or false, not '{value}'.", code="invalid", field=name)


def rows_to_csv(rows) -> str:
    """JSON rows -> the import CSV (the service validates every cell and reports by row)."""
    if not isinstance(rows, list) or not rows:
        raise ApiError("rows: send a non-empty list of {date, closing_bid, closing_price, source} objects.",
                       code="required", field="rows")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise ApiError(f"rows.{i}: expected an object, not a JSON {type(row).__name__}.", code="invalid_type", field=f"rows.{i}")
        unknown = sorted(set(row) - set(COLUMNS))
        if unknown:
            raise ApiError(f"rows.{i}: unknown field(s) {', '.join(unknown)}; a row has {', '.join(COLUMNS)}.",
                           code="unknown_field", field=f"rows.{i}.{unknown[0]}")
        cells = []
        for col in COLUMNS:
            value = row.get(col)
            if isinstance(value, (dict, list, bool)):
                raise ApiError(f"rows.{i}.{col}: expected a string or number.", code="invalid_type", field=f"rows.{i}.{col}")
            cells.append("" if value is None else str(value))
        writer.writerow(cells)
    return out.getvalue()


@extend_schema_view(
    post=extend_schema(
        request={"application/json": s.PriceImportRequestSerializer, "text/csv": OpenApiTypes.STR,
                 "multipart/form-data": OpenApiTypes.OBJECT},
        parameters=[KEY_PARAM, OpenApiParameter("replace", OpenApiTypes.BOOL), OpenApiParameter("dry_run", OpenApiTypes.BOOL)],
        responses={201: OpenApiTypes.OBJECT, 200: OpenApiTypes.OBJECT, 202: s.PendingApprovalSerializer, **WRITE_ERRORS},
        summary="Import closing bids, all or nothing, with per-row errors (deal admins); replacing a price a recorded "
                "conversion used answers 202 with the pending approval's id (four eyes, issue 12)",
    )
)
class PriceImport(APIView):
    """JSON rows, a ``text/csv`` body or a multipart ``file``: validated row by row by the
    admin's import service (``deals/services/prices.py``); nothing is written unless every row is valid.
    The row numbers in errors are CSV lines: row 2 is the first data row (rows[0] in JSON)."""

    permission_classes = [IsDealAdmin]
    parser_classes = [DecimalJSONParser, CSVTextParser, MultiPartParser]

    @idempotent
    def post(self, request):
        data = request.data
        if "file" in getattr(request, "FILES", {}):
            upload = request.FILES["file"]
            content, name = upload.read(), upload.name[:255]
            replace, dry_run = _flag(data.get("replace", ""), "replace"), _flag(data.get("dry_run", ""), "dry_run")
        elif isinstance(data, dict) and "csv" in data and request.content_type.startswith("text/csv"):
            content, name = data["csv"], "api-upload.csv"
            params = request.query_params
            replace, dry_run = _flag(params.get("replace", ""), "replace"), _flag(params.get("dry_run", ""), "dry_run")
        else:
            body = json_object(request)
            unknown = sorted(set(body) - {"rows", "replace", "dry_run"})
            if unknown:
                raise ApiError(f"Unknown field(s) {', '.join(unknown)}; this endpoint accepts rows, replace, dry_run.",
                               code="unknown_field", field=unknown[0])
            content, name = rows_to_csv(body.get("rows")), "api-rows.json"
            replace, dry_run = _flag(body.get("replace", False), "replace"), _flag(body.get("dry_run", False), "dry_run")
        result, approval = price_import_submit(file_name=name, content=content, user=request.user, dry_run=dry_run,
                                               replace=replace)
        if approval is not None:
            return Response(_pending(approval), status=status.HTTP_202_ACCEPTED)
        payload = result.as_dict()
        if not result.ok:
            first = result.errors[0]
            return Response(
                {"code": "price_import_rejected", "message": result.summary(), "field": first.column or None,
                 "details": {"rows": payload["errors"], "warnings": payload["warnings"],
                             "price_import_id": payload["price_import_id"]}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(payload, status=status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED)


def _pending(approval) -> dict:
    """A 202 body: the change waits for a second deal admin (issue 12, four eyes)."""
    from django.urls import reverse

    return s.PendingApprovalSerializer({
        "approval_id": approval.pk, "status": approval.status, "kind": approval.kind, "summary": approval.summary,
        "url": reverse("approval_detail", args=[approval.pk]),
        "message": f"Waiting for a second deal admin's approval (approval #{approval.pk}).",
    }).data


# --- approvals (issue 12, four eyes) ----------------------------------------------------------


@extend_schema_view(get=extend_schema(parameters=form_parameters(ApprovalFilterForm)))
class ApprovalList(generics.ListAPIView):
    """The /approvals/ queue (deal admins): newest first; ``?status=pending|approved|rejected``."""

    permission_classes = [IsDealAdmin]
    serializer_class = s.ApprovalSerializer

    def get_queryset(self):
        from deals.selectors.approvals import approvals_filtered

        status_ = None
        if self.request.query_params:
            form = ApprovalFilterForm(self.request.query_params)
            if not form.is_valid():
                raise form_error(form)
            status_ = form.cleaned_data.get("status") or None
        return approvals_filtered(status_)


class ApprovalDetail(generics.RetrieveAPIView):
    permission_classes = [IsDealAdmin]
    serializer_class = s.ApprovalSerializer

    def get_queryset(self):
        from deals.selectors.approvals import approvals_filtered

        return approvals_filtered(None)


@extend_schema_view(post=extend_schema(
    request=None, parameters=[KEY_PARAM], responses={200: s.ApprovalSerializer, **WRITE_ERRORS, 404: s.ErrorSerializer},
    summary="Approve a pending change as a different deal admin: it is applied now (issue 12)",
))
class ApprovalApprove(APIView):
    permission_classes = [IsDealAdmin]

    @idempotent
    def post(self, request, pk: int):
        from deals.models import Approval
        from deals.services.approvals import approval_approve

        item = get_object_or_404(Approval, pk=pk)
        item = approval_approve(approval=item.pk, checker=request.user)
        return Response(s.ApprovalSerializer(item).data, status=status.HTTP_200_OK)


@extend_schema_view(post=extend_schema(
    request=s.RejectRequestSerializer, parameters=[KEY_PARAM],
    responses={200: s.ApprovalSerializer, **WRITE_ERRORS, 404: s.ErrorSerializer},
    summary="Reject a pending change as a different deal admin, saying why (issue 12)",
))
class ApprovalReject(APIView):
    permission_classes = [IsDealAdmin]

    @idempotent
    def post(self, request, pk: int):
        from deals.forms.approvals import RejectForm
        from deals.models import Approval
        from deals.services.approvals import approval_reject

        item = get_object_or_404(Approval, pk=pk)
        data = validated(RejectForm, request, fields=("reason",))
        item = approval_reject(approval=item.pk, checker=request.user, reason=data["reason"])
        return Response(s.ApprovalSerializer(item).data, status=status.HTTP_200_OK)


# --- cap table --------------------------------------------------------------------------------


@extend_schema_view(get=extend_schema(
    parameters=[OpenApiParameter("as_of", OpenApiTypes.DATE, description="Default: the business date")],
    responses={200: OpenApiTypes.OBJECT, **ERRORS},
    summary="Cap table as of a date (SPA 3(c), 4(d)(ii), 4(g); Debenture 4(A))",
))
class CapTableView(APIView):
    """The cap table page's figures as JSON: holders by class, fully diluted, headroom, cap meter."""

    def get(self, request):
        from deals.selectors.captable import cap_table_as_of
        from deals.views.captable import as_of_from

        form, day = as_of_from(request.query_params)
        if day is None:
            raise form_error(form)
        return Response(cap_table_as_of(day).as_dict())
