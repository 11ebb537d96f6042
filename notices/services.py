"""Notice workflows: request, render, retry, supersede, verify.

Workflows call ``notice_request`` inside their transaction once a record that
needs a notice (conversion, exercise, redemption, ...) is written; the PDF is
rendered by ``render_notice_task`` after the transaction commits (in-process
when Celery runs eagerly). A render failure -- any exception, including
WeasyPrint's ``FatalURLFetchingError`` which derives from ``BaseException`` --
is recorded on the notice (status ``failed`` and the error) and never touches
the underlying record; a clerk can retry. A ready notice is never re-rendered
or overwritten: a correction is a new version (``notice_supersede``).

Nothing stays stuck without a person: when the task queue cannot be reached
the notice is marked ``waiting`` with the reason; a render whose worker died
is taken over by the redelivered task (``acks_late``) or, once stale, by
``notices_requeue_stuck`` (beat every few minutes and the sweep's catch-up),
which also re-queues waiting notices and pending ones whose message was lost.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from . import rendering
from .kinds import spec_for
from .models import Notice, NoticeStatus

logger = logging.getLogger(__name__)

# A render that has been "rendering" this long is assumed dead (worker lost) and is re-queued.
STALE_RENDER = timedelta(minutes=getattr(settings, "NOTICE_STALE_RENDER_MINUTES", 10))
# A notice queued this long without a worker taking it is assumed lost (broker flushed) and is re-queued.
STALE_PENDING = timedelta(minutes=getattr(settings, "NOTICE_STALE_PENDING_MINUTES", 5))
ERROR_MAX = 2000
REQUEUE_BATCH = 500
# Exceptions the worker must not swallow after recording them (the process is being stopped).
_PROCESS_EXITS = (KeyboardInterrupt, SystemExit, GeneratorExit)


def _broker_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import OperationalError

    return (OperationalError, ConnectionError, OSError, TimeoutError)


_broker = threading.local()  # this thread's broker connection for publishing (``_publish``)


def _publish(task, args: tuple, *, fresh: bool = False) -> None:
    """Publish ``task`` on this thread's broker connection, opened once per thread and broker URL
    without connect retries (kombu would otherwise retry for seconds); ``fresh``: open it anew."""
    app = task.app
    url = app.conf.broker_write_url or app.conf.broker_url
    held = getattr(_broker, "held", None)
    if fresh or held is None or held[0] != url:
        if held is not None:
            _drop_broker_connection()
        _broker.held = held = (url, app.connection_for_write(transport_options={"max_retries": 0}))
    task.apply_async(args, retry=False, connection=held[1])


def _drop_broker_connection() -> None:
    held = getattr(_broker, "held", None)
    _broker.held = None
    if held is not None:
        try:
            held[1].release()
        except Exception:  # noqa: BLE001 -- a dead connection may fail to close; it is dropped either way
            logger.debug("broker connection closed with an error", exc_info=True)


def _enqueue(notice_id: int, user_id: int | None) -> bool:
    """Publish the render task now (no publish retries: a page must not hang on a dead
    broker). If the queue cannot be reached, mark the notice ``waiting`` with the reason;
    ``notices_requeue_stuck`` and Retry queue it again. Returns whether it was queued.
    The connection is kept for the thread's next publish (a new one cost ~8 ms per conversion);
    a publish that fails on a kept connection is tried once on a new one (a broker restart)."""
    from .tasks import render_notice_task

    try:
        try:
            kept = getattr(_broker, "held", None) is not None
            _publish(render_notice_task, (notice_id, user_id))
        except _broker_errors():
            if not kept:
                raise
            _publish(render_notice_task, (notice_id, user_id), fresh=True)
    except _broker_errors() as exc:
        _drop_broker_connection()
        reason = f"The task queue could not be reached: {type(exc).__name__}: {exc}"[:ERROR_MAX]
        logger.error("notice %s not queued: %s", notice_id, reason)
        _mark_waiting(notice_id, reason)
        return False
    return True


@transaction.atomic
def _mark_waiting(notice_id: int, reason: str) -> None:
    notice = Notice.objects.select_for_update().filter(pk=notice_id, status=NoticeStatus.PENDING).first()
    if notice is None:  # already taken by a worker (or rendered inline)
        return
    notice.status = NoticeStatus.WAITING
    notice.error = reason
    notice.save(update_fields=["status", "error", "updated_at"])


def _queue_render(notice: Notice, user=None) -> None:
    """Render after commit. ``robust``: a broker outage must not undo or fail the request;
    ``_enqueue`` records it on the notice instead (status ``waiting``, the reason)."""
    user_id = getattr(user, "pk", None)
    transaction.on_commit(lambda: _enqueue(notice.pk, user_id), robust=True)


def _next_version(content_type, object_id, kind) -> int:
    top = Notice.objects.filter(content_type=content_type, object_id=object_id, kind=kind).aggregate(v=Max("version"))["v"]
    return (top or 0) + 1


@transaction.atomic
def notice_request(*, record, kind: str, user, supersedes: Notice | None = None, reason: str = "",
                   created: bool = False) -> Notice:
    """Ask for the ``kind`` notice of ``record``; returns the Notice (queued for rendering on commit).

    Idempotent: if the record already has a current (not superseded) notice of this kind,
    that notice is returned and nothing new is queued. Corrections go through
    ``notice_supersede`` (which passes ``supersedes`` and ``reason``). ``created``: the caller
    inserted ``record`` in this transaction, so it has no notice yet -- version 1, nothing to look up.
    """
    spec = spec_for(kind)
    if record._meta.label != spec.model:
        raise ValueError(f"A {kind!r} notice belongs to a {spec.model}, not a {record._meta.label}.")
    if record.pk is None:
        raise ValueError("Save the record before requesting its notice.")
    ct = ContentType.objects.get_for_model(record)
    if supersedes is None and not created:
        existing = (
            Notice.objects.select_for_update()
            .filter(content_type=ct, object_id=record.pk, kind=kind, superseded_by__isnull=True)
            .order_by("-version")
            .first()
        )
        if existing is not None:
            return existing
    described = spec.describe(record)
    version = 1 if created and supersedes is None else _next_version(ct, record.pk, kind)
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


def _claim(notice_id: int, task_id: str = "") -> bool:
    """Move a queued, waiting, failed or stale notice to ``rendering`` (conditional update:
    exactly one worker wins; a ready notice is never claimed, so it is never overwritten).
    A notice still ``rendering`` under this same ``task_id`` is taken over: with ``acks_late``
    the broker only hands a task out again when its first run died before finishing."""
    now = timezone.now()
    claimable = Q(status__in=[NoticeStatus.PENDING, NoticeStatus.WAITING, NoticeStatus.FAILED])
    claimable |= Q(status=NoticeStatus.RENDERING, render_started_at__lt=now - STALE_RENDER)
    if task_id:
        claimable |= Q(status=NoticeStatus.RENDERING, render_task_id=task_id)
    fields = {
        "status": NoticeStatus.RENDERING,
        "render_started_at": now,
        "render_task_id": task_id[:64],
        "attempts": F("attempts") + 1,
        "updated_at": now,
    }
    return bool(Notice.objects.filter(claimable, pk=notice_id).update(**fields))


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


def _mark_failed(notice_id: int, exc: BaseException) -> None:
    message = f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
    with transaction.atomic():
        notice = Notice.objects.select_for_update().filter(pk=notice_id, status=NoticeStatus.RENDERING).first()
        if notice is not None:
            notice.status = NoticeStatus.FAILED
            notice.error = message
            notice.save(update_fields=["status", "error", "updated_at"])


def notice_render(*, notice_id: int, user=None, task_id: str = "") -> Notice:
    """Render one notice and store its PDF and SHA-256. Never raises for a render error: the
    notice is marked ``failed`` with the error (the record it documents is untouched) --
    whatever is raised, ``BaseException`` subclasses included; a process exit
    (``SystemExit``, ``KeyboardInterrupt``) is recorded and then re-raised.
    Not atomic on purpose: the slow render holds no lock or transaction."""
    if not _claim(notice_id, task_id):
        return Notice.objects.get(pk=notice_id)
    notice = Notice.objects.select_related("content_type").get(pk=notice_id)
    started = time.perf_counter()
    try:
        pdf, template_version = render_pdf(notice)
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
    except BaseException as exc:  # recorded on the notice; the caller (a task) must not crash
        logger.exception("notice %s render failed", notice_id)
        _mark_failed(notice_id, exc)
        if isinstance(exc, _PROCESS_EXITS):
            raise
        return Notice.objects.get(pk=notice_id)
    return notice


def is_stale(notice: Notice, now: datetime | None = None) -> bool:
    """Rendering for over ``STALE_RENDER`` (its worker died) or queued for over
    ``STALE_PENDING`` without a worker taking it (its message was lost)."""
    now = now or timezone.now()
    if notice.status == NoticeStatus.RENDERING:
        return bool(notice.render_started_at and notice.render_started_at < now - STALE_RENDER)
    if notice.status == NoticeStatus.PENDING:
        return bool(notice.updated_at and notice.updated_at < now - STALE_PENDING)
    return False


def can_retry(notice: Notice) -> bool:
    return notice.status in (NoticeStatus.FAILED, NoticeStatus.WAITING) or is_stale(notice)


@transaction.atomic
def notice_retry(*, notice: Notice, user) -> Notice:
    """Queue a failed, waiting (queue was down) or stuck notice for another render.
    Ready notices are never re-rendered."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if not can_retry(notice):
        raise ValidationError(
            f"Notice {notice.reference} is {notice.get_status_display().lower()}; only a failed render, one waiting for a "
            f"worker, or one stuck for over {int(STALE_RENDER.total_seconds() // 60)} minutes can be retried."
        )
    notice.status = NoticeStatus.PENDING
    notice.save(update_fields=["status", "updated_at"])
    _queue_render(notice, user)
    return notice


