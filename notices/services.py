"""Notice workflows: request, render, retry, supersede, verify.

Workflows call ``notice_request`` inside their transaction once a record that
needs a notice (conversion, exercise, redemption, ...) is written; the PDF is
rendered by ``render_notice_task`` after the transaction commits (in-process
when Celery runs eagerly). A render failure is recorded on the notice (status
``failed`` and the error) and never touches the underlying record; a clerk can
retry. A ready notice is never re-rendered or overwritten: a correction is a
new version (``notice_supersede``).
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from . import rendering
from .kinds import spec_for
from .models import Notice, NoticeStatus

logger = logging.getLogger(__name__)

# A render that has been "rendering" this long is assumed dead (worker lost) and may be retried.
STALE_RENDER = timedelta(minutes=10)
ERROR_MAX = 2000


def _queue_render(notice: Notice, user=None) -> None:
    """Render after commit. ``robust``: a broker outage must not undo or fail the request;
    the notice simply stays queued and can be retried."""
    from .tasks import render_notice_task

    user_id = getattr(user, "pk", None)
    transaction.on_commit(lambda: render_notice_task.delay(notice.pk, user_id), robust=True)


def _next_version(content_type, object_id, kind) -> int:
    top = Notice.objects.filter(content_type=content_type, object_id=object_id, kind=kind).aggregate(v=Max("version"))["v"]
    return (top or 0) + 1


@transaction.atomic
def notice_request(*, record, kind: str, user, supersedes: Notice | None = None, reason: str = "") -> Notice:
    """Ask for the ``kind`` notice of ``record``; returns the Notice (queued for rendering on commit).

    Idempotent: if the record already has a current (not superseded) notice of this kind,
    that notice is returned and nothing new is queued. Corrections go through
    ``notice_supersede`` (which passes ``supersedes`` and ``reason``).
    """
    spec = spec_for(kind)
    if record._meta.label != spec.model:
        raise ValueError(f"A {kind!r} notice belongs to a {spec.model}, not a {record._meta.label}.")
    if record.pk is None:
        raise ValueError("Save the record before requesting its notice.")
    ct = ContentType.objects.get_for_model(record)
    if supersedes is None:
        existing = (
            Notice.objects.select_for_update()
            .filter(content_type=ct, object_id=record.pk, kind=kind, superseded_by__isnull=True)
            .order_by("-version")
            .first()
        )
        if existing is not None:
            return existing
    described = spec.describe(record)
    version = _next_version(ct, record.pk, kind)
    notice = Notice.objects.create(
        kind=kind,
        content_type=ct,
        object_id=record.pk,
        investor=spec.investor(record),
        version=version,
        subject=described.subject[:300],
        file_name=spec.file_name(record, version),
        status=NoticeStatus.PENDING,
        requested_by=user if getattr(user, "pk", None) else None,
        supersedes=supersedes,
    )
    _queue_render(notice, user)
    logger.info("notice %s requested: %s v%s for %s by %s", notice.pk, kind, version, record, user)
    return notice


def _claim(notice_id: int) -> bool:
    """Move a queued, failed or stale notice to ``rendering`` (conditional update: exactly one
    worker wins; a ready notice is never claimed, so it is never overwritten)."""
    now = timezone.now()
    claimable = Notice.objects.filter(pk=notice_id, status__in=[NoticeStatus.PENDING, NoticeStatus.FAILED])
    stale = Notice.objects.filter(pk=notice_id, status=NoticeStatus.RENDERING, render_started_at__lt=now - STALE_RENDER)
    fields = {"status": NoticeStatus.RENDERING, "render_started_at": now, "attempts": F("attempts") + 1, "updated_at": now}
    return bool(claimable.update(**fields) or stale.update(**fields))


def render_pdf(notice: Notice) -> tuple[bytes, str]:
    """(PDF bytes, template version) for a notice, from its record as stored now."""
    spec = spec_for(notice.kind)
    record = spec.load(notice.object_id)
    template_name = spec.template(record)
    context = spec.build_context(record)
    context.setdefault("title", notice.get_kind_display())
    context["notice"] = notice
    if notice.supersedes_id:
        context["supersede_reason"] = Notice.objects.filter(pk=notice.supersedes_id).values_list("superseded_reason", flat=True).first()
    context["template_version"] = f"{notice.kind}.v{spec.version}+{rendering.template_fingerprint(template_name)}"
    html = rendering.render_html(template_name, context)
    return rendering.html_to_pdf(html), context["template_version"]


def notice_render(*, notice_id: int, user=None) -> Notice:
    """Render one notice and store its PDF and SHA-256. Never raises for a render error: the
    notice is marked ``failed`` with the error (the record it documents is untouched).
    Not atomic on purpose: the slow render holds no lock or transaction."""
    if not _claim(notice_id):
        return Notice.objects.get(pk=notice_id)
    notice = Notice.objects.select_related("content_type").get(pk=notice_id)
    started = time.perf_counter()
    try:
        pdf, template_version = render_pdf(notice)
    except Exception as exc:  # recorded on the notice; the caller (a task) must not crash
        logger.exception("notice %s render failed", notice_id)
        message = f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
        Notice.objects.filter(pk=notice_id, status=NoticeStatus.RENDERING).update(
            status=NoticeStatus.FAILED, error=message, updated_at=timezone.now()
        )
        notice.refresh_from_db()
        return notice
    elapsed_ms = round((time.perf_counter() - started) * 1000)
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice_id)
        if notice.status != NoticeStatus.RENDERING:  # someone else finished it meanwhile
            return notice
        notice.rendered_at = timezone.now()
        notice.file.save(notice.file_name, ContentFile(pdf), save=False)
        notice.sha256 = hashlib.sha256(pdf).hexdigest()
        notice.size = len(pdf)
        notice.template_version = template_version
        notice.engine = rendering.ENGINE
        notice.render_ms = elapsed_ms
        notice.rendered_by_id = getattr(user, "pk", None) or notice.requested_by_id
        notice.status = NoticeStatus.READY
        notice.error = ""
        notice.save(
            update_fields=[
                "rendered_at", "file", "sha256", "size", "template_version", "engine", "render_ms",
                "rendered_by", "status", "error", "updated_at",
            ]
        )  # fmt: skip
    return notice


def is_stale(notice: Notice) -> bool:
    return bool(
        notice.status == NoticeStatus.RENDERING
        and notice.render_started_at
        and notice.render_started_at < timezone.now() - STALE_RENDER
    )


def can_retry(notice: Notice) -> bool:
    return notice.status == NoticeStatus.FAILED or is_stale(notice)


@transaction.atomic
def notice_retry(*, notice: Notice, user) -> Notice:
    """Queue a failed (or stuck) notice for another render. Ready notices are never re-rendered."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if not can_retry(notice):
        raise ValidationError(
            f"Notice {notice.reference} is {notice.get_status_display().lower()}; only a failed render "
            f"(or one stuck for over {int(STALE_RENDER.total_seconds() // 60)} minutes) can be retried."
        )
    notice.status = NoticeStatus.PENDING
    notice.save(update_fields=["status", "updated_at"])
    _queue_render(notice, user)
    return notice


