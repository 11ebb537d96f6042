"""Instrument choice by search (issue 17): the forms take an instrument *number* typed by the
clerk (suggestions from ``/instruments/search/``), never a <select> of every instrument.

Kinds: ``convertible`` (Debentures, Debenture 4(A), and Series J holdings, Series J CoD),
``debenture`` (Debenture 4(B) redemptions), ``warrant`` (SPA 4(h) exercises) and ``security`` (all
three: transfers, SPA 4(a); RRA 9). ``open_only``
keeps what can still be converted / redeemed / exercised: outstanding with something left.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import CharField, F, IntegerField, Q, Value
from django.db.models.functions import Length

from deals.models import Debenture, InstrumentStatus, Investor, PreferredHolding, Warrant
from deals.models.financing import series_name
from nhtc import formatting

KINDS = ("convertible", "debenture", "warrant", "security", "investor")
SEARCH_PAGE_SIZE = 20


def _debentures(open_only: bool):
    qs = Debenture.objects.all()
    if open_only:
        qs = qs.filter(status=InstrumentStatus.OUTSTANDING, principal_outstanding__gt=0)
    return qs


def _preferred(open_only: bool):
    qs = PreferredHolding.objects.all()
    if open_only:
        qs = qs.filter(status=InstrumentStatus.OUTSTANDING, liquidation_preference_outstanding__gt=0)
    return qs


def _warrants(open_only: bool):
    qs = Warrant.objects.all()
    if open_only:
        qs = qs.filter(status=InstrumentStatus.OUTSTANDING, shares_remaining__gt=0)
    return qs


def _number_field(model) -> str:
    return {PreferredHolding: "certificate_number", Investor: "legal_name"}.get(model, "number")


def instrument_key(instrument) -> str:
    """ "debenture:7" / "preferred:3" / "warrant:2": how filters and links name an instrument."""
    kind = {Debenture: "debenture", PreferredHolding: "preferred", Warrant: "warrant", Investor: "investor"}[type(instrument)]
    return f"{kind}:{instrument.pk}"


def instrument_number(instrument) -> str:
    return getattr(instrument, _number_field(type(instrument)))


def _models(kind: str) -> list:
    return {"convertible": [Debenture, PreferredHolding], "debenture": [Debenture], "warrant": [Warrant],
            "security": [Debenture, PreferredHolding, Warrant], "investor": [Investor]}[kind]


def _base(model, open_only: bool):
    if model is Investor:
        return Investor.objects.all()
    return {Debenture: _debentures, PreferredHolding: _preferred, Warrant: _warrants}[model](open_only)


def instrument_resolve(text: str, *, kind: str = "convertible", open_only: bool = True) -> tuple[object | None, str]:
    """The instrument ``text`` names -- its number (``D-7``, case and spaces ignored), a key
    (``debenture:7``), or for one-kind fields a bare id -- among ``kind``; ``(None, reason)`` if none or
    more than one does. One query per model of the kind at most."""
    text = (text or "").strip()
    if not text:
        return None, "Type the instrument's number (suggestions appear as you type)."
    models = _models(kind)
    prefix, _, pk = text.partition(":")
    by_key = {"debenture": Debenture, "preferred": PreferredHolding, "warrant": Warrant, "investor": Investor}.get(prefix.lower())
    related = () if kind == "investor" else ("investor", "financing__issuer")
    if by_key is not None and pk.isdigit() and len(pk) < 19:
        if by_key not in models:
            return None, f"{text} is not a {' or '.join(m._meta.verbose_name for m in models)}."
        found = _base(by_key, open_only).select_related(*related).filter(pk=int(pk)).first()
        return (found, "") if found else (None, _none_open(text, models, open_only, key=True))
    matches = []
    for model in models:
        number = _number_field(model)
        matches += list(_base(model, open_only).select_related(*related).filter(**{f"{number}__iexact": text})[:2])
    if not matches and len(models) == 1 and text.isdigit() and len(text) < 19:
        # one kind: a bare id is what links and API callers of the older select sent
        matches = list(_base(models[0], open_only).select_related(*related).filter(pk=int(text))[:1])
    if len(matches) == 1:
        return matches[0], ""
    if len(matches) > 1:
        return None, f"More than one instrument is numbered {text}; pick it from the suggestions."
    return None, _none_open(text, models, open_only)


def _none_open(text: str, models, open_only: bool, *, key: bool = False) -> str:
    what = " or ".join(
        {Debenture: "debenture", PreferredHolding: "Series J certificate", Warrant: "warrant", Investor: "investor"}[m]
        for m in models
    )
    if models == [Investor]:
        return f"No investor is named {text!r}. Type the full name or pick it from the suggestions."
    state = "outstanding " if open_only else ""
    named = f"{text} names no {state}{what}" if key else f"No {state}{what} is numbered {text!r}"
    return f"{named}. Type the number (e.g. D-7) or pick it from the suggestions."


@dataclass(frozen=True)
class Suggestion:
    value: str  # what the form field takes: the number
    label: str  # number, holder and what is left

    def as_dict(self) -> dict:
        return {"value": self.value, "label": self.label}


def instrument_search(*, q: str = "", kind: str = "convertible", open_only: bool = True, page: int = 1,
                      page_size: int = SEARCH_PAGE_SIZE) -> tuple[list[Suggestion], bool]:
    """Suggestions for ``q`` (number starts with it, or the holder's name contains it), in natural
    number order, ``page_size`` a page: (suggestions, has_more). One query whatever the kind: the
    kinds' tables are combined with UNION ALL and only one page is read."""
    q = (q or "").strip()
    start = (max(1, page) - 1) * page_size
    if kind == "investor":
        qs = Investor.objects.filter(legal_name__icontains=q) if q else Investor.objects.all()
        found = list(qs.order_by("legal_name").values_list("legal_name", "jurisdiction")[start : start + page_size + 1])
        return [Suggestion(value=name, label=f"{name} -- {where}") for name, where in found[:page_size]], len(found) > page_size
    parts = []
    for order, model in enumerate(_models(kind)):
        number = _number_field(model)
        amount = {Debenture: "principal_outstanding", PreferredHolding: "liquidation_preference_outstanding",
                  Warrant: "shares_remaining"}[model]
        qs = _base(model, open_only)
        if q:
            qs = qs.filter(Q(**{f"{number}__istartswith": q}) | Q(investor__legal_name__icontains=q))
        parts.append(
            qs.order_by()
            .annotate(
                k=Value(order, output_field=IntegerField()),
                num=F(number),
                nlen=Length(number),
                who=F("investor__legal_name"),
                left=F(amount),
                st=F("status"),
                ser=F("financing__name") if model is PreferredHolding else Value("", output_field=CharField()),
            )
            .values_list("k", "num", "nlen", "who", "left", "st", "ser")
        )
    qs = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    rows = list(qs.order_by("k", "nlen", "num")[start : start + page_size + 1])
    models = _models(kind)
    out = []
    for k, num, _nlen, who, left, st, series in rows[:page_size]:
        model = models[k]
        what = {Debenture: "Debenture", Warrant: "Warrant"}.get(model) or series_name(series)  # its own series (issue 18)
        rest = f"{formatting.shares(left)} shares left" if model is Warrant else f"{formatting.money(left)} outstanding"
        closed = "" if st == InstrumentStatus.OUTSTANDING else f" ({st})"
        out.append(Suggestion(value=num, label=f"{what} {num} -- {who} -- {rest}{closed}"))
    return out, len(rows) > page_size

