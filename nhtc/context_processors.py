from django.conf import settings

import nhtc


def app_context(request):
    """Header and footer data: app version, business date, roles."""
    from deals.services.calendar import business_date
    from deals.services.roles import is_deal_admin

    user = getattr(request, "user", None)
    authenticated = bool(user and user.is_authenticated)
    return {
        "app_version": nhtc.__version__,
        "business_date": business_date() if authenticated else None,
        "is_deal_admin": authenticated and is_deal_admin(user),
        "celery_mode": "worker" if settings.REDIS_URL else "in-process",
    }
