"""Celery tasks (eager here), the beat schedule, and ``manage.py sweep``."""

import datetime
from io import StringIO

import pytest
from celery.schedules import crontab
from django.core.management import CommandError, call_command

from deals import models as m
from deals.services.calendar import business_date_set
from deals.tasks import sweep_catch_up_task, sweep_task
from nhtc.celery import app

from .conftest import build_scenario

pytestmark = pytest.mark.django_db
TUE = datetime.date(2000, 5, 30)


@pytest.fixture
def scenario(staff_user, terms_version):
    build_scenario(user=staff_user, terms_version=terms_version)
    business_date_set(day=TUE)


def test_beat_runs_after_the_new_york_close_and_catches_up():
    schedule = app.conf.beat_schedule
    daily = schedule["deadline-sweep-after-close"]
    assert daily["task"] == "deals.sweep_task"
    assert daily["schedule"] == crontab(hour=18, minute=30, day_of_week="mon-fri")
    assert schedule["deadline-sweep-catch-up"]["task"] == "deals.sweep_catch_up_task"
    assert app.conf.timezone == "America/New_York"
    assert {"deals.sweep_task", "deals.sweep_catch_up_task"} <= set(app.tasks.keys())
    assert sweep_task.acks_late and sweep_catch_up_task.acks_late


def test_sweep_task_runs_for_the_business_date(scenario):
    result = sweep_task.delay().get()
    assert result["status"] == "succeeded" and result["as_of"] == "2000-05-30"
    assert m.SweepRun.objects.get().triggered_by == "beat"


def test_sweep_task_reports_a_running_sweep_instead_of_failing(scenario):
    m.SweepRun.objects.create(as_of=TUE, status="running")
    assert sweep_task.delay(as_of="2000-05-30").get()["status"] == "skipped"
    assert sweep_catch_up_task.delay().get()["status"] == "skipped"


def test_catch_up_task(scenario):
    sweep_task.delay(as_of="2000-05-25").get()
    result = sweep_catch_up_task.delay(until="2000-05-30").get()
    assert result["as_of"] == ["2000-05-26", "2000-05-30"]


def test_command_as_of(scenario):
    out = StringIO()
    call_command("sweep", "--as-of", "2000-05-26", stdout=out)
    assert "Sweep as of 2000-05-26: succeeded;" in out.getvalue()
    assert m.SweepRun.objects.get().triggered_by == "command"


def test_command_catch_up_and_up_to_date(scenario):
    call_command("sweep", "--as-of", "2000-05-25", stdout=StringIO())
    out = StringIO()
    call_command("sweep", "--catch-up", stdout=out)
    assert "2000-05-26" in out.getvalue() and "2000-05-30" in out.getvalue()
    out = StringIO()
    call_command("sweep", "--catch-up", stdout=out)
    assert "Up to date" in out.getvalue()


def test_command_rejects_bad_input(db):
    with pytest.raises(CommandError, match="not a date"):
        call_command("sweep", "--as-of", "2000-13-01")
    with pytest.raises(CommandError, match="either --as-of or --catch-up"):
        call_command("sweep", "--as-of", "2000-05-01", "--catch-up")


def test_command_when_locked(scenario):
    m.SweepRun.objects.create(as_of=TUE, status="running")
    with pytest.raises(CommandError, match="already running"):
        call_command("sweep")
