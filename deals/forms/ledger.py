"""Forms of the books: record a payment or waiver, reverse an entry, the aging filters and the
statement date. They validate and convert; ``deals.services.ledger.settlements`` decides."""

from __future__ import annotations

from django import forms

from deals.forms.fields import SafeForm
from deals.forms.instruments import InvestorField
from deals.models import ObligationKind, SettlementMethod
from deals.selectors.settlements import AGING_BUCKETS, MONEY_KINDS

DATE = forms.DateInput(attrs={"type": "date"})


class _Styled(SafeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class PaymentForm(_Styled):
    """Record payment. The amount stays text so the service names what is wrong with it
    (sub-cent, NaN, over the balance) in one place."""

    date = forms.DateField(widget=DATE, label="Payment date")
    amount = forms.CharField(max_length=30, label="Amount ($)", widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    method = forms.ChoiceField(choices=SettlementMethod.choices)
    reference = forms.CharField(max_length=200, required=False, help_text="Wire reference, check or certificate numbers.")
    document = forms.FileField(required=False, help_text="Remittance advice (PDF).")


class WaiverForm(_Styled):
    date = forms.DateField(widget=DATE, label="Date of the waiver")
    amount = forms.CharField(max_length=30, label="Amount waived ($)", widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    waived_by = forms.CharField(max_length=200, label="Waived by", help_text="The holder and its signatory.")
    instrument = forms.CharField(max_length=300, label="Written instrument", help_text="Title and date of the letter.")
    document = forms.FileField(required=False, help_text="The signed waiver (PDF).")


class ReverseForm(_Styled):
    date = forms.DateField(widget=DATE, label="Reversal date")
    reason = forms.CharField(max_length=300)


KIND_CHOICES = [("", "Any kind"), *[(k, label) for k, label in ObligationKind.choices if k in MONEY_KINDS]]


class AgingFilterForm(_Styled):
    investor = InvestorField()  # by name with suggestions: no <select> of every investor (issue 17)
    kind = forms.ChoiceField(required=False, choices=KIND_CHOICES)
    bucket = forms.ChoiceField(required=False, choices=[("", "Any age"), *[(b[0], b[1]) for b in AGING_BUCKETS]])

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        return {"investor_id": d["investor"].pk if d.get("investor") else None, "kind": d.get("kind") or None,
                "bucket": d.get("bucket") or None}


class StatementForm(_Styled):
    as_of = forms.DateField(widget=DATE, label="As of")
