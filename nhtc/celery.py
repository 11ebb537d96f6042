"""Celery application. Configuration comes from Django settings (CELERY_*);
the beat schedule is defined here, in code."""

import os

from celery import Celery
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
