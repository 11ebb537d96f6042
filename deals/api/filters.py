"""OpenAPI query parameters read off the list pages' filter forms (one definition of each filter)."""

from __future__ import annotations

from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter


def form_parameters(form_class) -> list[OpenApiParameter]:
    params = []
    for name, field in form_class.base_fields.items():  # class fields: no query at import
        if isinstance(field, forms.DateField):
            kind = OpenApiTypes.DATE
        elif isinstance(field, (forms.ModelChoiceField, forms.IntegerField)):
            kind = OpenApiTypes.INT
        else:
            kind = OpenApiTypes.STR
        enum = None
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            values = [str(v) for v, _ in field.choices if v != "" and not isinstance(_, (list, tuple))]
            enum = values or None
        params.append(OpenApiParameter(name, kind, enum=enum, description=str(field.label or name.replace("_", " "))))
    return params
