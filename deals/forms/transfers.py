"""Transfer forms: convert input to domain types; never save."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms

from deals.forms.closing import MONEY, _Plain
from deals.forms.conversions import DATE
from deals.forms.fields import SafeForm
from deals.forms.instruments import InstrumentField, InvestorField
from deals.models import (
    Financing,
    LegendRemoval,
    SaleEvent,
    SecurityKind,
    SettlementMethod,
)


class TransferForm(_Plain):
    # by number with suggestions: no <select> of every certificate, warrant and D-number (issue 17)
    source = InstrumentField(kind="security", label="Security transferred",
                             help_text="Certificate (J-3), warrant (W-2) or D-number (D-7) of an outstanding security.")
    # by name with suggestions: no <select> of every investor (issue 17)
    transferee = InvestorField(required=True, label="Transferee (assignee)")
    amount = forms.DecimalField(required=False, label="Liquidation preference or principal ($)", **MONEY)
    warrant_shares = forms.IntegerField(required=False, min_value=1, label="Warrant shares")
    transfer_date = forms.DateField(widget=DATE)
    notice_to_company_date = forms.DateField(widget=DATE, label="Notice to the Company (RRA 9(b))")
    assignee_non_us = forms.BooleanField(required=False, label="Assignee: not a U.S. Person, outside the U.S. (SPA 2(b))")
    assignee_accredited = forms.BooleanField(required=False, label="Assignee: accredited investor (SPA 2(c))")
    counsel_opinion = forms.CharField(max_length=300, required=False, label="Opinion of counsel (SPA 4(a)(1)(B); Debenture 3)")
    rights_requested = forms.BooleanField(required=False, label="Assign the registration rights (RRA 9)")
    written_assignment = forms.BooleanField(required=False, label="Written assignment copied to the Company (RRA 9(a))")
    transferee_bound = forms.BooleanField(required=False, label="Transferee agreed in writing to be bound (RRA 9(d))")


class ExchangeForm(_Plain):
    # by number with suggestions: no <select> of every outstanding Debenture (issue 17)
    debenture = InstrumentField(kind="debenture", help_text="Number of an outstanding Debenture, e.g. D-7 (Debenture 1).")
    denominations = forms.CharField(label="New denominations ($, comma-separated)", help_text="e.g. 100000, 200000 (Debenture 1)")
    exchange_date = forms.DateField(widget=DATE)

    def clean_denominations(self):
        try:
            parts = [
                Decimal(x.strip().replace("$", "").replace("_", "")) for x in self.cleaned_data["denominations"].split(",") if x.strip()
            ]
        except InvalidOperation:
            raise forms.ValidationError("Write amounts like 100000, 200000.")
        if not parts:
            raise forms.ValidationError("Give at least one amount.")
        return parts


class LegendRemovalForm(_Plain):
    financing = forms.ModelChoiceField(queryset=Financing.objects.order_by("name"))
    investor = InvestorField(required=True, label="Holder")  # by name with suggestions (issue 17)
    security = forms.ChoiceField(choices=SecurityKind.choices)
    certificate = forms.CharField(max_length=100, label="Legended certificate number(s)")
    quantity = forms.DecimalField(max_digits=16, decimal_places=2, min_value=0, label="Shares or principal ($)")
    basis = forms.ChoiceField(choices=LegendRemoval.Basis.choices)
    counsel = forms.CharField(max_length=200, label="Counsel giving the opinion")
    opinion_date = forms.DateField(widget=DATE)
    opinion_received = forms.DateField(widget=DATE, label="Opinion received by the Company")
    opinion_file = forms.FileField(required=False, label="Opinion of counsel (PDF)")


class InstructedForm(_Plain):
    instructed_on = forms.DateField(widget=DATE, label="Instruction sent on")


class SaleForm(_Plain):
    financing = forms.ModelChoiceField(queryset=Financing.objects.filter(kind=Financing.Kind.DEBENTURE).order_by("name"))
    kind = forms.ChoiceField(choices=SaleEvent.Kind.choices)
    counterparty = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    notice_date = forms.DateField(widget=DATE, label="Company's notice of the Sale dated")
    notice_received = forms.DateField(widget=DATE, label="Received by the Holders")


class SalePrepaymentForm(_Plain):
    """Debenture 7: the Company's tender of prepayment to a Holder who elected not to convert."""

    sale = forms.ModelChoiceField(queryset=SaleEvent.objects.select_related("financing").order_by("-notice_received", "-id"),
                                  label="Sale")
    # by number with suggestions: no <select> of every outstanding Debenture (issue 17)
    debenture = InstrumentField(kind="debenture", label="Debenture",
                                help_text="Number (e.g. D-7) of a Debenture outstanding when the Company's notice of the Sale was given.")
    holder_declined_on = forms.DateField(widget=DATE, required=False, label="Holder elected in writing not to convert on",
                                         help_text="Leave empty if the Holder let the 15-day window pass.")
    tender_date = forms.DateField(widget=DATE, label="Prepayment tendered on",
                                  help_text="The right of conversion terminates on this tender (Debenture 7).")
    deducted = forms.DecimalField(**MONEY, required=False, initial=Decimal("0"), label="Deducted as required by law ($)")
    deduction_basis = forms.CharField(max_length=300, required=False, label="Law requiring the deduction")
    method = forms.ChoiceField(choices=[c for c in SettlementMethod.choices if c[0] != SettlementMethod.SET_OFF],
                               initial=SettlementMethod.WIRE, label="Paid by")
    reference = forms.CharField(max_length=200, required=False, help_text="Wire reference or check number.")

    def clean_deducted(self):
        return self.cleaned_data.get("deducted") or Decimal("0")


class RegisterForm(SafeForm):
    financing = forms.ModelChoiceField(queryset=Financing.objects.filter(kind=Financing.Kind.DEBENTURE).order_by("name"))
    on = forms.DateField(widget=DATE, label="Holders of record on")


class TAInstructionForm(_Plain):
    registered_name = forms.CharField(max_length=200, label="Register the shares in the name of")
    denominations = forms.CharField(max_length=200, required=False, label="Denominations (as the holder specifies)")
    instruction_date = forms.DateField(widget=DATE)
    dwac = forms.BooleanField(required=False, label="Holder asks for DWAC delivery (SPA 5(e))")
    fast_participant = forms.BooleanField(required=False, label="The transfer agent is in DTC FAST", initial=True)
