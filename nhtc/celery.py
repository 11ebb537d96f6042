"""Celery application. Configuration comes from Django settings (CELERY_*);
the beat schedule is defined here, in code."""

import os

from celery import Celery, signals
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhtc.settings")

app = Celery("nhtc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# --- beat schedule (deadline sweeps, deals.services.sweeps) -------------------
# Times are New York (CELERY_TIMEZONE = America/New_York). The daily sweep runs
# after the close for the business date (re-sweeping it if the morning catch-up
# already did: what changed during the day is picked up, nothing else is
# rewritten); the morning catch-up sweeps every business day missed while
# nothing was running, in order (no-op when up to date). Two
# beats or an overlap cannot double-run: sweep_claim allows one running
# SweepRun (a partial unique constraint), and a repeat for the same date
# changes nothing.
app.conf.beat_schedule = {
    "deadline-sweep-after-close": {
        "task": "deals.sweep_task",
        "schedule": crontab(hour=18, minute=30, day_of_week="mon-fri"),
        "kwargs": {"triggered_by": "beat 18:30 New York"},
    },
    "deadline-sweep-catch-up": {
        "task": "deals.sweep_catch_up_task",
        "schedule": crontab(hour=6, minute=0),
        "kwargs": {"triggered_by": "beat catch-up 06:00 New York"},
    },
}

# --- notices that no worker has (issue 15 item 6, 7) ---------------------------
# Waiting (queue was down), lost from the queue, or rendering on a dead worker:
# queued again every few minutes (notices.services.notices_requeue_stuck).
app.conf.beat_schedule["notices-requeue-stuck"] = {
    "task": "notices.requeue_stuck_notices_task",
    "schedule": float(os.environ.get("NOTICE_REQUEUE_EVERY_SECONDS", "300")),
}


# --- worker heartbeat (nhtc.worker_health) -------------------------------------
_heartbeat_stop = None


@signals.worker_ready.connect
def _start_heartbeat(sender=None, **kwargs):
    global _heartbeat_stop
    import threading

    from django.conf import settings

    from nhtc.worker_health import start_heartbeat

    if not settings.REDIS_URL:
        return
    _heartbeat_stop = threading.Event()
    start_heartbeat(sender.hostname, _heartbeat_stop)


@signals.worker_shutdown.connect
def _stop_heartbeat(sender=None, **kwargs):
    from django.conf import settings

    from nhtc.worker_health import forget

    if _heartbeat_stop is not None:
        _heartbeat_stop.set()
    if settings.REDIS_URL and sender is not None:
        forget(sender.hostname)
