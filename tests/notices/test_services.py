"""Notice workflows: request (the hook workflows call), render after commit, failure and
retry, supersede (corrections as new versions), verify (SHA-256 of the stored bytes)."""

import hashlib
import shutil

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from deals.models import Conversion
from notices import rendering, services
from notices.models import Notice, NoticeStatus
from notices.services import notice_request, notice_retry, notice_supersede, notice_verify

from .helpers import pdf_text, stored_bytes


def test_render_waits_for_the_workflow_transaction_to_commit(conversion, clerk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notice = notice_request(record=conversion, kind="conversion", user=clerk)
        notice.refresh_from_db()
        assert notice.status == NoticeStatus.PENDING and not notice.file
    assert len(callbacks) == 1
    callbacks[0]()
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.READY
    assert notice.requested_by == clerk and notice.rendered_by == clerk
    assert notice.investor == conversion.investor
    assert notice.rendered_at is not None and notice.attempts == 1
    assert notice.template_version.startswith("conversion.v1+")
    assert notice.engine.startswith("WeasyPrint")


def test_rolled_back_workflow_leaves_no_notice(conversion, clerk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                notice_request(record=conversion, kind="conversion", user=clerk)
                raise RuntimeError("workflow failed after requesting the notice")
    assert callbacks == [] and not Notice.objects.exists()


def test_sha256_matches_the_stored_bytes(conversion, clerk, request_notice):
    notice = request_notice(conversion, "conversion", clerk)
    data = stored_bytes(notice)
    assert notice.sha256 == hashlib.sha256(data).hexdigest()
    assert notice.size == len(data)
    assert data.startswith(b"%PDF-")
    assert notice.file.name.startswith("notices/") and notice.file.name.endswith(notice.file_name)


def test_request_is_idempotent_per_record_and_kind(conversion, clerk, request_notice):
    first = request_notice(conversion, "conversion", clerk)
    again = request_notice(conversion, "conversion", clerk)
    assert again.pk == first.pk and Notice.objects.count() == 1


def test_request_rejects_a_kind_for_another_model(conversion, clerk):
    with pytest.raises(ValueError, match="belongs to a deals.WarrantExercise"):
        notice_request(record=conversion, kind="exercise", user=clerk)
    with pytest.raises(ValueError, match="Unknown notice kind 'nope'"):
        notice_request(record=conversion, kind="nope", user=clerk)


def test_failing_render_keeps_the_conversion_and_marks_the_notice_failed(conversion, clerk, request_notice, monkeypatch):
    before = Conversion.objects.filter(pk=conversion.pk).values().get()

    def boom(html):
        raise OSError("disk full while writing the PDF")

    monkeypatch.setattr(rendering, "html_to_pdf", boom)
    notice = request_notice(conversion, "conversion", clerk)  # must not raise into the workflow
    assert notice.status == NoticeStatus.FAILED
    assert notice.error == "OSError: disk full while writing the PDF"
    assert notice.attempts == 1 and not notice.file and notice.sha256 == ""
    assert Conversion.objects.filter(pk=conversion.pk).values().get() == before


def test_retry_after_a_failure_renders(conversion, clerk, request_notice, monkeypatch, django_capture_on_commit_callbacks):
    real = rendering.html_to_pdf
    monkeypatch.setattr(rendering, "html_to_pdf", lambda html: (_ for _ in ()).throw(RuntimeError("fonts missing")))
    notice = request_notice(conversion, "conversion", clerk)
    assert notice.status == NoticeStatus.FAILED
    monkeypatch.setattr(rendering, "html_to_pdf", real)
    with django_capture_on_commit_callbacks(execute=True):
        notice_retry(notice=notice, user=clerk)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.READY and notice.error == "" and notice.attempts == 2
    assert "D-7" in pdf_text(stored_bytes(notice))


def test_a_ready_notice_is_never_rerendered(conversion, clerk, request_notice):
    notice = request_notice(conversion, "conversion", clerk)
    name, digest = notice.file.name, notice.sha256
    with pytest.raises(ValidationError, match="only a failed render"):
        notice_retry(notice=notice, user=clerk)
    services.notice_render(notice_id=notice.pk)  # e.g. a duplicate task delivery
    notice.refresh_from_db()
    assert (notice.file.name, notice.sha256, notice.attempts) == (name, digest, 1)


def test_a_stuck_render_can_be_retried(conversion, clerk, request_notice, django_capture_on_commit_callbacks):
    import datetime

    from django.utils import timezone

    notice = request_notice(conversion, "conversion", clerk)
    Notice.objects.filter(pk=notice.pk).update(
        status=NoticeStatus.RENDERING, render_started_at=timezone.now() - datetime.timedelta(minutes=11), sha256="", file=""
    )
    notice.refresh_from_db()
    assert services.can_retry(notice)
    with django_capture_on_commit_callbacks(execute=True):
        notice_retry(notice=notice, user=clerk)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.READY


def test_supersede_makes_a_new_version_and_keeps_the_old(conversion, clerk, deal_admin, request_notice, django_capture_on_commit_callbacks):
    old = request_notice(conversion, "conversion", clerk)
    old_bytes = stored_bytes(old)
    with django_capture_on_commit_callbacks(execute=True):
        new = notice_supersede(notice=old, user=deal_admin, reason="Holder's address corrected")
    old.refresh_from_db()
    new.refresh_from_db()
    assert (new.version, new.supersedes_id, new.status) == (2, old.pk, NoticeStatus.READY)
    assert new.file_name == "notice-of-conversion-D-7-2000-05-15-v2.pdf"
    assert old.superseded_by_id == new.pk and old.superseded_reason == "Holder's address corrected"
    assert old.superseded_by_user == deal_admin and old.superseded_at is not None
    # The old PDF is untouched and still verifies; the new one says what it corrects.
    assert stored_bytes(old) == old_bytes and notice_verify(notice=old).ok
    assert old.file.name != new.file.name
    text = pdf_text(stored_bytes(new))
    assert f"corrects and replaces notice {old.reference}" in text and "Holder's address corrected" in text
    # The record's current notice is the new one.
    assert notice_request(record=conversion, kind="conversion", user=clerk).pk == new.pk


@pytest.mark.parametrize("reason", ["", "   "])
def test_supersede_needs_a_reason(conversion, clerk, deal_admin, request_notice, reason):
    notice = request_notice(conversion, "conversion", clerk)
    with pytest.raises(ValidationError, match="reason"):
        notice_supersede(notice=notice, user=deal_admin, reason=reason)
    assert Notice.objects.count() == 1


def test_a_superseded_notice_cannot_be_superseded_again(conversion, clerk, deal_admin, request_notice):
    notice = request_notice(conversion, "conversion", clerk)
    notice_supersede(notice=notice, user=deal_admin, reason="typo")
    with pytest.raises(ValidationError, match="already superseded"):
        notice_supersede(notice=notice, user=deal_admin, reason="again")


def test_verify_reports_a_match(conversion, clerk, request_notice):
    result = notice_verify(notice=request_notice(conversion, "conversion", clerk))
    assert result.ok and result.actual == result.expected


def test_verify_reports_tampering(conversion, clerk, request_notice):
    notice = request_notice(conversion, "conversion", clerk)
    data = bytearray(stored_bytes(notice))
    data[-20] ^= 0x01  # one bit changed
    with open(notice.file.path, "wb") as fh:
        fh.write(bytes(data))
    result = notice_verify(notice=notice)
    assert not result.ok and result.actual != notice.sha256
    assert "Tampering" in result.message


def test_verify_reports_a_missing_file(conversion, clerk, request_notice):
    notice = request_notice(conversion, "conversion", clerk)
    shutil.move(notice.file.path, notice.file.path + ".gone")
    result = notice_verify(notice=notice)
    assert not result.ok and "missing" in result.message
