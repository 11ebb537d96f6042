"""Turn a JSON body into the page's Django form and validate it there, so the API gives
the page's messages. Unknown fields and non-scalar values are refused first."""

from __future__ import annotations

from .errors import ApiError


def json_object(request) -> dict:
    data = request.data
    if not isinstance(data, dict):
        raise ApiError(
            f"The request body must be a JSON object of fields, not {type(data).__name__}.", code="invalid_body"
        )
    return data


def scalar_values(data: dict, allowed) -> dict[str, str]:
    """Strings for a Django form: refuse unknown fields and lists/objects; drop nulls."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ApiError(
            f"Unknown field(s) {', '.join(unknown)}; this endpoint accepts {', '.join(allowed)}.",
            code="unknown_field",
            field=unknown[0],
        )
    out = {}
    for name, value in data.items():
        if isinstance(value, (dict, list)):
            raise ApiError(f"{name}: expected a single value, not a JSON {type(value).__name__}.", code="invalid_type", field=name)
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        out[name] = str(value)
    return out


def validated(form_class, request, *, fields, extra: dict | None = None) -> dict:
    """The form's cleaned data for the JSON body, or an ApiError with the form's first message."""
    from .errors import form_error

    values = scalar_values(json_object(request), fields)
    form = form_class(data={**values, **(extra or {})})
    if not form.is_valid():
        raise form_error(form)
    return form.cleaned_data
