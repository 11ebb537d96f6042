"""Indemnification claims (Indemnification Agreement 3-6; RRA 6)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from deals.forms import company as f
from deals.models import IndemnificationClaim
from deals.services.calendar import business_date
from deals.services.company import claims as claims_svc
from deals.services.obligations import obligations_for

from ._base import apply_errors, company_view, ctx, page_of


@company_view
def claims(request):
    """Indemnification Agreement 3-6; RRA 6: claims register; POST records a claim."""
    form = f.ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            claim = claims_svc.claim_record(data=form.cleaned_data, user=request.user, as_of=business_date())
        except ValidationError as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"Claim {claim.pk} recorded.")
            return redirect("company_claims")
    qs = IndemnificationClaim.objects.order_by("-notice_date", "-id")
    return render(request, "deals/company/claims.html", ctx(request, "company_claims", page=page_of(request, qs), form=form))


@company_view
def claim_detail(request, pk: int):
    """One claim; POST updates it."""
    claim = get_object_or_404(IndemnificationClaim, pk=pk)
    form = f.ClaimForm(request.POST or None, instance=claim)
    if request.method == "POST" and form.is_valid():
        try:
            claims_svc.claim_update(claim=claim, data=form.cleaned_data, user=request.user, as_of=business_date())
        except ValidationError as err:
            apply_errors(form, err)
        else:
            messages.success(request, "Claim updated.")
            return redirect("company_claim", pk=claim.pk)
    return render(
        request,
        "deals/company/claim_detail.html",
        ctx(request, "company_claims", claim=claim, form=form, obligations=list(obligations_for(claim))),
    )
