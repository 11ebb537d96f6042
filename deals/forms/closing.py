"""Closing room forms: convert input to domain types; never save."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms

from deals.forms.conversions import DATE
from deals.forms.fields import SafeForm
from deals.forms.instruments import InvestorField
from deals.models import Financing

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


class _Plain(SafeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class RoomOpenForm(_Plain):
    financing = forms.ModelChoiceField(queryset=Financing.objects.filter(closing_room__isnull=True).order_by("name"))
    acceptance_date = forms.DateField(widget=DATE, help_text="SPA 1(d): the Company accepted and returned the counterpart.")
    first_offered_on = forms.DateField(widget=DATE, required=False, help_text="SPA 2(b)(iv)(A), if known.")


class SubscriptionForm(_Plain):
    investor = InvestorField(required=True, label="Buyer")  # by name with suggestions (issue 17)
    amount = forms.DecimalField(label="Liquidation preference / principal ($)", **MONEY)
    purchase_price = forms.DecimalField(label="Purchase Price ($)", **MONEY)
    denominations = forms.IntegerField(min_value=1, max_value=13, initial=1, help_text="Debentures: number of D-numbers.")


class DepositForm(_Plain):
    subscription = forms.TypedChoiceField(coerce=int, label="Buyer")
    amount = forms.DecimalField(label="Amount ($)", **MONEY)
    deposited_on = forms.DateField(widget=DATE, label="Deposited on")
    reference = forms.CharField(max_length=200, label="Wire reference / Escrow Agent receipt")

    def __init__(self, *args, room=None, **kwargs):
        super().__init__(*args, **kwargs)
        subs = room.subscriptions.select_related("investor") if room else []
        self.fields["subscription"].choices = [(s.pk, str(s.investor)) for s in subs]


class ReverseForm(_Plain):
    reason = forms.CharField(max_length=300)


class SatisfyForm(_Plain):
    met_on = forms.DateField(widget=DATE, label="Satisfied on")
    evidence = forms.FileField(label="Evidence (document)")
    note = forms.CharField(required=False, max_length=1000, label="Note")


class WaiveForm(_Plain):
    met_on = forms.DateField(widget=DATE, label="Waived on")
    waived_by = forms.CharField(max_length=300, label="Waived by")
    note = forms.CharField(max_length=1000, label="Terms of the waiver")


class RecordClosingForm(_Plain):
    bring_down_confirmed = forms.BooleanField(
        required=False,
        label="The representations and market conditions hold on the Closing Date (SPA 7(c), 7(e), 8(d), 8(e), 8(h))",
    )
    maturity_date = forms.DateField(widget=DATE, required=False, label="Maturity Date (debentures only)")
