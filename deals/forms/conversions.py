"""Conversion forms: convert input to domain types (Decimal, date, model instances); never save.
The contract checks (eligibility, prices, cap) are the service's; these only check shape."""

from __future__ import annotations

import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms

from deals.forms.fields import SafeForm
from deals.forms.instruments import InstrumentField, InvestorField
from deals.models import CapRemedy, ConversionStatus, NoticeMethod
from deals.selectors.instruments import instrument_key

DATE = forms.DateInput(attrs={"type": "date"})


def new_key() -> str:
    return uuid.uuid4().hex


class ConversionForm(SafeForm):
    """A holder's Notice of Conversion (Debenture Exhibit A; Series J CoD)."""

    instrument = InstrumentField(
        help_text="Number of the Debenture or Series J certificate being converted (suggestions appear as you type)."
    )
    amount = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        label="Amount to convert ($)",
        help_text="Principal (debenture) or liquidation preference (Series J, whole $1,000 shares).",
    )
    conversion_date = forms.DateField(widget=DATE, label="Date of Conversion", help_text="As written in the notice.")
    notice_method = forms.ChoiceField(choices=NoticeMethod.choices, label="Notice arrived by")
    notice_received_date = forms.DateField(widget=DATE, label="Date received")
    interest_election = forms.ChoiceField(
        choices=[("cash", "Cash"), ("shares", "Common shares at the conversion price")],
        label="Holder's election for interest / dividends",
        help_text="Debenture 4(A): interest in cash or Common Stock at the holder's option.",
    )
    reference = forms.CharField(max_length=200, required=False, label="Reference", help_text="Free text, e.g. fax ref.")
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    # Debenture 4(A): a fax dated more than fax_date_max_business_days business days back needs a deal
    # admin's confirmation; shown by the page only when the service asks for it (not in the layout)
    confirm_fax_date = forms.BooleanField(
        required=False,
        label="I am a deal admin and confirm the date written on the fax (Debenture 4(A))",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.initial.get("idempotency_key"):
            self.initial["idempotency_key"] = new_key()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "instrument",
            Row(Column("amount", css_class="col-md-4"), Column("conversion_date", css_class="col-md-4")),
            Row(Column("notice_method", css_class="col-md-4"), Column("notice_received_date", css_class="col-md-4")),
            Row(Column("interest_election", css_class="col-md-8")),
            "reference",
            "idempotency_key",
        )


class _ActionForm(SafeForm):
    def __init__(self, *args, prefix=None, **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class DeliveryForm(_ActionForm):
    delivered_date = forms.DateField(widget=DATE, label="Delivered on")
    reference = forms.CharField(max_length=300, label="Certificate numbers or DWAC/FAST reference")


class OriginalForm(_ActionForm):
    received_date = forms.DateField(widget=DATE, label="Original received on")


class RepriceForm(_ActionForm):
    """Debenture 4(A): a deal admin confirms the re-price on the original's delivery date."""

    reason = forms.CharField(
        max_length=300, label="Reason (kept with the conversion and its superseded notice)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RevokeForm(_ActionForm):
    revoked_date = forms.DateField(widget=DATE, label="Holder's revocation notice received on")


class BuyInForm(_ActionForm):
    buy_in_date = forms.DateField(widget=DATE, label="Covering purchase date")
    covering_cost = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0, label="Covering Shares total cost ($)")
    sold_proceeds = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0, label="Sold Shares net proceeds ($)")


class DishonourForm(_ActionForm):
    notice_date = forms.DateField(widget=DATE, label="Holder's SPA 5(f) written notice dated")


class CapRemedyForm(_ActionForm):
    remedy = forms.ChoiceField(choices=CapRemedy.Remedy.choices)
    shares = forms.IntegerField(min_value=1, label="Unconverted Shares")
    chosen_date = forms.DateField(widget=DATE, label="Holder's notice (Redemption Date for (y))")


def style_filters(form: forms.Form) -> None:
    """Bootstrap classes for a compact filter bar."""
    for f in form.fields.values():
        css = "form-select form-select-sm" if isinstance(f.widget, forms.Select) else "form-control form-control-sm"
        f.widget.attrs.setdefault("class", css)


class ConversionFilterForm(SafeForm):
    q = forms.CharField(required=False, label="Search", widget=forms.TextInput(attrs={"placeholder": "investor, number, ref"}))
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *ConversionStatus.choices])
    investor = InvestorField()  # by name with suggestions: no <select> of every investor (issue 17)
    instrument = InstrumentField(required=False, open_only=False)
    date_from = forms.DateField(required=False, widget=DATE, label="From")
    date_to = forms.DateField(required=False, widget=DATE, label="To")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_filters(self)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = dict(self.cleaned_data)
        # the selector (and /api/conversions/) take the instrument as its key, "debenture:7"
        data["instrument"] = instrument_key(data["instrument"]) if data.get("instrument") else ""
        return {k: data.get(k) or ("" if k in ("status", "instrument", "q") else None) for k in self.fields}
