"""Generated notices: immutable PDF records.

A ``Notice`` is one version of one document (a kind, see ``notices.kinds``)
about one record (a conversion, warrant exercise, redemption, ...). Its PDF is
written once and never replaced: a correction is a new version that
``supersedes`` the old one, which keeps its file, hash and a reason, and both
stay downloadable. The SHA-256 of the stored bytes is recorded when the file
is written so a later verification can detect tampering.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class NoticeKind(models.TextChoices):
    """Document kinds. Each value has a spec in ``notices.kinds.REGISTRY``."""

    CONVERSION = "conversion", "Notice of Conversion"
    EXERCISE = "exercise", "Notice of Exercise"
    REDEMPTION = "redemption", "Notice of Redemption"
    LD_STATEMENT = "ld_statement", "Liquidated damages statement"
    ACCOUNT_STATEMENT = "account_statement", "Statement of account"
    CLOSING_MEMO = "closing_memo", "Closing memorandum"
    LEGEND_REMOVAL = "legend_removal", "Legend removal instruction letter"
    TA_INSTRUCTION = "ta_instruction", "Share delivery instruction letter"


class NoticeStatus(models.TextChoices):
    PENDING = "pending", "Queued"
    WAITING = "waiting", "Waiting for a worker"
    RENDERING = "rendering", "Rendering"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


def notice_upload_to(notice: Notice, filename: str) -> str:
    """MEDIA_ROOT/notices/<year>/<month>/<id>-v<version>-<file name>. The storage never overwrites
    an existing name (it adds a suffix), so a PDF once written stays as written."""
    stamp = notice.rendered_at or notice.created_at
    return f"notices/{stamp:%Y/%m}/{notice.pk}-v{notice.version}-{filename}"


class NoticeQuerySet(models.QuerySet):
    def current(self):
        """Versions not superseded by a later one."""
        return self.filter(superseded_by__isnull=True)

    def for_record(self, record: models.Model):
        return self.filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)


class Notice(models.Model):
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    investor = models.ForeignKey("deals.Investor", null=True, blank=True, on_delete=models.PROTECT, related_name="notices")
    version = models.PositiveIntegerField(default=1, help_text="1 for the first notice of a record; +1 per correction.")
    subject = models.CharField(max_length=300, help_text="What the notice is about, e.g. 'Debenture D-7, conversion on 2000-05-15'.")
    file_name = models.CharField(max_length=200, help_text="Download name, e.g. notice-of-conversion-D-7-2000-05-15.pdf.")
    status = models.CharField(max_length=20, choices=NoticeStatus.choices, default=NoticeStatus.PENDING)
    file = models.FileField(upload_to=notice_upload_to, max_length=300, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, verbose_name="SHA-256", help_text="Of the stored PDF bytes.")
    size = models.PositiveBigIntegerField(null=True, blank=True, help_text="Bytes.")
    template_version = models.CharField(max_length=100, blank=True)
    engine = models.CharField(max_length=100, blank=True, help_text="Renderer and version, e.g. WeasyPrint 70.0.")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    rendered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The user whose request or retry produced the PDF.",
    )
    render_started_at = models.DateTimeField(null=True, blank=True)
    render_task_id = models.CharField(
        max_length=64, blank=True, help_text="The Celery task that claimed the render (a redelivered task may take it over)."
    )
    rendered_at = models.DateTimeField(null=True, blank=True)
    render_ms = models.PositiveIntegerField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, help_text="Why the last render failed, or why it could not be queued.")
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="The version this one corrects."
    )
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="The version correcting this one."
    )
    superseded_reason = models.TextField(blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    superseded_by_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            # the notices list, newest first, read in index order (issue 17)
            models.Index(fields=["-created_at", "-id"], name="notice_newest_first"),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["kind", "created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "kind", "version"], name="notice_one_row_per_version"),
            models.CheckConstraint(
                condition=~Q(status="ready") | (~Q(sha256="") & ~Q(file="")),
                name="notice_ready_has_file_and_hash",
                violation_error_message="A ready notice needs its stored file and SHA-256.",
            ),
            models.CheckConstraint(
                condition=Q(superseded_by__isnull=True) | ~Q(superseded_reason=""),
                name="notice_superseded_has_reason",
                violation_error_message="Superseding a notice needs a reason.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}: {self.subject}"

    @property
    def is_ready(self) -> bool:
        return self.status == NoticeStatus.READY

    @property
    def is_waiting(self) -> bool:
        return self.status == NoticeStatus.WAITING

    @property
    def is_in_progress(self) -> bool:
        return self.status in (NoticeStatus.PENDING, NoticeStatus.RENDERING)

    @property
    def is_superseded(self) -> bool:
        return self.superseded_by_id is not None

    @property
    def reference(self) -> str:
        """Short id printed on the PDF and shown on screen."""
        return f"N-{self.pk}"
