"""A real Celery worker (subprocess, not eager) takes the sweep from Redis and
writes SweepRun rows to the test database."""

import os
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from deals import models as m

from .conftest import build_scenario

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
pytestmark = [pytest.mark.celery_worker, pytest.mark.slow]


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture
def worker_db(transactional_db, tmp_path):
    """DATABASE_URL for the worker: the test database itself (PostgreSQL), or a file copy of
    the in-memory SQLite test database that the test then reads back."""
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        yield f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}", None
    else:
        yield f"sqlite:///{tmp_path / 'worker.sqlite3'}", tmp_path / "worker.sqlite3"


@pytest.mark.skipif(not _redis_up(), reason=f"Redis is not reachable at {REDIS} (set TEST_REDIS_URL)")
def test_worker_runs_the_sweep_through_the_broker(worker_db, django_user_model, terms_version):
    from celery import Celery

    url, sqlite_file = worker_db
    user = django_user_model.objects.create_user(username="w", password="x")
    build_scenario(user=user, terms_version=terms_version)
    connection.ensure_connection()
    if sqlite_file is not None:
        dest = sqlite3.connect(sqlite_file)
        connection.connection.backup(dest)
        dest.close()
    queue = f"sweep-test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "REDIS_URL": REDIS, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "nhtc.settings"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "nhtc", "worker", "--pool=solo", "-Q", queue, "-l", "warning",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"{queue}@%h"],
        cwd=Path(settings.BASE_DIR), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    client = Celery(broker=REDIS, backend=REDIS)
    try:
        started = time.monotonic()
        result = client.send_task("deals.sweep_task", kwargs={"as_of": "2000-05-30", "triggered_by": "worker test"}, queue=queue)
        outcome = result.get(timeout=120)
        elapsed = time.monotonic() - started
    finally:
        worker.terminate()
        try:
            output = worker.communicate(timeout=20)[0].decode(errors="replace")
        except subprocess.TimeoutExpired:
            worker.kill()
            output = worker.communicate()[0].decode(errors="replace")
        client.close()
    assert outcome["status"] == "succeeded", (outcome, output[-3000:])
    assert outcome["as_of"] == "2000-05-30"
    if sqlite_file is None:
        run = m.SweepRun.objects.get(pk=outcome["run_id"])
        assert (run.status, run.triggered_by) == ("succeeded", "worker test")
        assert m.Obligation.objects.filter(kind="late_payment").exists()
    else:
        db = sqlite3.connect(sqlite_file)
        rows = db.execute("SELECT status, triggered_by FROM deals_sweeprun WHERE id = ?", (outcome["run_id"],)).fetchall()
        assert rows == [("succeeded", "worker test")]
        assert db.execute("SELECT count(*) FROM deals_obligation WHERE kind = 'late_payment'").fetchone()[0] == 2
        db.close()
    assert elapsed < 120
