"""Who may do what with notices, without notices importing the app that owns the roles.

notices is a lower layer than deals: deals requests notices; notices never imports deals
(issue 15 item 21). The role checks themselves live in one place -- ``deals.services.roles``
-- which registers itself here when deals is ready (``register_roles``); notices asks
through ``is_clerk`` / ``is_deal_admin`` and guards its views with the two decorators.
"""

from __future__ import annotations

from functools import wraps
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured, PermissionDenied


class RolePolicy(Protocol):
    def is_clerk(self, user) -> bool: ...

    def is_deal_admin(self, user) -> bool: ...


_policy: RolePolicy | None = None


def register_roles(policy: RolePolicy) -> None:
    """Called once by the app that owns the roles (``deals.apps.DealsConfig.ready``)."""
    global _policy
    _policy = policy


def _current() -> RolePolicy:
    if _policy is None:
        raise ImproperlyConfigured("No role policy registered for notices (deals.apps registers deals.services.roles).")
    return _policy


def is_clerk(user) -> bool:
    return _current().is_clerk(user)


def is_deal_admin(user) -> bool:
    return _current().is_deal_admin(user)


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
