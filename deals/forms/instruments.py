"""An instrument chosen by its number (issue 17): a text field, with suggestions from the
``/instruments/search/`` JSON endpoint filled in by ``static/js/instrument_search.js``. Without
JavaScript it is a plain text field: the clerk types the number (``D-7``, ``J-3``, ``W-2``).

The form HTML no longer grows with the number of instruments (a <select> of every instrument
was 2.2 MB at 10,000 debentures and 10,000 Series J holdings)."""

from __future__ import annotations

from django import forms
from django.urls import reverse

from deals.selectors.instruments import instrument_number, instrument_resolve


class InstrumentInput(forms.TextInput):
    """A text input that names its suggestion endpoint (the script adds a <datalist>)."""

    def __init__(self, *, kind: str, open_only: bool, attrs=None):
        self.kind, self.open_only = kind, open_only
        base = {"autocomplete": "off", "spellcheck": "false", "maxlength": "200",
                # short enough to show whole in a 390 px phone field; the label names the instrument
                "placeholder": {"warrant": "e.g. W-2, or the holder's name",
                                "investor": "Any investor (type a name)",
                                "debenture": "e.g. D-7, or the holder's name",
                                "security": "e.g. J-3, W-2, D-7, or the holder's name"}.get(
                                    kind, "e.g. D-7, J-3, or the holder's name")}
        super().__init__(attrs={**base, **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        url = reverse("instrument_search") + f"?kind={self.kind}" + ("" if self.open_only else "&all=1")
        context["widget"]["attrs"]["data-instrument-search"] = url
        return context

    def format_value(self, value):
        if value is not None and not isinstance(value, str) and hasattr(value, "pk"):
            return instrument_number(value)
        return super().format_value(value)


class InstrumentField(forms.CharField):
    """Cleans to the Debenture / PreferredHolding / Warrant the text names (see
    ``deals.selectors.instruments.instrument_resolve``); refuses with the reason otherwise."""

    def __init__(self, *, kind: str = "convertible", open_only: bool = True, **kwargs):
        self.kind, self.open_only = kind, open_only
        kwargs.setdefault("max_length", 200 if kind == "investor" else 60)
        kwargs.setdefault("widget", InstrumentInput(kind=kind, open_only=open_only))
        super().__init__(**kwargs)

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.__dict__.pop("_shown", None)  # each form looks its values up afresh
        return result

    def prepare_value(self, value):
        # an initial "debenture:7" (links from the investor page) shows as the number; looked up once
        # per form (a page renders the value more than once: the review's hidden copy and its Back form)
        if isinstance(value, int) or (isinstance(value, str) and (":" in value or (self.kind != "convertible" and value.isdigit()))):
            shown = self.__dict__.setdefault("_shown", {})
            if str(value) not in shown:
                found, _ = instrument_resolve(str(value), kind=self.kind, open_only=False)
                shown[str(value)] = instrument_number(found) if found is not None else value
            return shown[str(value)]
        if value is not None and not isinstance(value, str) and hasattr(value, "pk"):
            return instrument_number(value)
        return value

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        found, reason = instrument_resolve(text, kind=self.kind, open_only=self.open_only)
        if found is None:
            raise forms.ValidationError(reason, code="invalid_choice")
        return found


class InvestorField(InstrumentField):
    """A list filter's investor, by name (suggestions as for instruments); a bare id still works
    for links and API callers. Cleans to the Investor."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Investor")
        super().__init__(kind="investor", open_only=False, **kwargs)
