"""Login throttling, session limits and response headers (issue 15, items 3 and 4).

- ``client_ip``: the address django-axes records. Behind a proxy (``BEHIND_PROXY``) it is the
  right-most ``X-Forwarded-For`` entry, the one our own proxy appended; otherwise ``REMOTE_ADDR``
  (a client-set header is never trusted).
- ``ThrottledLoginView``: before any password is hashed, an IP with ``LOGIN_IP_FAILURE_LIMIT``
  recent failures (any usernames) gets the lockout page; django-axes' backend then refuses a
  locked username+IP, also before hashing.
- ``login_unlock``: the service that clears a lockout (the axes admin's delete does the same).
- ``SessionIdleTimeoutMiddleware``: signs out a session idle for ``SESSION_IDLE_TIMEOUT`` seconds;
  ``SESSION_COOKIE_AGE`` caps a session's whole life.
- ``NoStoreMiddleware``: ``Cache-Control: no-store`` on every response to a signed-in user
  (pages, PDFs, CSV), so a shared browser or proxy keeps no copy.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView, redirect_to_login
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.cache import patch_cache_control

log = logging.getLogger("nhtc.security")

LAST_SEEN_KEY = "_nhtc_last_seen"
STARTED_KEY = "_nhtc_started"


def client_ip(request) -> str:
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def ip_failures(ip_address: str) -> int:
    """Failed logins from ``ip_address`` inside the cool-off window, across all usernames."""
    from axes.models import AccessAttempt

    recent = AccessAttempt.objects.filter(ip_address=ip_address)
    if settings.AXES_COOLOFF_TIME:
        recent = recent.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)
    return recent.aggregate(n=Sum("failures_since_start"))["n"] or 0


def ip_locked(ip_address: str) -> bool:
    return ip_failures(ip_address) >= settings.LOGIN_IP_FAILURE_LIMIT


class ThrottledLoginView(LoginView):
    """Django's login view behind a per-IP check that costs one indexed query, not a hash."""

    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        ip = client_ip(request)
        if ip_locked(ip):
            from axes.helpers import get_lockout_response

            log.warning("Login refused: IP %s has %s recent failures (limit %s); username %r",
                        ip, ip_failures(ip), settings.LOGIN_IP_FAILURE_LIMIT, request.POST.get("username", ""))
            return get_lockout_response(request, credentials={"username": request.POST.get("username", "")})
        return super().post(request, *args, **kwargs)


@transaction.atomic
def login_unlock(*, username: str | None = None, ip_address: str | None = None, user) -> int:
    """Clear the lockouts matching ``username`` and/or ``ip_address``; returns how many were cleared.
    Who unlocked whom is logged (the admin's delete action is recorded in the admin log)."""
    from axes.utils import reset

    if not username and not ip_address:
        raise ValueError("Name a username or an IP address to unlock.")
    count = reset(ip=ip_address or None, username=username or None)
    log.warning("Login unlocked by %s: username %r, IP %r (%s attempt records cleared)",
                user.get_username(), username, ip_address, count)
    return count


class SessionIdleTimeoutMiddleware:
    """Sign out a session idle for ``SESSION_IDLE_TIMEOUT`` seconds, or older than
    ``SESSION_COOKIE_AGE`` seconds however busy (the session row's own expiry slides with every
    save, so the absolute limit is checked here). The last-seen stamp is written at most once a
    minute, not on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = int(session.get(STARTED_KEY, now))
            last = int(session.get(LAST_SEEN_KEY, now))
            reason = None
            if now - last > settings.SESSION_IDLE_TIMEOUT:
                reason = f"You were signed out after {_minutes(settings.SESSION_IDLE_TIMEOUT)} without activity."
            elif now - started > settings.SESSION_COOKIE_AGE:
                reason = f"Your session reached its limit of {_minutes(settings.SESSION_COOKIE_AGE)}; please sign in again."
            if reason:
                log.info("Session of %s ended: %s", user.get_username(), reason)
                logout(request)
                messages.info(request, reason)
                return redirect_to_login(request.get_full_path())
            if STARTED_KEY not in session:
                session[STARTED_KEY] = now
            if LAST_SEEN_KEY not in session or now - last >= 60:
                session[LAST_SEEN_KEY] = now
        return self.get_response(request)


def _minutes(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every response to a signed-in user (pages and downloads)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response
