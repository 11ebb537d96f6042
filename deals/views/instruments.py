"""Instrument suggestions for the forms' number fields (issue 17): JSON, a page at a time.

Clerks and deal admins (the forms that use it are theirs); an anonymous caller is sent to the
login page like every page. ``?q=`` number prefix or holder's name, ``kind=convertible |
debenture | warrant | security | investor``, ``all=1`` includes closed instruments (the list filters), ``page=``."""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET

from deals.selectors.instruments import KINDS, SEARCH_PAGE_SIZE, instrument_search

from .access import clerk_required

MAX_QUERY = 60
MAX_PAGE = 500


@require_GET
@clerk_required
def instrument_search_view(request):
    q = request.GET.get("q", "")
    kind = request.GET.get("kind", "convertible")
    raw_page = request.GET.get("page", "1")
    if kind not in KINDS:
        return JsonResponse({"error": f"kind must be one of {', '.join(KINDS)}."}, status=400)
    if len(q) > MAX_QUERY:
        return JsonResponse({"error": f"The search text is limited to {MAX_QUERY} characters."}, status=400)
    if not raw_page.isdigit() or not 1 <= int(raw_page) <= MAX_PAGE:
        return JsonResponse({"error": f"page must be a whole number from 1 to {MAX_PAGE}."}, status=400)
    page = int(raw_page)
    results, has_more = instrument_search(q=q, kind=kind, open_only=request.GET.get("all") != "1", page=page)
    return JsonResponse({
        "results": [r.as_dict() for r in results], "page": page, "page_size": SEARCH_PAGE_SIZE, "has_more": has_more,
    })


urlpatterns = [path("instruments/search/", instrument_search_view, name="instrument_search")]
