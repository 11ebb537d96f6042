from django.conf import settings
from django.utils.functional import SimpleLazyObject

import nhtc


def app_context(request):
    """Header and footer data: app version, business date, roles, worker health
    (read only when a page shows it; cached a few seconds, never blocks: ``nhtc.worker_health``)."""
    from deals.services.calendar import business_date
    from deals.services.roles import is_deal_admin
    from nhtc.worker_health import worker_health

    user = getattr(request, "user", None)
    authenticated = bool(user and user.is_authenticated)
    admin = authenticated and is_deal_admin(user)
    return {
        "app_version": nhtc.__version__,
        "business_date": business_date() if authenticated else None,
        "is_deal_admin": admin,
        # issue 12: the nav badge -- one COUNT, run only when the page renders it (deal admins)
        "pending_approvals": _pending_count if admin else None,  # a callable: the template calls it once
        "celery_mode": "worker" if settings.REDIS_URL else "in-process",
        "worker_health": SimpleLazyObject(worker_health) if authenticated else None,
    }


def _pending_count():
    from deals.selectors.approvals import pending_count

    return pending_count()
