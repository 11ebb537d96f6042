"""Notice forms: list filters and the correction reason. They convert input and never save."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms

from deals.forms.fields import SafeForm
from deals.models import Investor

from .models import NoticeKind, NoticeStatus

DATE = forms.DateInput(attrs={"type": "date"})


class NoticeFilterForm(SafeForm):
    kind = forms.ChoiceField(choices=[("", "Any kind"), *NoticeKind.choices], required=False)
    status = forms.ChoiceField(choices=[("", "Any status"), *NoticeStatus.choices], required=False)
    investor = forms.ModelChoiceField(queryset=Investor.objects.only("id", "legal_name"), required=False, empty_label="Any investor")
    date_from = forms.DateField(widget=DATE, required=False, label="Requested from")
    date_to = forms.DateField(widget=DATE, required=False, label="Requested to")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column("kind", css_class="col-md-2"),
                Column("status", css_class="col-md-2"),
                Column("investor", css_class="col-md-3"),
                Column("date_from", css_class="col-md-2"),
                Column("date_to", css_class="col-md-2"),
                Column(Submit("filter", "Filter", css_class="btn-sm mt-md-4"), css_class="col-md-1"),
            )
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(f"'Requested from' ({start.isoformat()}) is after 'Requested to' ({end.isoformat()}).")
        return data

    def apply(self, qs):
        """``qs`` narrowed by the valid filters (an invalid form filters nothing)."""
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("investor"):
            qs = qs.filter(investor=data["investor"])
        if data.get("date_from"):
            qs = qs.filter(created_at__date__gte=data["date_from"])
        if data.get("date_to"):
            qs = qs.filter(created_at__date__lte=data["date_to"])
        return qs


class SupersedeForm(SafeForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        label="Reason for the correction",
        help_text="Kept with both versions and printed on the new one.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give the reason for the correction.")
        return reason
