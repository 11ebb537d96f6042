"""A real Celery worker killed in the middle of a render (issue 15 item 7): the notice
recovers without a person -- the killed pool process's task is delivered again
(``acks_late`` + ``reject_on_worker_lost``) and takes its render over; a worker killed
outright leaves a stale "rendering" that ``notices_requeue_stuck`` queues again for the
next worker. Runs against Redis (TEST_REDIS_URL) and the PostgreSQL test database,
which the worker process shares (SQLite's test database lives in this process's memory)."""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from notices import services
from notices.models import Notice, NoticeStatus

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
pytestmark = [pytest.mark.celery_worker, pytest.mark.slow, pytest.mark.postgres]


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture
def pg(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("the worker needs the test database shared: run with DATABASE_URL=postgres://...")
    if not _redis_up():
        pytest.skip(f"Redis is not reachable at {REDIS} (set TEST_REDIS_URL)")
    import redis

    redis.Redis.from_url(REDIS).flushdb()  # our own db number: no message of an earlier run is left
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _start_worker(db_url, tmp_path, *, hang: bool, name: str):
    marker = tmp_path / f"hang-{name}"
    if hang:
        marker.write_text("1")
    env = {
        **os.environ,
        "REDIS_URL": REDIS,
        "DATABASE_URL": db_url,
        "DJANGO_SETTINGS_MODULE": "nhtc.settings",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "NHTC_TEST_HANG_MARKER": str(marker),
        "CONN_MAX_AGE": "0",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tests.notices.hang_worker", "worker", "--pool=prefork", "-c", "1",
         "-l", "warning", "--without-gossip", "--without-mingle", "-n", f"{name}@%h"],
        cwd=Path(settings.BASE_DIR), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    return proc, marker


def _stop(proc) -> str:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        return proc.communicate(timeout=30)[0].decode(errors="replace")
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        return proc.communicate()[0].decode(errors="replace")


def _wait(predicate, timeout: float, what: str, proc=None):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"worker exited while waiting for {what}: {proc.communicate()[0].decode(errors='replace')[-3000:]}")
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def _status(pk) -> str:
    return Notice.objects.values_list("status", flat=True).get(pk=pk)


def _request(conversion, clerk, capture):
    with capture(execute=True):
        notice = services.notice_request(record=conversion, kind="conversion", user=clerk)
    return notice


def test_pool_process_killed_mid_render_is_taken_over_by_the_redelivered_task(
    pg, tmp_path, conversion, clerk, send_to_redis, django_capture_on_commit_callbacks
):
    worker, marker = _start_worker(pg, tmp_path, hang=True, name="killpool")
    try:
        notice = _request(conversion, clerk, django_capture_on_commit_callbacks)
        started = Path(str(marker) + ".started")
        _wait(started.exists, 90, "the render to start", worker)
        assert _status(notice.pk) == NoticeStatus.RENDERING
        os.kill(int(started.read_text()), signal.SIGKILL)  # the pool process doing the render dies
        _wait(lambda: _status(notice.pk) == NoticeStatus.READY, 120, "the redelivered task to render", worker)
    finally:
        output = _stop(worker)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.READY and notice.sha256, output[-3000:]
    assert notice.attempts == 2  # the killed attempt and the one that took over
    assert "WorkerLostError" in output or "SIGKILL" in output or "signal 9" in output


def test_whole_worker_killed_mid_render_recovers_through_the_stale_requeue(
    pg, tmp_path, conversion, clerk, send_to_redis, django_capture_on_commit_callbacks
):
    first, marker = _start_worker(pg, tmp_path, hang=True, name="killall")
    try:
        notice = _request(conversion, clerk, django_capture_on_commit_callbacks)
        started = Path(str(marker) + ".started")
        _wait(started.exists, 90, "the render to start", first)
        os.killpg(first.pid, signal.SIGKILL)  # the whole worker, main process and pool, dies
        first.wait(timeout=30)
    finally:
        _stop(first)
    assert _status(notice.pk) == NoticeStatus.RENDERING  # stuck, as the issue found it
    second, _ = _start_worker(pg, tmp_path, hang=False, name="after")
    try:
        later = timezone.now() + services.STALE_RENDER + datetime.timedelta(seconds=1)
        with django_capture_on_commit_callbacks(execute=True):
            assert services.notices_requeue_stuck(now=later).stale_renders == 1
        _wait(lambda: _status(notice.pk) == NoticeStatus.READY, 120, "the next worker to render", second)
    finally:
        output = _stop(second)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.READY and notice.sha256, output[-3000:]
