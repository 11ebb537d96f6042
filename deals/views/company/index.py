"""Company-side home: counts of what is open."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from deals.models import EventOfDefault, IndemnificationClaim, NewTransactionOffer, OutboundNotice

from ._base import company_view, ctx, series_j


@company_view
@require_GET
def company_index(request):
    counts = {
        "offers_open": NewTransactionOffer.objects.filter(status__in=["open", "answered"]).count(),
        "defaults_open": EventOfDefault.objects.filter(status="open").count(),
        "claims": IndemnificationClaim.objects.count(),
        "notices": OutboundNotice.objects.count(),
    }
    return render(request, "deals/company/index.html", ctx(request, "index", financing=series_j(), counts=counts))
