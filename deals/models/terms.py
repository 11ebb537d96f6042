"""Versioned deal terms: one column per field of ``deals.terms.params.DealTerms``.

The columns are generated from the dataclass (same names, types, defaults and
clause help texts), so the engine's parameters and the database cannot drift.
A version carries only the terms of its financing's kind (``params.fields_for``):
the others are NULL.
A version is never edited: a change is a new version effective from a date,
and every conversion or exercise links to the version it used.
"""

from __future__ import annotations

import dataclasses
import typing
from decimal import Decimal
from enum import Enum

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from deals.terms import params as terms_params
from deals.terms.params import DealTerms


def _label(name: str) -> str:
    return name.replace("_pct", " (%)").replace("_", " ").capitalize()


def _model_field(f: dataclasses.Field, py_type) -> models.Field:
    help_text = f.metadata.get("clause", "")
    if f.metadata.get("note"):
        help_text = f"{help_text} -- {f.metadata['note']}"
    # NULL: the term does not apply to the version's financing kind (params.KIND_GROUPS).
    kwargs = {"default": f.default, "help_text": help_text, "verbose_name": _label(f.name), "null": True, "blank": True}
    if py_type is bool:
        return models.BooleanField(**kwargs)
    if py_type is str:  # a text the documents carry (a legend)
        return models.TextField(**kwargs)
    if py_type is int:
        # Day counts and periods stay small; share counts (50,000,000 authorized) do not.
        limit = 1_000_000_000 if "shares" in f.name else 100_000
        return models.PositiveIntegerField(validators=[MaxValueValidator(limit)], **kwargs)
    if py_type is Decimal:
        return models.DecimalField(
            max_digits=14, decimal_places=4, validators=[MinValueValidator(Decimal("0"))], **kwargs
        )
    if isinstance(py_type, type) and issubclass(py_type, Enum):
        kwargs["default"] = f.default.value
        choices = [(m.value, m.name.replace("_", " ").title()) for m in py_type]
        return models.CharField(max_length=40, choices=choices, **kwargs)
    raise TypeError(f"DealTerms.{f.name}: no model field for {py_type!r}")


def _term_fields() -> dict[str, models.Field]:
    hints = typing.get_type_hints(DealTerms, vars(terms_params))
    return {f.name: _model_field(f, hints[f.name]) for f in dataclasses.fields(DealTerms)}


DealTermsFields = type(
    "DealTermsFields",
    (models.Model,),
    {"__module__": __name__, "Meta": type("Meta", (), {"abstract": True}), **_term_fields()},
)


class DealTermsVersion(DealTermsFields):
    """One version of one financing's terms. Which version governs a day is
    answered only by ``deals.selectors.terms.terms_in_force(financing=, day=)``."""

    financing = models.ForeignKey(
        "deals.Financing",
        on_delete=models.PROTECT,
        related_name="terms_versions",
        help_text="The financing these terms govern; each financing numbers its own versions.",
    )
    version = models.PositiveIntegerField(editable=False)
    effective_from = models.DateField(help_text="The version applies to events on or after this date.")
    reason = models.CharField(max_length=300, help_text="Why the terms changed (e.g. SPA 4(j)(v) ratchet).")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["financing", "-version"]
        verbose_name = "deal terms version"
        constraints = [
            models.UniqueConstraint(fields=["financing", "version"], name="terms_version_unique_per_financing"),
        ]

    def __str__(self) -> str:
        # The financing is shown beside it (admin columns, pages): naming it here would cost a query per row.
        return f"Terms v{self.version} from {self.effective_from.isoformat()}"

    @property
    def kind(self) -> str:
        """The engine's kind of the financing ("preferred" or "debenture")."""
        return self.financing.terms_kind

    def term_values(self) -> dict:
        return {n: getattr(self, n) for n in DealTerms.field_names()}

    def clean(self) -> None:
        """Refuse a version the engine cannot compute with, or one carrying another kind's
        terms (debenture terms on a preferred issue), naming the field and the numbers."""
        from django.core.exceptions import ValidationError

        if self.financing_id is None:
            raise ValidationError({"financing": "A terms version belongs to a financing: pick the financing it governs."})
        problems = terms_params.term_problems(self.term_values(), self.kind)
        if problems:
            raise ValidationError(
                {n: f"{self._meta.get_field(n).verbose_name} {text} ({self.financing})." for n, text in problems.items()}
            )

    def to_terms(self) -> DealTerms:
        """The engine's view of this version (terms of another kind are None)."""
        hints = terms_params._field_types()  # resolved once per process
        values = {}
        for f in dataclasses.fields(DealTerms):
            value = getattr(self, f.name)
            py_type = hints[f.name]
            if value is None:
                pass
            elif isinstance(py_type, type) and issubclass(py_type, Enum):
                value = py_type(value)
            elif py_type is Decimal:
                value = Decimal(value)
            values[f.name] = value
        return DealTerms(**values)

    @classmethod
    def values_from_terms(cls, terms: DealTerms, kind: str | None = None) -> dict:
        """Column values for ``terms``; with ``kind``, only that kind's terms (the rest None)."""
        carried = set(terms_params.fields_for(kind)) if kind else None
        return {
            k: (None if carried is not None and k not in carried else v.value if isinstance(v, Enum) else v)
            for k, v in dataclasses.asdict(terms).items()
        }
