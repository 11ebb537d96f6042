"""Debenture redemption forms (Debenture 4(B)): domain types only; never save."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms

from deals.forms.conversions import DATE, new_key
from deals.forms.fields import SafeForm
from deals.forms.instruments import InstrumentField
from deals.models import SettlementMethod


class RedemptionForm(SafeForm):
    debenture = InstrumentField(kind="debenture", help_text="Number of an outstanding Debenture (suggestions appear as you type).")
    notice_date = forms.DateField(widget=DATE, label="Date of the Notice of Redemption")
    received_date = forms.DateField(
        widget=DATE, required=False, label="Holder received it on",
        help_text="Starts the holder's 5-business-day window to convert instead. Leave empty when the app sends the notice.",
    )
    notice_method = forms.ChoiceField(
        required=False,
        choices=[("", "Sent outside the app: type the receipt date"), ("personal", "Personal delivery"),
                 ("fax", "Confirmed facsimile"), ("mail", "Registered or certified mail"), ("courier", "Courier")],
        label="Sent by (SPA 10)",
        help_text="Sent from here: the notice is logged and the holder's receipt is the date SPA 10 deems it given.",
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.initial.get("idempotency_key"):
            self.initial["idempotency_key"] = new_key()
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        data = super().clean()
        if not data.get("received_date") and not data.get("notice_method"):
            self.add_error("received_date", "Give the date the holder received it, or choose how the app sends the notice (SPA 10).")
        return data


class PaymentForm(SafeForm):
    """Debenture 4(B)(ii): the payment is recorded as a Settlement of the redemption's ledger row."""

    payment_date = forms.DateField(widget=DATE, label="Paid on")
    method = forms.ChoiceField(choices=SettlementMethod.choices, initial=SettlementMethod.WIRE, label="Paid by")
    reference = forms.CharField(max_length=200, required=False, help_text="Wire reference or check number.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
