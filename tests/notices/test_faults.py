"""Faults around the notice render (issue 15 items 6, 7): the task queue down when a
notice is requested, a worker dying mid-render, and a render raising anything at all.
Nothing stays stuck without a person; nothing is silent."""

import datetime
import time

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from notices import rendering, services
from notices.models import Notice, NoticeStatus

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused at once


@pytest.fixture
def queue_down():
    """Celery as in production (not eager) with a broker nobody answers on."""
    from nhtc.celery import app

    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = CLOSED_PORT_BROKER
    yield app
    app.conf.task_always_eager, app.conf.broker_url = saved


@pytest.fixture
def fake_pdf(monkeypatch):
    """A tiny PDF instead of WeasyPrint where the render itself is not the point (speed)."""
    monkeypatch.setattr(services, "render_pdf", lambda notice: (b"%PDF-1.7 fake " + str(notice.pk).encode(), "test.v1"))


def _request(record, user, capture):
    with capture(execute=True):
        notice = services.notice_request(record=record, kind="conversion", user=user)
    notice.refresh_from_db()
    return notice


# --- item 6: the queue is down when the notice is requested --------------------------------


def test_queue_down_marks_the_notice_waiting_with_the_reason_and_fast(conversion, clerk, queue_down, django_capture_on_commit_callbacks):
    started = time.monotonic()
    notice = _request(conversion, clerk, django_capture_on_commit_callbacks)
    assert time.monotonic() - started < 2.5  # no publish retries: the clerk's request is not held up
    assert notice.status == NoticeStatus.WAITING
    assert "task queue could not be reached" in notice.error and "127.0.0.1:1" in notice.error
    assert services.can_retry(notice)
    # the conversion itself is recorded and untouched
    conversion.refresh_from_db()
    assert conversion.pk and notice.object_id == conversion.pk
    # history says who/when for the status change
    assert list(notice.history.order_by("history_date").values_list("status", flat=True)) == ["pending", "waiting"]


def test_a_kept_broker_connection_that_died_is_replaced_once(conversion, clerk, django_capture_on_commit_callbacks):
    """The publishing connection is kept per thread (a new one per conversion cost ~8 ms); when the
    kept one is dead (the broker restarted), the publish is tried once on a new connection and the
    notice is queued, not left waiting."""
    from nhtc.celery import app

    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager, app.conf.broker_url = False, "memory://"
    try:
        dead = app.connection_for_write(CLOSED_PORT_BROKER, transport_options={"max_retries": 0})
        services._broker.held = ("memory://", dead)  # kept for this broker URL, but nothing answers on it
        notice = _request(conversion, clerk, django_capture_on_commit_callbacks)
        assert notice.status == NoticeStatus.PENDING and notice.error == ""  # queued on the new connection
        url, kept = services._broker.held
        assert url == "memory://" and kept is not dead  # the new connection is kept for the next publish
        assert services._enqueue(notice.pk, None) is True and services._broker.held[1] is kept
    finally:
        services._drop_broker_connection()
        app.conf.task_always_eager, app.conf.broker_url = saved


def test_retry_of_a_waiting_notice_queues_it_again(conversion, clerk, queue_down, django_capture_on_commit_callbacks, fake_pdf):
    notice = _request(conversion, clerk, django_capture_on_commit_callbacks)
    assert notice.status == NoticeStatus.WAITING
    # still down: waiting again, with the reason
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_retry(notice=notice, user=clerk)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.WAITING
    # back up (eager stands in for a worker): rendered
    queue_down.conf.task_always_eager = True
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_retry(notice=notice, user=clerk)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.READY and notice.error == "" and notice.sha256


