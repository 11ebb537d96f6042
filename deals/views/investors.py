"""Investors: a list, and one page with everything an investor holds and has done."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_GET

from deals.models import Investor
from deals.selectors.investors import investor_page, investors_with_counts

from .access import clerk_required


@require_GET
@clerk_required
def investor_list(request):
    qs = investors_with_counts()
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(legal_name__icontains=q)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "deals/investors/list.html", {"page": page, "q": q, "querystring": f"q={q}" if q else ""})


@require_GET
@clerk_required
def investor_detail(request, pk: int):
    investor = get_object_or_404(Investor, pk=pk)
    return render(request, "deals/investors/detail.html", {"p": investor_page(investor)})


urlpatterns = [
    path("investors/", investor_list, name="investor_list"),
    path("investors/<int:pk>/", investor_detail, name="investor_detail"),
]
