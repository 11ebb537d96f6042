"""Cap Regulations page: the 20% cap count, the authorized shares, the 150% reserve and the
stockholders' meetings (SPA 3(c), 4(d)(ii), 4(g), 4(i)). Clerks read; deal admins record a meeting."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from deals.forms.cap import StockholderMeetingForm
from deals.models import Issuer, StockholderMeeting
from deals.selectors.cap import issuance_position, issuer_scope, reserve_position
from deals.selectors.terms import TermsUnavailable, terms_in_force
from deals.services.calendar import business_date
from deals.services.errors import WorkflowError
from deals.services.issuance import stockholder_meeting_record
from deals.services.roles import is_deal_admin
from deals.terms.cap import cap_shares

from .access import clerk_required, deal_admin_required

PAGE_SIZE = 25


def _issuer_status(issuer: Issuer, today) -> dict:
    scope = issuer_scope(issuer.pk)  # the SPA date, the join decision and the Series J financing, once
    pos = issuance_position(issuer_id=issuer.pk, day=today, scope=scope)
    cap = room = None
    note = None
    spa = scope.series_j_id
    if spa is not None:
        try:
            cap = cap_shares(terms_in_force(financing=spa, day=today).terms, pos.shares_outstanding_at_signing)
            room = max(0, cap - pos.cap_issued)
        except TermsUnavailable as err:
            note = str(err)
    return {"issuer": issuer, "pos": pos, "cap": cap, "room": room, "note": note,
            "reserve": reserve_position(issuer_id=issuer.pk, day=today, scope=scope)}


def _page(request, form, status=200):
    today = business_date()
    issuers = [_issuer_status(i, today) for i in Issuer.objects.order_by("name")]
    meetings = Paginator(StockholderMeeting.objects.select_related("issuer", "created_by"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "deals/cap/page.html", {
        "issuers": issuers, "meetings": meetings, "form": form, "today": today, "can_record": is_deal_admin(request.user),
    }, status=status)


@require_GET
@clerk_required
def cap_index(request):
    form = StockholderMeetingForm(initial={"meeting_date": business_date()}) if is_deal_admin(request.user) else None
    return _page(request, form)


@require_http_methods(["POST"])
@deal_admin_required
def stockholder_meeting_new(request):
    form = StockholderMeetingForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    d = form.cleaned_data
    try:
        meeting = stockholder_meeting_record(
            issuer=d["issuer"], meeting_date=d["meeting_date"], votes_for=d["votes_for"], votes_against=d["votes_against"],
            votes_abstain=d["votes_abstain"] or 0, document=d["document"], notes=d.get("notes") or "", user=request.user,
        )
    except WorkflowError as err:
        form.add_error(err.field if err.field in form.fields else None, err.message)
        return _page(request, form, status=400)
    outcome = "approved: from that date the 20% cap no longer binds" if meeting.approved else "not approved: the 20% cap still binds"
    messages.success(request, f"Stockholders' meeting of {meeting.meeting_date.isoformat()} recorded, {outcome} (SPA 4(d)(ii)).")
    return redirect("cap_index")


urlpatterns = [
    path("cap/", cap_index, name="cap_index"),
    path("cap/meetings/new/", stockholder_meeting_new, name="stockholder_meeting_new"),
]
