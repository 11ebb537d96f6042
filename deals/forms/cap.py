"""The stockholders' meeting on the 20% cap (SPA 4(d)(ii)); shape only, the service decides."""

from __future__ import annotations

from django import forms

from deals.forms.fields import SafeForm
from deals.models import Issuer

DATE = forms.DateInput(attrs={"type": "date"})


class StockholderMeetingForm(SafeForm):
    issuer = forms.ModelChoiceField(queryset=Issuer.objects.order_by("name"), empty_label=None)
    meeting_date = forms.DateField(widget=DATE, label="Meeting held on")
    votes_for = forms.IntegerField(min_value=0, label="Votes for")
    votes_against = forms.IntegerField(min_value=0, label="Votes against")
    votes_abstain = forms.IntegerField(min_value=0, initial=0, label="Abstentions")
    document = forms.FileField(label="Minutes or inspector's report", help_text="The evidence of the vote (PDF).")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            css = "form-select" if isinstance(f.widget, forms.Select) else "form-control"
            f.widget.attrs.setdefault("class", css)
