"""Read serializers (what the list pages show, as JSON) and the request shapes of the writes.

Writes are validated by the pages' own Django forms (``deals.forms``) so the API and the pages
give the same messages; the request serializers here document the shape in the OpenAPI schema."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from deals.models import (
    Approval,
    Conversion,
    DealTermsVersion,
    Debenture,
    Financing,
    InterestElection,
    Investor,
    Issuer,
    MarketPrice,
    NoticeMethod,
    Obligation,
    PreferredHolding,
    Redemption,
    Settlement,
    SettlementKind,
    SettlementMethod,
    SweepRun,
    Warrant,
    WarrantExercise,
)
from deals.selectors.conversions import instrument_key
from notices.models import Notice


class IssuerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Issuer
        fields = ["id", "name", "state_of_incorporation", "address", "fax", "counsel", "authorized_common_shares",
                  "shares_outstanding_at_signing", "shares_issued", "par_value", "next_stockholders_meeting"]


class InvestorSerializer(serializers.ModelSerializer):
    n_debentures = serializers.IntegerField(read_only=True)
    n_preferred = serializers.IntegerField(read_only=True)
    n_warrants = serializers.IntegerField(read_only=True)
    n_conversions = serializers.IntegerField(read_only=True)
    n_exercises = serializers.IntegerField(read_only=True)

    class Meta:
        model = Investor
        fields = ["id", "legal_name", "kind", "jurisdiction", "notice_address", "fax", "email", "reg_s_non_us_attested",
                  "reg_s_attested_on", "accredited_investor", "dtc_participant", "prime_broker",
                  "n_debentures", "n_preferred", "n_warrants", "n_conversions", "n_exercises"]


class FinancingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Financing
        fields = ["id", "issuer", "kind", "name", "total_offering", "agreement_date", "acceptance_date",
                  "initial_closing_date", "escrow_agent"]


class TermsVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = DealTermsVersion
        exclude = ["created_by"]


class _InstrumentBase(serializers.ModelSerializer):
    investor_name = serializers.CharField(source="investor.legal_name", read_only=True)


class DebentureSerializer(_InstrumentBase):
    key = serializers.SerializerMethodField(help_text="How the conversion endpoints name it, e.g. 'debenture:7'.")

    class Meta:
        model = Debenture
        fields = ["id", "key", "number", "financing", "investor", "investor_name", "principal", "principal_outstanding",
                  "dated_date", "issue_date", "closing_date", "maturity_date", "interest_paid_through", "status"]

    def get_key(self, obj) -> str:
        return instrument_key(obj)


class PreferredHoldingSerializer(_InstrumentBase):
    key = serializers.SerializerMethodField(help_text="How the conversion endpoints name it, e.g. 'preferred:3'.")

    class Meta:
        model = PreferredHolding
        fields = ["id", "key", "certificate_number", "financing", "investor", "investor_name", "shares",
                  "liquidation_preference", "liquidation_preference_outstanding", "purchase_price", "closing_date", "status"]

    def get_key(self, obj) -> str:
        return instrument_key(obj)


class WarrantSerializer(_InstrumentBase):
    class Meta:
        model = Warrant
        fields = ["id", "number", "financing", "investor", "investor_name", "shares", "shares_remaining", "exercise_price",
                  "issue_date", "expiry_date", "status"]


class MarketPriceSerializer(serializers.ModelSerializer):
    class Meta:
        model = MarketPrice
        fields = ["date", "closing_bid", "closing_price", "source"]


class ConversionSerializer(serializers.ModelSerializer):
    instrument = serializers.SerializerMethodField()
    instrument_label = serializers.CharField(read_only=True)
    investor_name = serializers.CharField(source="investor.legal_name", read_only=True)

    class Meta:
        model = Conversion
        fields = ["id", "instrument", "instrument_label", "investor", "investor_name", "terms_version", "amount",
                  "conversion_date", "notice_method", "notice_received_date", "interest_election", "reference",
                  "market_price", "conversion_price", "shares_for_amount", "interest_amount", "interest_shares",
                  "shares_issuable", "unconverted_shares", "delivery_date", "original_due_date", "original_received_date",
                  "status", "delivered_date", "delivery_reference", "revoked_date", "dishonoured_date", "created_at"]

    def get_instrument(self, obj) -> str:
        return f"debenture:{obj.debenture_id}" if obj.debenture_id else f"preferred:{obj.preferred_id}"


class ConversionDetailSerializer(ConversionSerializer):
    snapshot = serializers.JSONField(read_only=True, help_text="The computation as quoted and confirmed.")

    class Meta(ConversionSerializer.Meta):
        fields = [*ConversionSerializer.Meta.fields, "snapshot"]


class ExerciseSerializer(serializers.ModelSerializer):
    warrant_number = serializers.CharField(source="warrant.number", read_only=True)
    investor_name = serializers.CharField(source="investor.legal_name", read_only=True)

    class Meta:
        model = WarrantExercise
        fields = ["id", "warrant", "warrant_number", "investor", "investor_name", "terms_version", "shares", "exercise_date",
                  "exercise_price", "aggregate_price", "payment_amount", "payment_date", "delivery_date", "delivered_date",
                  "delivery_reference", "status", "created_at"]


class RedemptionSerializer(serializers.ModelSerializer):
    debenture_number = serializers.CharField(source="debenture.number", read_only=True)
    investor_name = serializers.CharField(source="debenture.investor.legal_name", read_only=True)

    class Meta:
        model = Redemption
        fields = ["id", "debenture", "debenture_number", "investor_name", "terms_version", "notice_date",
                  "notice_received_date", "principal", "premium_amount", "interest_amount", "total_amount",
                  "payment_due_date", "convert_until", "payment_date", "status", "created_at"]


class SettlementSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.get_username", read_only=True)

    class Meta:
        model = Settlement
        fields = ["id", "obligation", "kind", "date", "amount", "amount_due", "method", "reference", "waived_by",
                  "instrument", "reverses", "reason", "recorded_by", "recorded_at"]


class ObligationSerializer(serializers.ModelSerializer):
    source = serializers.SerializerMethodField(help_text="The record the obligation arises from, 'app.model#id'.")
    investor_name = serializers.CharField(source="investor.legal_name", read_only=True, allow_null=True, default=None)
    settlements = SettlementSerializer(many=True, read_only=True, help_text="Payments, waivers and reversals, oldest first.")

    class Meta:
        model = Obligation
        fields = ["id", "kind", "clause", "source", "period_key", "investor", "investor_name", "due_date", "amount",
                  "settled", "status", "satisfied_date", "description", "details", "as_of", "settlements"]

    def get_source(self, obj) -> str:
        ct = obj.content_type
        return f"{ct.app_label}.{ct.model}#{obj.object_id}"


class NoticeSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()
    investor_name = serializers.CharField(source="investor.legal_name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Notice
        fields = ["id", "kind", "investor", "investor_name", "version", "subject", "file_name", "status", "sha256", "size",
                  "template_version", "engine", "rendered_at", "created_at", "download_url"]

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_download_url(self, obj) -> str | None:
        if not obj.file:
            return None
        url = reverse("notices:download", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class SweepRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = SweepRun
        fields = ["id", "as_of", "started_at", "finished_at", "status", "stats", "errors", "triggered_by"]


# --- write requests (shape for the schema; the pages' forms validate) ---------------------------

DECIMAL = {"max_digits": 14, "decimal_places": 2, "coerce_to_string": True}


class ConversionRequestSerializer(serializers.Serializer):
    instrument = serializers.CharField(help_text="'debenture:<id>' or 'preferred:<id>' (the 'key' of /api/debentures/, /api/series-j/).")
    amount = serializers.DecimalField(**DECIMAL, help_text="Principal (debenture) or liquidation preference (Series J).")
    conversion_date = serializers.DateField()
    notice_method = serializers.ChoiceField(choices=NoticeMethod.choices)
    notice_received_date = serializers.DateField()
    interest_election = serializers.ChoiceField(choices=InterestElection.choices)
    reference = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ExerciseRequestSerializer(serializers.Serializer):
    warrant = serializers.IntegerField(help_text="Warrant id (outstanding warrants only).")
    shares = serializers.IntegerField()
    exercise_date = serializers.DateField()
    payment_amount = serializers.DecimalField(**DECIMAL)
    payment_date = serializers.DateField()


class RedemptionRequestSerializer(serializers.Serializer):
    debenture = serializers.IntegerField(help_text="Debenture id (outstanding debentures only).")
    notice_date = serializers.DateField()
    received_date = serializers.DateField()


class PriceRowSerializer(serializers.Serializer):
    date = serializers.DateField()
    closing_bid = serializers.DecimalField(max_digits=12, decimal_places=4, coerce_to_string=True)
    closing_price = serializers.DecimalField(max_digits=12, decimal_places=4, coerce_to_string=True, required=False, allow_null=True)
    source = serializers.CharField()


class PriceImportRequestSerializer(serializers.Serializer):
    rows = PriceRowSerializer(many=True, help_text="Or send the CSV itself: text/csv body, or multipart field 'file'.")
    replace = serializers.BooleanField(required=False, default=False)
    dry_run = serializers.BooleanField(required=False, default=False)


class SettlementRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[SettlementKind.PAYMENT, SettlementKind.WAIVER])
    date = serializers.DateField()
    amount = serializers.CharField(help_text="Dollars in whole cents, e.g. '1234.56'.")
    method = serializers.ChoiceField(choices=SettlementMethod.choices, required=False, help_text="Payments only.")
    reference = serializers.CharField(required=False, allow_blank=True, max_length=200)
    waived_by = serializers.CharField(required=False, max_length=200, help_text="Waivers only.")
    instrument = serializers.CharField(required=False, max_length=300, help_text="Waivers only: the written instrument.")


class ReversalRequestSerializer(serializers.Serializer):
    date = serializers.DateField()
    reason = serializers.CharField(max_length=300)


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField(allow_null=True)
    details = serializers.DictField()


class PendingApprovalSerializer(serializers.Serializer):
    """202: the change waits for a different deal admin's approval (issue 12, four eyes)."""

    approval_id = serializers.IntegerField()
    status = serializers.CharField()
    kind = serializers.CharField()
    summary = serializers.CharField()
    url = serializers.CharField()
    message = serializers.CharField()


class ApprovalSerializer(serializers.ModelSerializer):
    """A four-eyes item (issue 12): what was asked, by whom and why; who decided, when and why."""

    maker = serializers.CharField(source="maker.get_username", read_only=True)
    checker = serializers.CharField(source="checker.get_username", read_only=True, allow_null=True, default=None)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Approval
        fields = ["id", "kind", "status", "summary", "reason", "maker", "created_at", "checker", "decided_at",
                  "decision_reason", "financing", "obligation", "amount", "instrument_date", "company_consents",
                  "consent_check", "result_model", "result_id", "result_label", "url"]

    def get_url(self, obj) -> str:
        return reverse("approval_detail", args=[obj.pk])


class RejectRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, help_text="Why the change is rejected (kept; the maker reads it).")
