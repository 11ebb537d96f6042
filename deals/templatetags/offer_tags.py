"""The SPA 4(j)(i) offer form's table of Buyers' receipt dates, one row per Buyer (issue 17).

Drawn here in one pass rather than by a template loop: at 1,000 Buyers the loop's variable lookups
and auto-escaping were most of the page's time. Every value is escaped (``html.escape``, as
Django's ``escape`` does)."""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def offer_buyer_rows(form):
    """``<tr>`` per Buyer: its name as the label of a date input named as the form's field, the
    value as typed and the field's errors (Bootstrap's invalid-feedback)."""
    out = []
    for inv, name, value, errors in form.buyer_rows():
        n = escape(name)
        feedback = "".join(f'<div class="invalid-feedback">{escape(str(e))}</div>' for e in errors)
        out.append(
            f'<tr><td><label for="id_{n}">{escape(inv.legal_name)}</label></td><td><input type="date" name="{n}" '
            f'id="id_{n}" value="{escape(str(value))}" class="form-control form-control-sm'
            f'{" is-invalid" if errors else ""}">{feedback}</td></tr>'
        )
    return mark_safe("\n".join(out))  # noqa: S308 -- every interpolated value is escaped above
