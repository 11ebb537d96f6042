"""Issue 15 item 8: the sweep lock dies with its holder; "Run sweep now" with the queue down
answers at once and offers to run in-process."""

import datetime
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from deals import models as m
from deals.services import sweeps
from deals.services.sweeps import SweepAlreadyRunning, sweep_claim, sweep_run

AS_OF = datetime.date(2000, 5, 30)
ROOT = Path(__file__).resolve().parents[2]


def _finished_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_run_whose_process_is_gone_frees_the_way_at_once(db):
    m.SweepRun.objects.create(as_of=AS_OF, status="running", triggered_by="command", heartbeat_at=None,
                              stats={"holder": {"host": os.uname().nodename, "pid": _finished_pid(), "lock": True}})
    run = sweep_run(as_of=AS_OF, triggered_by="next")
    assert run.status == "succeeded"
    dead = m.SweepRun.objects.get(triggered_by="command")
    assert dead.status == "failed" and "stopped" in dead.errors[0]["error"]
    # the lock change is audited
    assert dead.history.first().status == "failed"


@pytest.mark.skipif(connection.vendor == "postgresql", reason="on PostgreSQL the advisory lock decides (the SIGKILL test below)")
def test_a_live_holder_keeps_the_lock(db):
    m.SweepRun.objects.create(as_of=AS_OF, status="running", triggered_by="beat",
                              stats={"holder": {"host": os.uname().nodename, "pid": os.getpid(), "lock": True}})
    with pytest.raises(SweepAlreadyRunning, match="already running"):
        sweep_run(as_of=AS_OF)
    assert m.SweepRun.objects.filter(status="running").count() == 1


def test_a_claim_released_by_abandon_does_not_block_the_next_sweep(db):
    run = sweep_claim(as_of=AS_OF, triggered_by="page")
    sweeps.sweep_abandon(run=run, reason="queue down")
    assert sweep_run(as_of=AS_OF).status == "succeeded"


@pytest.fixture
def queue_down(settings):
    """A broker nobody listens on (port 9 is discard; connection refused at once)."""
    from nhtc.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    old = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = "redis://127.0.0.1:9/0", False
    yield
    app.conf.broker_url, app.conf.task_always_eager = old


def test_run_now_with_the_queue_down_answers_at_once_and_offers_in_process(deal_admin_client, queue_down):
    assert deal_admin_client.get(reverse("deadlines")).status_code == 200  # warm up (imports), not what is timed
    started = time.monotonic()
    r = deal_admin_client.post(reverse("sweep_start"), HTTP_ACCEPT="application/json")
    assert time.monotonic() - started < 5  # not the 19 s of connection retries
    assert r.status_code == 503
    body = r.json()
    assert body["queue_down"] is True and "could not be reached" in body["error"] and "run the sweep here" in body["error"]
    # nothing left "running" to block the next sweep
    assert not m.SweepRun.objects.filter(status="running").exists()
    assert m.SweepRun.objects.get().status == "failed"
    # the offered in-process run works while the queue is still down
    r = deal_admin_client.post(reverse("sweep_start"), {"inline": "1"}, HTTP_ACCEPT="application/json")
    assert r.status_code == 202
    run = m.SweepRun.objects.get(pk=r.json()["run_id"])
    assert run.status == "succeeded" and "in-process" in run.triggered_by


def test_run_now_with_the_queue_down_without_javascript_shows_the_in_process_button(deal_admin_client, queue_down):
    r = deal_admin_client.post(reverse("sweep_start"), follow=True)
    assert r.status_code == 200
    page = r.content.decode()
    assert "could not be reached" in page
    assert 'data-testid="run-sweep-inline"' in page and 'class="d-inline" data-sweep-inline' in page


def test_a_clerk_cannot_run_the_sweep_in_process(clerk_client):
    r = clerk_client.post(reverse("sweep_start"), {"inline": "1"})
    assert r.status_code == 403
    assert not m.SweepRun.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL advisory locks and a database another process sees")
def test_a_sigkilled_sweep_process_frees_the_way_at_once():
    """A real process claims the sweep (holding the advisory lock) and is SIGKILLed
    mid-run: the next sweep starts at once, not after an hour."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    script = textwrap.dedent("""
        import django, os, sys, time
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhtc.settings")
        django.setup()
        import datetime
        from deals.services.sweeps import run as r
        run = r.sweep_claim(as_of=datetime.date(2000, 5, 30), triggered_by="command", hold=True)
        print(run.pk, flush=True)
        time.sleep(600)  # "mid-run"
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "DATABASE_URL": url})
    try:
        line = proc.stdout.readline()
        if not line.strip():  # the child died before claiming: show why instead of int('')
            proc.wait(timeout=30)
            pytest.fail(f"the sweep child printed no run id (exit {proc.returncode}): {proc.stderr.read()[-2000:]}")
        run_id = int(line)
        with pytest.raises(SweepAlreadyRunning):  # alive: it holds the lock
            sweep_run(as_of=AS_OF)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    started = time.monotonic()
    for _ in range(50):  # the server drops the killed session's lock within moments
        try:
            run = sweep_run(as_of=AS_OF, triggered_by="after kill")
            break
        except SweepAlreadyRunning:
            time.sleep(0.1)
    else:
        pytest.fail("the killed sweep still blocks")
    assert time.monotonic() - started < 10
    assert run.status == "succeeded"
    assert m.SweepRun.objects.get(pk=run_id).status == "failed"
