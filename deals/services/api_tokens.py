"""Personal API tokens: created and revoked by their owner on the profile page.

The token is returned once, at creation; only its SHA-512 digest (django-rest-knox) is stored.
Revoking deletes the row; the history table keeps who created and revoked it, and when."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from deals.models import ApiToken
from deals.services.conversions import WorkflowError
from deals.services.roles import is_clerk

MAX_TOKENS_PER_USER = 10


@transaction.atomic
def api_token_create(*, user, name: str, ttl: datetime.timedelta | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user`` (clerks and deal admins only). Returns (row, the token text)."""
    from knox.settings import knox_settings

    name = (name or "").strip()
    if not is_clerk(user):
        raise WorkflowError("Only clerks and deal admins may hold API tokens.", code="no_role")
    if not name:
        raise WorkflowError("Name the token (what it is for), e.g. 'transfer agent sync'.", code="required", field="name")
    if len(name) > 100:
        raise WorkflowError(f"The name is {len(name)} characters; keep it to 100.", code="too_long", field="name")
    # Lock the user row so two tabs cannot both pass the limit.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    live = ApiToken.objects.filter(user=user).filter(_not_expired()).count()
    if live >= MAX_TOKENS_PER_USER:
        raise WorkflowError(
            f"You already hold {live} API tokens (the limit is {MAX_TOKENS_PER_USER}); revoke one first.", code="too_many"
        )
    token, text = ApiToken.objects.create(user, ttl if ttl is not None else knox_settings.TOKEN_TTL, name=name)
    return token, text


def _not_expired():
    from django.db.models import Q

    return Q(expiry__isnull=True) | Q(expiry__gt=timezone.now())


@transaction.atomic
def api_token_revoke(*, user, token_key: str, digest_prefix: str = "") -> ApiToken:
    """Revoke one of ``user``'s own tokens: requests with it get 401 from now on."""
    qs = ApiToken.objects.select_for_update().filter(user=user, token_key=token_key)
    if digest_prefix:
        qs = qs.filter(digest__startswith=digest_prefix)
    token = qs.first()
    if token is None:
        raise WorkflowError(f"No API token {token_key}... of yours exists; it may be revoked already.", code="not_found")
    token._history_user = user
    token.delete()
    return token


def api_tokens_of(user):
    """The user's live tokens, newest first (for the profile page)."""
    return ApiToken.objects.filter(user=user).filter(_not_expired()).order_by("-created")