@dataclass(frozen=True)
class Requeued:
    waiting: int
    lost: int
    stale_renders: int

    @property
    def total(self) -> int:
        return self.waiting + self.lost + self.stale_renders


def stuck_notices(now: datetime | None = None):
    """Current notices no worker has: waiting (the queue was down when they were requested),
    queued for over ``STALE_PENDING`` (message lost) or rendering for over ``STALE_RENDER``
    (the worker died)."""
    now = now or timezone.now()
    return Notice.objects.current().filter(
        Q(status=NoticeStatus.WAITING)
        | Q(status=NoticeStatus.PENDING, updated_at__lt=now - STALE_PENDING)
        | Q(status=NoticeStatus.RENDERING, render_started_at__lt=now - STALE_RENDER)
    )


def notices_requeue_stuck(*, now: datetime | None = None) -> Requeued:
    """Queue again every stuck notice (``stuck_notices``), oldest first, at most
    ``REQUEUE_BATCH`` per call; each is set back to ``pending`` (history row) and published
    after its own commit, so a queue still down marks it ``waiting`` again. Run by the beat
    every few minutes and by the sweep's catch-up; safe to run twice (the claim is conditional)."""
    now = now or timezone.now()
    counts = {NoticeStatus.WAITING: 0, NoticeStatus.PENDING: 0, NoticeStatus.RENDERING: 0}
    ids = list(stuck_notices(now).order_by("updated_at", "id").values_list("pk", flat=True)[:REQUEUE_BATCH])
    for pk in ids:
        with transaction.atomic():
            notice = stuck_notices(now).select_for_update().filter(pk=pk).first()
            if notice is None:  # taken meanwhile
                continue
            counts[notice.status] += 1
            notice.status = NoticeStatus.PENDING
            notice.save(update_fields=["status", "updated_at"])
            _queue_render(notice, None)
    result = Requeued(counts[NoticeStatus.WAITING], counts[NoticeStatus.PENDING], counts[NoticeStatus.RENDERING])
    if result.total:
        logger.warning(
            "re-queued %s notice(s): %s waiting for a worker, %s lost from the queue, %s stale renders",
            result.total, result.waiting, result.lost, result.stale_renders,
        )  # fmt: skip
    return result


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
