"""Celery tasks of the notices app: take ids, call a service, nothing else."""

from celery import shared_task
from django.contrib.auth import get_user_model


@shared_task(name="notices.render_notice_task", bind=True, ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def render_notice_task(self, notice_id: int, user_id: int | None = None) -> str:
    """Render one notice (``notices.services.notice_render``); returns its status.
    Render errors are recorded on the notice, so the task itself does not fail on them.

    ``acks_late`` + ``reject_on_worker_lost``: a worker killed mid-render leaves the message
    unacknowledged and it is delivered again; the redelivered run (same task id) takes the
    render over from the dead one."""
    from .services import notice_render

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return notice_render(notice_id=notice_id, user=user, task_id=self.request.id or "").status


@shared_task(name="notices.requeue_stuck_notices_task", ignore_result=True)
def requeue_stuck_notices_task() -> dict:
    """Queue again notices no worker has (``notices.services.notices_requeue_stuck``)."""
    from .services import notices_requeue_stuck

    r = notices_requeue_stuck()
    return {"waiting": r.waiting, "lost": r.lost, "stale_renders": r.stale_renders}
