"""Decorators for the two roles. Anonymous users never get here
(``LoginRequiredMiddleware`` redirects them to the login page)."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from deals.services.roles import is_clerk, is_deal_admin


def clerk_required(view):
    """Clerks and deal admins."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_clerk(request.user):
            raise PermissionDenied("Clerk or deal admin role required.")
        return view(request, *args, **kwargs)

    return wrapper


def deal_admin_required(view):
    """Deal admins only."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_deal_admin(request.user):
            raise PermissionDenied("Deal admin role required.")
        return view(request, *args, **kwargs)

    return wrapper
