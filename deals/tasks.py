"""Celery tasks of the deals app: take ids and dates, call a service, nothing else.

``acks_late=True`` on the sweep tasks: a worker killed mid-sweep leaves the
message unacknowledged and another worker re-runs it -- safe only because
every sweep rule is idempotent (``deals.services.sweeps``).
"""

from __future__ import annotations

import datetime
import logging

from celery import shared_task

log = logging.getLogger(__name__)


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


@shared_task(name="deals.sweep_task", acks_late=True)
def sweep_task(as_of: str | None = None, run_id: int | None = None, triggered_by: str = "beat") -> dict:
    """Run the deadline sweep: an already claimed run (``run_id``, from the dashboard's
    button) or a new one as of ``as_of`` (ISO date; default the business date).
    Returns the run's id and status; a sweep already running is reported, not raised."""
    from deals.services.sweeps import SweepAlreadyRunning, sweep_execute, sweep_run

    try:
        run = sweep_execute(run_id=run_id) if run_id else sweep_run(as_of=_date(as_of), triggered_by=triggered_by)
    except SweepAlreadyRunning as err:
        log.info("%s", err)
        return {"run_id": err.running.pk if err.running else None, "status": "skipped", "reason": str(err)}
    return {"run_id": run.pk, "status": run.status, "as_of": run.as_of.isoformat()}


@shared_task(name="deals.sweep_catch_up_task", acks_late=True)
def sweep_catch_up_task(until: str | None = None, triggered_by: str = "beat catch-up") -> dict:
    """Sweep every business day missed since the last successful run, in order."""
    from deals.services.sweeps import SweepAlreadyRunning, sweep_catch_up
    from notices.services import notices_requeue_stuck

    requeued = notices_requeue_stuck().total  # catching up also re-queues notices no worker has
    try:
        runs = sweep_catch_up(until=_date(until), triggered_by=triggered_by)
    except SweepAlreadyRunning as err:
        log.info("%s", err)
        return {"runs": [], "status": "skipped", "reason": str(err), "notices_requeued": requeued}
    return {"runs": [r.pk for r in runs], "as_of": [r.as_of.isoformat() for r in runs], "status": "done", "notices_requeued": requeued}
