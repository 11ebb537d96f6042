"""Rate limit per API token (per user for session requests, per address when anonymous).
Counters live in the default cache (Redis when REDIS_URL is set, shared by all workers)."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request, view):
        token = getattr(request, "auth", None)
        digest = getattr(token, "digest", None)
        if digest:
            ident = f"t:{digest[:32]}"
        elif request.user and request.user.is_authenticated:
            ident = f"u:{request.user.pk}"
        else:
            ident = f"a:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
