"""Notice forms: list filters and the correction reason. They convert input and never save."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms

from deals.forms.fields import SafeForm  # plain field validation (deals.terms calendars): no way back to notices

from .models import Notice, NoticeKind, NoticeStatus

Investor = Notice._meta.get_field("investor").related_model  # the investor model, without importing its app


class InvestorNameField(forms.CharField):
    """The investor by name (issue 17: no <select> of every investor), with the deals app's
    suggestions (``/instruments/search/?kind=investor``, by URL name: no import of deals); a
    bare id still works for links. Cleans to the Investor."""

    def __init__(self, **kwargs):
        super().__init__(required=False, max_length=200, label="Investor", **kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        # the suggestion URL is looked up when the form is made (NoticeFilterForm.__init__), not at import
        attrs.update({"autocomplete": "off", "placeholder": "Any investor (type a name)"})
        return attrs

    def prepare_value(self, value):
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            found = Investor.objects.filter(pk=int(value)).values_list("legal_name", flat=True).first()
            return found or value
        return value

    def clean(self, value):
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        found = Investor.objects.filter(legal_name__iexact=text).first()
        if found is None and text.isdigit() and len(text) < 19:
            found = Investor.objects.filter(pk=int(text)).first()
        if found is None:
            raise forms.ValidationError(f"No investor is named {text!r}. Type the full name or pick it from the suggestions.")
        return found

DATE = forms.DateInput(attrs={"type": "date"})


class NoticeFilterForm(SafeForm):
    kind = forms.ChoiceField(choices=[("", "Any kind"), *NoticeKind.choices], required=False)
    status = forms.ChoiceField(choices=[("", "Any status"), *NoticeStatus.choices], required=False)
    investor = InvestorNameField()
    date_from = forms.DateField(widget=DATE, required=False, label="Requested from")
    date_to = forms.DateField(widget=DATE, required=False, label="Requested to")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.urls import reverse

        self.fields["investor"].widget.attrs["data-instrument-search"] = reverse("instrument_search") + "?kind=investor"
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
