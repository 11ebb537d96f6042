"""Celery tasks of the notices app: take ids, call a service, nothing else."""

from celery import shared_task
from django.contrib.auth import get_user_model


@shared_task(name="notices.render_notice_task", ignore_result=True)
def render_notice_task(notice_id: int, user_id: int | None = None) -> str:
    """Render one notice (``notices.services.notice_render``); returns its status.
    Render errors are recorded on the notice, so the task itself does not fail on them."""
    from .services import notice_render

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return notice_render(notice_id=notice_id, user=user).status