def test_a_waiting_notice_can_be_superseded(conversion, clerk, deal_admin, queue_down, django_capture_on_commit_callbacks):
    notice = _request(conversion, clerk, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        new = services.notice_supersede(notice=notice, user=deal_admin, reason="Wrong address")
    assert new.version == 2


def test_requeue_stuck_takes_waiting_lost_and_stale_renders_but_not_fresh_or_ready(
    conversion, clerk, django_capture_on_commit_callbacks, fake_pdf
):
    # five versions of one record's notice stand in for five records (the requeue looks at status only)
    now = timezone.now()
    waiting = Notice.objects.create(
        kind="conversion", content_type_id=_ct(), object_id=conversion.pk, version=1, status="waiting", error="x"
    )
    lost = Notice.objects.create(kind="conversion", content_type_id=_ct(), object_id=conversion.pk, version=2, status="pending")
    Notice.objects.filter(pk=lost.pk).update(updated_at=now - services.STALE_PENDING - datetime.timedelta(seconds=5))
    dead = Notice.objects.create(
        kind="conversion", content_type_id=_ct(), object_id=conversion.pk, version=3, status="rendering",
        render_started_at=now - services.STALE_RENDER - datetime.timedelta(seconds=5),
    )  # fmt: skip
    fresh = Notice.objects.create(
        kind="conversion", content_type_id=_ct(), object_id=conversion.pk, version=4, status="rendering", render_started_at=now
    )
    queued_now = Notice.objects.create(kind="conversion", content_type_id=_ct(), object_id=conversion.pk, version=5, status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        result = services.notices_requeue_stuck(now=now)
    assert (result.waiting, result.lost, result.stale_renders) == (1, 1, 1)
    for n in (waiting, lost, dead):
        n.refresh_from_db()
        assert n.status == NoticeStatus.READY, n
    fresh.refresh_from_db()
    queued_now.refresh_from_db()
    assert fresh.status == NoticeStatus.RENDERING and queued_now.status == NoticeStatus.PENDING
    # a second run finds nothing
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notices_requeue_stuck(now=now).total == 0


def test_requeue_with_the_queue_still_down_leaves_them_waiting(conversion, clerk, queue_down, django_capture_on_commit_callbacks):
    notice = _request(conversion, clerk, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notices_requeue_stuck().waiting == 1
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.WAITING and "could not be reached" in notice.error


def test_sweep_catch_up_command_requeues_waiting_notices(
    conversion, clerk, queue_down, django_capture_on_commit_callbacks, fake_pdf, monkeypatch
):
    import io

    from deals.management.commands import sweep as sweep_command

    monkeypatch.setattr(sweep_command, "sweep_catch_up", lambda **kwargs: [])  # the sweep itself is tested elsewhere
    notice = _request(conversion, clerk, django_capture_on_commit_callbacks)
    queue_down.conf.task_always_eager = True
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("sweep", "--catch-up", stdout=out)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.READY
    assert "Notices queued again: 1 waiting for a worker" in out.getvalue()


def test_beat_runs_the_requeue_every_few_minutes():
    from nhtc.celery import app

    entry = app.conf.beat_schedule["notices-requeue-stuck"]
    assert entry["task"] == "notices.requeue_stuck_notices_task" and entry["schedule"] <= 600
    assert "notices.requeue_stuck_notices_task" in app.tasks


def test_detail_page_shows_waiting_with_the_reason_and_a_retry(client, clerk, conversion, queue_down, django_capture_on_commit_callbacks):
    notice = _request(conversion, clerk, django_capture_on_commit_callbacks)
    client.force_login(clerk)
    page = client.get(reverse("notices:detail", args=[notice.pk])).content.decode()
    assert 'data-testid="waiting"' in page and "Connection refused" in page
    assert reverse("notices:retry", args=[notice.pk]) in page
    listing = client.get(reverse("notices:list")).content.decode()
    assert "Waiting for a worker" in listing


# --- item 7: a render raising anything; a worker dying mid-render ----------------------------


def _raise(exc):
    def boom(*args, **kwargs):
        raise exc

    return boom


def test_weasyprint_fatal_url_error_derived_from_base_exception_ends_failed(conversion, clerk, request_notice, monkeypatch):
    from weasyprint.urls import FatalURLFetchingError

    assert not issubclass(FatalURLFetchingError, Exception)
    monkeypatch.setattr(rendering, "html_to_pdf", _raise(FatalURLFetchingError("http://evil.example/x.png not allowed")))
    notice = request_notice(conversion, "conversion", clerk)
    assert notice.status == NoticeStatus.FAILED
    assert notice.error.startswith("FatalURLFetchingError: http://evil.example/x.png")


def test_a_process_exit_during_the_render_is_recorded_then_reraised(conversion, clerk, monkeypatch, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        notice = services.notice_request(record=conversion, kind="conversion", user=clerk)
    monkeypatch.setattr(rendering, "html_to_pdf", _raise(SystemExit(1)))
    with pytest.raises(SystemExit):
        services.notice_render(notice_id=notice.pk, user=clerk)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.FAILED and notice.error.startswith("SystemExit")


def test_storage_failure_after_the_render_ends_failed_not_rendering(
    conversion, clerk, monkeypatch, django_capture_on_commit_callbacks, fake_pdf
):
    from django.db.models.fields.files import FieldFile

    with django_capture_on_commit_callbacks(execute=False):
        notice = services.notice_request(record=conversion, kind="conversion", user=clerk)
    monkeypatch.setattr(FieldFile, "save", _raise(OSError(28, "No space left on device")))
    services.notice_render(notice_id=notice.pk, user=clerk)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.FAILED and "No space left" in notice.error


def test_a_redelivered_task_takes_over_its_own_dead_render_only(conversion, clerk, django_capture_on_commit_callbacks, fake_pdf):
    with django_capture_on_commit_callbacks(execute=False):
        notice = services.notice_request(record=conversion, kind="conversion", user=clerk)
    assert services._claim(notice.pk, "task-1")  # first delivery claims it, then its worker dies
    # another task for the same notice does not take a fresh render away
    assert services.notice_render(notice_id=notice.pk, task_id="task-2").status == NoticeStatus.RENDERING
    # the broker hands task-1 out again (acks_late): it renders
    done = services.notice_render(notice_id=notice.pk, task_id="task-1")
    assert done.status == NoticeStatus.READY and done.attempts == 2


def test_render_task_acknowledges_late_and_rejects_on_worker_lost():
    from notices.tasks import render_notice_task

    assert render_notice_task.acks_late is True and render_notice_task.reject_on_worker_lost is True


def _ct():
    from django.contrib.contenttypes.models import ContentType

    from deals.models import Conversion

    return ContentType.objects.get_for_model(Conversion).pk


# --- item 19: record pages update the notice status by themselves ------------------------------


def test_status_endpoint_reports_only_notices_the_user_may_see(client, clerk, conversion, request_notice, no_role_user):
    notice = request_notice(conversion, "conversion", clerk)
    client.force_login(clerk)
    r = client.get(reverse("notices:status"), {"ids": f"{notice.pk},999999"})
    body = r.json()["notices"]
    assert list(body) == [str(notice.pk)]
    assert body[str(notice.pk)]["status"] == "ready" and body[str(notice.pk)]["download_url"].endswith("/download/")
    assert client.get(reverse("notices:status"), {"ids": "1,x"}).status_code == 400
    client.force_login(no_role_user)
    assert client.get(reverse("notices:status"), {"ids": str(notice.pk)}).status_code == 403


def test_conversion_page_carries_what_the_poller_needs(client, clerk, conversion, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        notice = services.notice_request(record=conversion, kind="conversion", user=clerk)
    client.force_login(clerk)
    page = client.get(reverse("conversion_detail", args=[conversion.pk])).content.decode()
    assert f'data-notice-id="{notice.pk}" data-status="pending"' in page
    assert f'data-status-url="{reverse("notices:status")}"' in page and "notices/record_notices.js" in page
