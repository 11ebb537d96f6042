"""The browser's two roles (deals/services/roles.py), applied to the API unchanged:
anonymous -> 401, a user without a role -> 403, clerk endpoints for clerks and deal admins,
admin endpoints for deal admins only."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from deals.services.roles import is_clerk, is_deal_admin


class IsClerk(BasePermission):
    """Clerks and deal admins (the pages' ``clerk_required``)."""

    message = "Clerk or deal admin role required."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and is_clerk(request.user))


class IsDealAdmin(BasePermission):
    """Deal admins only (the pages' ``deal_admin_required``)."""

    message = "Deal admin role required."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and is_deal_admin(request.user))
