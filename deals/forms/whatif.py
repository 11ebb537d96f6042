"""What-if scenario form: shape only; the selector and the engine decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from deals.forms.conversions import DATE
from deals.forms.fields import SafeForm
from deals.forms.instruments import InstrumentField


class WhatIfForm(SafeForm):
    start = forms.DateField(widget=DATE, label="First day")
    trading_days = forms.IntegerField(min_value=1, max_value=750, initial=250, label="Trading days")
    path = forms.ChoiceField(choices=[("flat", "Flat price"), ("daily", "Daily % change"), ("csv", "Uploaded CSV of closing bids"),
                                      ("history", "Recorded prices only")], initial="flat", label="Price path")
    price = forms.DecimalField(required=False, min_value=Decimal("0.0001"), max_digits=12, decimal_places=4, label="Starting bid ($)")
    daily_pct = forms.DecimalField(required=False, min_value=Decimal("-50"), max_value=Decimal("50"), max_digits=6, decimal_places=3,
                                   label="Daily change (%)", help_text="e.g. -1 for a 1% fall each trading day")
    csv_file = forms.FileField(required=False, label="CSV (date,closing_bid)")
    policy = forms.ChoiceField(choices=[("max", "Each holder converts the maximum as soon as eligible"),
                                        ("single", "One conversion"), ("none", "Nobody converts")], initial="max", label="Holders")
    instrument = InstrumentField(required=False, label="Instrument (one conversion)")
    amount = forms.DecimalField(required=False, min_value=Decimal("0.01"), max_digits=14, decimal_places=2, label="Amount ($)")
    exercise_warrants = forms.BooleanField(required=False, initial=True, label="Exercise warrants when the bid exceeds the exercise price")
    interest_election = forms.ChoiceField(choices=[("cash", "Cash"), ("shares", "Common shares")], initial="cash",
                                          label="Interest and dividends paid in")
    effective_date = forms.DateField(required=False, widget=DATE, label="Registration effective on (optional)")
    suspension_start = forms.DateField(required=False, widget=DATE, label="Suspension from (optional)")
    suspension_end = forms.DateField(required=False, widget=DATE, label="Suspension to")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            if not isinstance(f.widget, (forms.CheckboxInput, forms.FileInput)):
                f.widget.attrs.setdefault("class", "form-select form-select-sm" if isinstance(f.widget, forms.Select)
                                          else "form-control form-control-sm")

    def clean(self):
        d = super().clean()
        path = d.get("path")
        if path in ("flat", "daily") and d.get("price") is None:
            self.add_error("price", "Enter the starting closing bid for a flat or daily-% path.")
        if path == "daily" and d.get("daily_pct") is None:
            self.add_error("daily_pct", "Enter the daily % change (negative for a fall).")
        if path == "csv" and not d.get("csv_file"):
            self.add_error("csv_file", "Upload a CSV of date,closing_bid rows.")
        if d.get("policy") == "single":
            if not d.get("instrument"):
                self.add_error("instrument", "Choose the instrument that converts.")
            if d.get("amount") is None:
                self.add_error("amount", "Enter the amount to convert.")
        start, end = d.get("suspension_start"), d.get("suspension_end")
        if bool(start) != bool(end):
            self.add_error("suspension_end", "Give both ends of the suspension, or neither.")
        elif start and end and end < start:
            self.add_error("suspension_end", f"The suspension ends ({end.isoformat()}) before it starts ({start.isoformat()}).")
        return d

