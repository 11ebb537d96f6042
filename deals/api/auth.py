"""Token authentication: django-rest-knox digests, plus the token's last use."""

from __future__ import annotations

import datetime

from django.utils import timezone
from knox.auth import TokenAuthentication

# Write ``last_used_at`` at most this often per token (keeps reads free of writes).
LAST_USED_RESOLUTION = datetime.timedelta(minutes=5)


class ApiTokenAuthentication(TokenAuthentication):
    """``Authorization: Token nhtc_...``. A revoked (deleted) or expired token gets 401."""

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            type(token).objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return user, token
