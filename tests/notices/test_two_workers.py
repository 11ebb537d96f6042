"""Two Celery worker processes consuming the same queue (issue 17, "Beyond one machine"): each
notice is rendered exactly once, even when its render task is delivered twice. Runs against Redis
(TEST_REDIS_URL) and the PostgreSQL test database, which the worker processes share, with the
filesystem media storage both write to (as an S3-compatible bucket would be shared across machines)."""

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from notices import services
from notices.models import Notice, NoticeStatus
from notices.tasks import render_notice_task

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
pytestmark = [pytest.mark.celery_worker, pytest.mark.slow, pytest.mark.postgres]
NOTICES = 8


def _redis():
    import redis

    return redis.Redis.from_url(REDIS, socket_connect_timeout=1)


@pytest.fixture
def pg(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("the workers need the test database shared: run with DATABASE_URL=postgres://...")
    try:
        _redis().ping()
    except Exception:
        pytest.skip(f"Redis is not reachable at {REDIS} (set TEST_REDIS_URL)")
    _redis().flushdb()  # our own db number: no message of an earlier run is left
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _start_worker(db_url: str, log: Path, name: str) -> subprocess.Popen:
    env = {**os.environ, "REDIS_URL": REDIS, "DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "nhtc.settings",
           "MEDIA_ROOT": str(settings.MEDIA_ROOT), "MEDIA_STORAGE": "filesystem", "CONN_MAX_AGE": "0"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "nhtc", "worker", "--pool=prefork", "-c", "1", "-l", "info",
         "--without-gossip", "--without-mingle", "-n", f"{name}@%h"],
        cwd=Path(settings.BASE_DIR), env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _wait(predicate, timeout: float, what: str, procs=(), logs=()):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        for p in procs:
            if p.poll() is not None:
                raise AssertionError(f"a worker exited while waiting for {what}")
        time.sleep(0.3)
    tails = "\n".join(f"--- {log.name}:\n{log.read_text()[-3000:]}" for log in logs)  # why, not just that
    raise AssertionError(f"timed out waiting for {what}\n{tails}")


def test_two_workers_on_one_queue_render_each_notice_exactly_once(
    pg, tmp_path, make_conversion, clerk, send_to_redis, django_capture_on_commit_callbacks
):
    logs = [tmp_path / "w1.log", tmp_path / "w2.log"]
    workers = [_start_worker(pg, log, f"two-{i}") for i, log in enumerate(logs, start=1)]
    try:
        _wait(lambda: all("ready." in log.read_text() for log in logs), 120, "both workers to be ready", workers)
        conversions = [make_conversion() for _ in range(NOTICES)]
        with django_capture_on_commit_callbacks(execute=True):
            notices = [services.notice_request(record=c, kind="conversion", user=clerk) for c in conversions]
        for n in notices:  # each render task delivered a second time (a re-queue racing the first delivery)
            render_notice_task.delay(n.pk, clerk.pk)
        ids = [n.pk for n in notices]
        _wait(lambda: Notice.objects.filter(pk__in=ids, status=NoticeStatus.READY).count() == NOTICES, 240,
              "every notice to be rendered", workers, logs)
        # both copies of every task consumed: the queue is empty and 2 x NOTICES tasks finished
        _wait(lambda: _redis().llen("celery") == 0
              and sum(log.read_text().count("succeeded in") for log in logs) == 2 * NOTICES, 240,
              "the duplicate deliveries to be consumed", workers, logs)
    finally:
        for w in workers:
            _stop(w)
    outputs = [log.read_text() for log in logs]
    assert all(o.count("succeeded in") >= 1 for o in outputs), "both workers took tasks from the one queue"
    stored = sorted(p for p in (Path(settings.MEDIA_ROOT) / "notices").rglob("*.pdf"))
    assert len(stored) == NOTICES, f"one PDF per notice, none written twice: {stored}"
    for n in Notice.objects.filter(pk__in=ids):
        assert n.status == NoticeStatus.READY
        assert n.attempts == 1, f"notice {n.pk} was claimed {n.attempts} times"
        assert hashlib.sha256(n.file.open("rb").read()).hexdigest() == n.sha256
        assert n.history.filter(status=NoticeStatus.READY).count() == 1
