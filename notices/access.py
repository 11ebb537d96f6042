"""Who may see and download which notices.

Access to a notice is access to the record it documents: the user has a role
(clerk or deal admin; ``deals.services.roles``) and the model permission to
view the record's model (``deals.view_conversion``, ``deals.view_warrantexercise``,
``deals.view_redemption``; granted to the groups by ``roles.ensure_groups``).
Deal admins and superusers see everything.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from .kinds import REGISTRY
from .models import Notice
from .roles import is_clerk, is_deal_admin


def _view_perm(content_type: ContentType) -> str:
    return f"{content_type.app_label}.view_{content_type.model}"


def can_access(user, notice: Notice) -> bool:
    """May ``user`` see and download ``notice``?"""
    if not is_clerk(user):
        return False
    if is_deal_admin(user):
        return True
    ct = ContentType.objects.get_for_id(notice.content_type_id)  # cached by Django
    return user.has_perm(_view_perm(ct))


def accessible_kinds(user) -> list[str]:
    """Kinds whose records ``user`` may view."""
    if not is_clerk(user):
        return []
    if is_deal_admin(user):
        return list(REGISTRY)
    out = []
    for kind, spec in REGISTRY.items():
        try:
            model = spec.model_class
        except LookupError:  # a kind registered before its model exists
            continue
        if user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}"):
            out.append(kind)
    return out


def accessible_notices(user):
    """The notices ``user`` may see (a queryset)."""
    return Notice.objects.filter(kind__in=accessible_kinds(user))
