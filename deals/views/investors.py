"""Investors: a list, and one page with everything an investor holds and has done."""

from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_GET

from deals.models import Investor
from deals.pagination import ListPaginator
from deals.selectors.investors import investor_page, investors_ordered, with_counts

from .access import clerk_required


@require_GET
@clerk_required
def investor_list(request):
    qs = investors_ordered()
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(legal_name__icontains=q)
    page = ListPaginator(qs, 25).get_page(request.GET.get("page"))
    page.object_list = with_counts(page.object_list)  # one grouped query for the page
    return render(request, "deals/investors/list.html", {"page": page, "q": q, "querystring": f"q={q}" if q else ""})


@require_GET
@clerk_required
def investor_detail(request, pk: int):
    investor = get_object_or_404(Investor, pk=pk)
    pages = {name: request.GET.get(name) for name in ("cpage", "epage", "opage")}
    p = investor_page(investor, conversions_page=pages["cpage"], exercises_page=pages["epage"], obligations_page=pages["opage"])
    # each pager keeps the other lists' page numbers
    qs = {name: "&".join(f"{k}={v}" for k, v in pages.items() if k != name and v and v.isdigit()) for name in pages}
    return render(request, "deals/investors/detail.html", {"p": p, "qs": qs})


urlpatterns = [
    path("investors/", investor_list, name="investor_list"),
    path("investors/<int:pk>/", investor_detail, name="investor_detail"),
]
