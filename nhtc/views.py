"""Project-wide pages: the contract readings and the health endpoints.

Health (django-health-check): ``/health/`` shows each check (database, Redis,
worker heartbeat, storage) with its message to deal admins and superusers
only -- the messages name hosts and errors. ``/health/ready/`` answers load
balancers and monitors without a login: ``ok`` (200) or ``unavailable`` (500),
the same checks, no detail at all (docs/architecture.md, "Health")."""

from __future__ import annotations

import dataclasses

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_GET
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from deals.services.roles import is_clerk, is_deal_admin

from .readings import interpretations_html
from .worker_health import read_health


@require_GET
def readings(request):
    """docs/interpretations.md: every contract reading the code applies (clerks and deal admins)."""
    if not is_clerk(request.user):
        raise PermissionDenied("Clerk or deal admin role required.")
    return render(request, "readings.html", {"body": interpretations_html()})


@dataclasses.dataclass
class WorkerHeartbeat(HealthCheck):
    """A Celery worker wrote its heartbeat recently (``nhtc.worker_health``); passes when
    there is no task queue (tasks run in-process)."""

    def run(self):
        health = read_health()
        if not health.ok:
            raise ServiceUnavailable(health.detail)


@dataclasses.dataclass
class RedisPing(HealthCheck):
    """The task queue (Redis) answers a PING; passes when there is no task queue."""

    def run(self):
        if not settings.REDIS_URL:
            return
        import redis

        try:
            client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
            client.ping()
            client.close()
        except redis.RedisError as exc:
            raise ServiceUnavailable(f"Redis not reachable ({type(exc).__name__})") from exc


CHECKS = ("health_check.checks.Database", "health_check.checks.Storage", RedisPing, WorkerHeartbeat)


async def _may_see_details(request) -> bool:
    user = await request.auser()
    return bool(user.is_authenticated and (user.is_superuser or await sync_to_async(is_deal_admin)(user)))


class HealthDetailView(HealthCheckView):
    """Every check with its message (deal admins and superusers)."""

    checks = CHECKS

    async def get(self, request, *args, **kwargs):
        if not await _may_see_details(request):
            raise PermissionDenied("Deal admin role required to see the health details.")
        return await super().get(request, *args, **kwargs)


@method_decorator(login_not_required, name="dispatch")
class HealthReadyView(HealthCheckView):
    """``ok``/``unavailable`` and nothing else (no login: it leaks no detail)."""

    checks = CHECKS

    async def get(self, request, *args, **kwargs):
        with self.get_executor() as executor:
            import asyncio

            results = await asyncio.gather(*(check.get_result(executor) for check in self.get_checks()))
        if any(r.error for r in results):
            return HttpResponse("unavailable\n", status=500, content_type="text/plain")
        return HttpResponse("ok\n", content_type="text/plain")
