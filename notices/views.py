"""Notice pages: list, detail (status, hash, versions), verify, retry, supersede, download.

Downloads go only through ``notice_download`` (permission-checked); MEDIA_ROOT is never
served directly.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from deals.pagination import ListPaginator

from . import services
from .access import accessible_notices, can_access
from .forms import NoticeFilterForm, SupersedeForm
from .models import Notice
from .roles import clerk_required, deal_admin_required, is_deal_admin

PAGE_SIZE = 25
REFRESH_SECONDS = 2


def _notice_for(request, pk: int) -> Notice:
    notice = get_object_or_404(
        Notice.objects.select_related("investor", "requested_by", "rendered_by", "superseded_by_user", "content_type"), pk=pk
    )
    if not can_access(request.user, notice):
        raise PermissionDenied(f"You have no access to the record notice N-{notice.pk} documents.")
    return notice


@require_GET
@clerk_required
def notice_list(request):
    form = NoticeFilterForm(request.GET or None)
    qs = accessible_notices(request.user).select_related("investor").order_by("-created_at", "-id")
    qs = form.apply(qs) if form.is_bound else qs
    page = ListPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    filtered = any(v for k, v in request.GET.items() if k not in ("page", "filter"))
    return render(request, "notices/list.html", {"form": form, "page": page, "filtered": filtered, "query": query.urlencode()})


def _detail(request, notice: Notice, *, supersede_form=None, verification=None, status=200):
    versions = (
        Notice.objects.filter(content_type_id=notice.content_type_id, object_id=notice.object_id, kind=notice.kind)
        .select_related("superseded_by_user")
        .order_by("-version")
    )
    admin = is_deal_admin(request.user)
    can_supersede = admin and not notice.is_superseded and (not notice.is_in_progress or services.is_stale(notice))
    return render(
        request,
        "notices/detail.html",
        {
            "notice": notice,
            "versions": versions,
            "verification": verification,
            "can_retry": services.can_retry(notice),
            "can_supersede": can_supersede,
            "supersede_form": supersede_form or (SupersedeForm() if can_supersede else None),
            "refresh_seconds": REFRESH_SECONDS if notice.is_in_progress else None,
        },
        status=status,
    )


@require_GET
@clerk_required
def notice_detail(request, pk: int):
    return _detail(request, _notice_for(request, pk))


@require_POST
@clerk_required
def notice_verify(request, pk: int):
    """Recompute the SHA-256 of the stored bytes and report a match or tampering."""
    notice = _notice_for(request, pk)
    result = services.notice_verify(notice=notice)
    return _detail(request, notice, verification=result)


@require_POST
@clerk_required
def notice_retry(request, pk: int):
    notice = _notice_for(request, pk)
    try:
        services.notice_retry(notice=notice, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.info(request, f"Notice {notice.reference} queued for another render.")
    return redirect("notices:detail", pk=notice.pk)


@require_POST
@deal_admin_required
def notice_supersede(request, pk: int):
    """A correction: a new version (reason required); the old one stays downloadable."""
    notice = _notice_for(request, pk)
    form = SupersedeForm(request.POST)
    if not form.is_valid():
        return _detail(request, notice, supersede_form=form, status=400)
    try:
        new = services.notice_supersede(notice=notice, user=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        form.add_error(None, exc)
        return _detail(request, notice, supersede_form=form, status=400)
    messages.success(request, f"Version {new.version} ({new.reference}) replaces version {notice.version}; both stay downloadable.")
    return redirect("notices:detail", pk=new.pk)


@require_GET
@clerk_required
def notice_download(request, pk: int):
    """The stored bytes as stored, as an attachment with a readable name and the SHA-256."""
    notice = _notice_for(request, pk)
    if not notice.is_ready:
        messages.warning(request, f"Notice {notice.reference} is {notice.get_status_display().lower()}; there is no PDF to download yet.")
        return redirect("notices:detail", pk=notice.pk)
    try:
        fh = notice.file.open("rb")
    except FileNotFoundError:
        raise Http404(f"The stored PDF of notice {notice.reference} is missing; a deal admin should verify and supersede it.")
    response = FileResponse(fh, as_attachment=True, filename=notice.file_name, content_type="application/pdf")
    response["ETag"] = f'"{notice.sha256}"'
    response["X-Content-SHA256"] = notice.sha256
    response["Cache-Control"] = "private, no-transform"
    response["X-Content-Type-Options"] = "nosniff"
    return response


STATUS_IDS_MAX = 50


@require_GET
@clerk_required
def notice_status_json(request):
    """Status of up to 50 notices (``?ids=1,2``) the user may see: the record pages poll it
    while a PDF is queued or rendering, so they update without a reload."""
    try:
        ids = [int(x) for x in request.GET.get("ids", "").split(",") if x.strip()][:STATUS_IDS_MAX]
    except ValueError:
        return JsonResponse({"error": "ids must be notice numbers separated by commas, e.g. ?ids=1,2"}, status=400)
    notices = accessible_notices(request.user).filter(pk__in=ids).only("pk", "status", "superseded_by")
    return JsonResponse(
        {
            "notices": {
                str(n.pk): {
                    "status": n.status,
                    "label": n.get_status_display(),
                    "in_progress": n.is_in_progress,
                    "detail_url": reverse("notices:detail", args=[n.pk]),
                    "download_url": reverse("notices:download", args=[n.pk]) if n.is_ready else None,
                }
                for n in notices
            }
        }
    )


urlpatterns = [
    path("status/", notice_status_json, name="status"),
    path("", notice_list, name="list"),
    path("<int:pk>/", notice_detail, name="detail"),
    path("<int:pk>/download/", notice_download, name="download"),
    path("<int:pk>/verify/", notice_verify, name="verify"),
    path("<int:pk>/retry/", notice_retry, name="retry"),
    path("<int:pk>/supersede/", notice_supersede, name="supersede"),
]
