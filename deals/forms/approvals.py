"""The approve / reject forms of the approvals queue (issue 12, four eyes)."""

from __future__ import annotations

from django import forms

from deals.forms.fields import SafeForm
from deals.models import ApprovalStatus


class ApproveForm(SafeForm):
    confirm = forms.BooleanField(required=True, label="I checked what this changes; apply it now",
                                 widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))


class RejectForm(SafeForm):
    reason = forms.CharField(max_length=300, label="Why it is rejected", help_text="Kept with the item; the maker reads it.",
                             widget=forms.TextInput(attrs={"class": "form-control"}))

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why the change is rejected.")
        return reason


class ApprovalFilterForm(SafeForm):
    status = forms.ChoiceField(choices=[("", "All"), *ApprovalStatus.choices], required=False,
                               widget=forms.Select(attrs={"class": "form-select"}))