@transaction.atomic
def notice_supersede(*, notice: Notice, user, reason: str) -> Notice:
    """A correction: a new version of the notice, rendered from the record as it stands now.
    The old version keeps its PDF and hash, is marked superseded with ``reason`` and stays
    downloadable. Deal admins only (checked by the caller)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give the reason for the correction; it is kept with both versions.")
    old = Notice.objects.select_for_update().get(pk=notice.pk)
    if old.superseded_by_id:
        raise ValidationError(
            f"Notice {old.reference} (version {old.version}) was already superseded by N-{old.superseded_by_id}; "
            "correct the latest version instead."
        )
    if old.is_in_progress and not is_stale(old):
        raise ValidationError(f"Notice {old.reference} is still rendering; wait until it is ready or failed.")
    record = spec_for(old.kind).load(old.object_id)
    new = notice_request(record=record, kind=old.kind, user=user, supersedes=old, reason=reason)
    old.superseded_by = new
    old.superseded_reason = reason
    old.superseded_at = timezone.now()
    old.superseded_by_user = user
    old.save(update_fields=["superseded_by", "superseded_reason", "superseded_at", "superseded_by_user", "updated_at"])
    return new


@dataclass(frozen=True)
class Verification:
    ok: bool
    expected: str
    actual: str
    expected_size: int | None
    actual_size: int | None
    message: str


def notice_verify(*, notice: Notice) -> Verification:
    """Recompute the SHA-256 of the stored bytes and compare with the hash recorded at render."""
    if notice.status != NoticeStatus.READY or not notice.file:
        return Verification(False, notice.sha256, "", notice.size, None, "The notice has no stored PDF yet.")
    digest = hashlib.sha256()
    size = 0
    try:
        with notice.file.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 16), b""):
                digest.update(chunk)
                size += len(chunk)
    except FileNotFoundError:
        logger.error("notice %s: stored file %s is missing", notice.pk, notice.file.name)
        return Verification(False, notice.sha256, "", notice.size, None, "The stored PDF file is missing.")
    actual = digest.hexdigest()
    if actual == notice.sha256:
        return Verification(True, notice.sha256, actual, notice.size, size, "The stored PDF matches its SHA-256.")
    logger.error("notice %s: SHA-256 mismatch (stored %s, now %s)", notice.pk, notice.sha256, actual)
    return Verification(
        False,
        notice.sha256,
        actual,
        notice.size,
        size,
        f"Tampering: the stored PDF ({size:,} bytes) does not match the SHA-256 recorded when it was rendered "
        f"({notice.size or 0:,} bytes).",
    )
