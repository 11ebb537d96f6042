"""Warrant exercise forms: domain types only; never save."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms

from deals.forms.conversions import DATE, new_key, style_filters
from deals.forms.fields import SafeForm
from deals.forms.instruments import InstrumentField, InvestorField
from deals.models import WarrantExercise


class ExerciseForm(SafeForm):
    """A holder's exercise of a warrant (SPA 4(h)) with the payment received."""

    warrant = InstrumentField(kind="warrant", help_text="Number of an outstanding warrant (suggestions appear as you type).")
    shares = forms.IntegerField(label="Warrant Shares to exercise")
    exercise_date = forms.DateField(widget=DATE, label="Exercise date")
    payment_amount = forms.DecimalField(max_digits=14, decimal_places=2, label="Payment received ($)")
    payment_date = forms.DateField(widget=DATE, label="Payment received on")
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.initial.get("idempotency_key"):
            self.initial["idempotency_key"] = new_key()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "warrant",
            Row(Column("shares", css_class="col-md-4"), Column("exercise_date", css_class="col-md-4")),
            Row(Column("payment_amount", css_class="col-md-4"), Column("payment_date", css_class="col-md-4")),
            "idempotency_key",
        )


class ExerciseDeliveryForm(SafeForm):
    delivered_date = forms.DateField(widget=DATE, label="Delivered on")
    reference = forms.CharField(max_length=300, label="Certificate numbers or DWAC/FAST reference")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ExerciseDishonourForm(SafeForm):
    """SPA 5(f): the holder's written notice after the Company rejected a Warrant Exercise."""

    notice_date = forms.DateField(widget=DATE, label="Holder's SPA 5(f) written notice dated")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ExerciseFilterForm(SafeForm):
    q = forms.CharField(required=False, label="Search", widget=forms.TextInput(attrs={"placeholder": "investor, warrant, ref"}))
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *WarrantExercise.Status.choices])
    investor = InvestorField()  # by name with suggestions: no <select> of every investor (issue 17)
    warrant = InstrumentField(kind="warrant", open_only=False, required=False)
    date_from = forms.DateField(required=False, widget=DATE, label="From")
    date_to = forms.DateField(required=False, widget=DATE, label="To")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_filters(self)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {k: data.get(k) or ("" if k in ("status", "q") else None) for k in self.fields}
