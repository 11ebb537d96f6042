"""The approvals queue (issue 12, four eyes): deal admins only (clerks 403). The list (pending
first by default, paginated, with an empty state), one item's page with what it changes, and the
approve / reject posts -- each a thin call to ``deals.services.approvals``."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from deals.forms.approvals import ApprovalFilterForm, ApproveForm, RejectForm
from deals.models import Approval, ApprovalKind, ApprovalStatus
from deals.selectors.approvals import approvals_filtered, terms_diff
from deals.services.approvals import approval_approve, approval_reject, payment_threshold
from deals.services.errors import WorkflowError

from .access import deal_admin_required

PAGE_SIZE = 25


@require_GET
@deal_admin_required
def approval_list(request):
    form = ApprovalFilterForm(request.GET or {"status": ApprovalStatus.PENDING})
    status = form.cleaned_data["status"] if form.is_valid() else ApprovalStatus.PENDING
    if "status" not in request.GET:
        status = ApprovalStatus.PENDING
    page = Paginator(approvals_filtered(status or None), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "deals/approvals/list.html", {
        "form": form, "page": page, "status": status, "querystring": query.urlencode(),
        "threshold": payment_threshold(),
    })


def _detail(request, approval: Approval, *, approve_form=None, reject_form=None, error=None, status=200):
    base_version, changes = terms_diff(approval) if approval.kind == ApprovalKind.TERMS_VERSION else (None, [])
    return render(request, "deals/approvals/detail.html", {
        "a": approval, "base_version": base_version, "changes": changes,
        "consents": list(approval.consents.select_related("investor")),
        "approve_form": approve_form or ApproveForm(), "reject_form": reject_form or RejectForm(),
        "own": approval.maker_id == request.user.pk, "error": error,
        "history": list(approval.history.select_related("history_user").order_by("history_date")),
    }, status=status)


def _approval(pk: int) -> Approval:
    return get_object_or_404(Approval.objects.select_related("maker", "checker", "financing", "obligation"), pk=pk)


@require_GET
@deal_admin_required
def approval_detail(request, pk: int):
    return _detail(request, _approval(pk))


def _decide(request, pk: int, *, form_class, form_key: str, act, done):
    """Approve or reject (issue 12): a bad form or a refused decision shows the item again with the
    reason (status 400, nothing written); a decision made redirects to the item."""
    item = _approval(pk)
    form = form_class(request.POST)
    if not form.is_valid():
        return _detail(request, item, **{form_key: form}, status=400)
    try:
        item = act(item, form.cleaned_data)
    except WorkflowError as err:
        return _detail(request, _approval(pk), **{form_key: form}, error=err.message, status=400)
    messages.success(request, done(item))
    return redirect("approval_detail", pk=item.pk)


@require_POST
@deal_admin_required
def approval_approve_view(request, pk: int):
    return _decide(
        request, pk, form_class=ApproveForm, form_key="approve_form",
        act=lambda item, data: approval_approve(approval=item.pk, checker=request.user),
        done=lambda item: f"Approval #{item.pk} approved and applied: {item.result_label or item.summary}.",
    )


@require_POST
@deal_admin_required
def approval_reject_view(request, pk: int):
    return _decide(
        request, pk, form_class=RejectForm, form_key="reject_form",
        act=lambda item, data: approval_reject(approval=item.pk, checker=request.user, reason=data["reason"]),
        done=lambda item: f"Approval #{item.pk} rejected; nothing was applied.",
    )


urlpatterns = [
    path("approvals/", approval_list, name="approval_list"),
    path("approvals/<int:pk>/", approval_detail, name="approval_detail"),
    path("approvals/<int:pk>/approve/", approval_approve_view, name="approval_approve"),
    path("approvals/<int:pk>/reject/", approval_reject_view, name="approval_reject"),
]
