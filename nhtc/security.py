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
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import LoginView, redirect_to_login
from django.db import transaction
from django.db.models import Sum
from django.dispatch import receiver
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control

log = logging.getLogger("nhtc.security")

LAST_SEEN_KEY = "_nhtc_last_seen"
STARTED_KEY = "_nhtc_started"


def client_ip(request) -> str | None:
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return hops[-1]
    # None when the request has no address (e.g. a test client's force_login): axes stores NULL;
    # PostgreSQL refuses a placeholder such as "unknown" in its inet column.
    return request.META.get("REMOTE_ADDR") or None


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


@receiver(user_logged_in, dispatch_uid="nhtc_session_clock")
def _start_session_clock(sender, request, user, **kwargs):
    """Stamp a new session at sign-in, so the first page does not write the session again."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[STARTED_KEY] = now
        request.session[LAST_SEEN_KEY] = now


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


class NulCharacterMiddleware:
    """Refuse (400) a request whose query string or form fields contain a NUL character: PostgreSQL
    cannot store or compare one, so a search for it would otherwise end in a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = _nul_field(request.GET) or (_nul_field(request.POST) if request.method == "POST" else None)
        if bad is not None:
            return HttpResponseBadRequest(
                f"The field {bad!r} contains a NUL character (U+0000), which is never valid input; remove it and try again.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


def _nul_field(data) -> str | None:
    for key, values in data.lists():
        if "\x00" in key or any("\x00" in v for v in values if isinstance(v, str)):
            return key.replace("\x00", "\\x00")
    return None


class OutOfRangeMiddleware:
    """A stored date outside the contract calendars' range (1999-2035) -- or one too far to add days
    to -- never ends in a server error: the page says which stored dates are out of range, with
    links to correct them (issue 15 item 11). Forms refuse such dates, so only old rows get here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from deals.terms.errors import CalendarRangeError

        if not isinstance(exception, CalendarRangeError | OverflowError):
            return None
        from deals.selectors.out_of_range import out_of_range_dates, out_of_range_message
        from deals.services.roles import is_deal_admin

        log.warning("Out-of-range date on %s: %s", request.path, exception)
        context = {"message": out_of_range_message(exception), "dates": out_of_range_dates(),
                   "can_edit": is_deal_admin(request.user)}
        return render(request, "out_of_range.html", context, status=200)
