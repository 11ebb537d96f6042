"""Shared pieces of the company-side pages: the access rule, the side nav,
the context every page gets, and putting a service's error on a form.

Clerks (and deal admins) read every page; only deal admins POST. Each POST
has its own URL and view (no ``action=`` dispatch): the view validates its
one form, calls one service and redirects; on bad input it renders the page
again through the page's ``render_*`` helper with the bound form.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse

from deals.models import Financing
from deals.selectors.terms import TermsUnavailable
from deals.services.calendar import business_date
from deals.services.roles import is_deal_admin

from ..access import clerk_required

PER_PAGE = 25

COMPANY_NAV = [
    ("company_registration_home", "Registration statement", "RRA 2, 3"),
    ("company_damages_home", "Liquidated damages", "RRA 2(b)"),
    ("company_offers", "First refusal & price protection", "SPA 4(j)"),
    ("company_defaults", "Events of default", "Debenture 10"),
    ("company_notices", "Outbound notices & addresses", "SPA 10"),
    ("company_claims", "Indemnification claims", "Indemnification Agreement; RRA 6"),
]


def company_view(view):
    """Clerks (and deal admins) read; only deal admins may POST."""

    @clerk_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST" and not is_deal_admin(request.user):
            raise PermissionDenied("Deal admin role required to change company-side records.")
        try:
            return view(request, *args, **kwargs)
        except TermsUnavailable as err:
            # the page's financing has no usable terms on the day (issue 18): say which, never a 500
            messages.error(request, str(err))
            if request.resolver_match and request.resolver_match.url_name == "company_index":
                raise
            return redirect("company_index")

    return wrapper


def apply_errors(form, err: ValidationError) -> None:
    """Put a service's ValidationError on the form (field errors where it names a field)."""
    if hasattr(err, "error_dict"):
        for field, errors in err.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, err)


def form_errors_text(form) -> str:
    """A form's errors as one sentence for a flash message."""
    return "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())


def page_of(request, qs):
    return Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))


def ctx(request, active: str, **extra) -> dict:
    nav = [{"url": reverse(name), "label": label, "clause": clause, "name": name} for name, label, clause in COMPANY_NAV]
    return {"company_nav": nav, "active": active, "can_write": is_deal_admin(request.user), "as_of": business_date(), **extra}


def series_j() -> Financing | None:
    """The Series J financing the company pages are about (the first recorded), or None."""
    return Financing.objects.filter(kind=Financing.Kind.SERIES_J).order_by("id").first()
