"""Filters of the obligations ledger (Deadlines page). Validate and convert; never save."""

from __future__ import annotations

from django import forms

from deals.forms.fields import SafeForm
from deals.forms.instruments import InvestorField
from deals.models import ObligationKind, ObligationStatus

DATE = forms.DateInput(attrs={"type": "date"})


class ObligationFilterForm(SafeForm):
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *ObligationKind.choices])
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *ObligationStatus.choices], initial="open")
    investor = InvestorField()  # by name with suggestions: no <select> of every investor (issue 17)
    due_from = forms.DateField(required=False, widget=DATE, label="Due from")
    due_to = forms.DateField(required=False, widget=DATE, label="Due to")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        data = super().clean()
        start, end = data.get("due_from"), data.get("due_to")
        if start and end and start > end:
            raise forms.ValidationError(
                f"The due range is empty: 'Due from' {start.isoformat()} is after 'Due to' {end.isoformat()}."
            )
        return data

    def filters(self) -> dict:
        """Cleaned filters for ``deadlines.obligations_filtered`` ({} if invalid)."""
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")} if self.is_valid() else {}
