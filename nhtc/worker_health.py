"""Is a Celery worker alive? A heartbeat, not a ping.

Each worker writes ``nhtc:worker:<hostname>`` = the time (epoch seconds) to
Redis every ``WORKER_HEARTBEAT_SECONDS`` from a thread started when it is
ready (``start_heartbeat``, wired in ``nhtc.celery``), with an expiry of
``WORKER_HEARTBEAT_MAX_AGE``. Pages read the keys (one SCAN + MGET with a
short socket timeout, cached for a few seconds per process): a page never
waits seconds on a broadcast ping or a dead Redis.

Without ``REDIS_URL`` there is no worker: tasks run in the web process.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings

log = logging.getLogger(__name__)

KEY_PREFIX = "nhtc:worker:"
SOCKET_TIMEOUT = 0.3  # seconds: a page's worst case when Redis does not answer
CACHE_SECONDS = 5.0

_cache: tuple[float, WorkerHealth] | None = None
_lock = threading.Lock()


@dataclass(frozen=True)
class WorkerHealth:
    mode: str  # "worker" or "in-process"
    ok: bool
    workers: int  # workers seen within WORKER_HEARTBEAT_MAX_AGE
    last_seen_seconds: int | None  # age of the newest heartbeat
    detail: str  # one sentence for the footer and the notices pages

    @property
    def label(self) -> str:
        if self.mode == "in-process":
            return "in-process"
        return "worker up" if self.ok else "no worker"


def _client(url: str | None = None):
    import redis

    return redis.Redis.from_url(url or settings.REDIS_URL, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=SOCKET_TIMEOUT)


def read_health(*, url: str | None = None, now: float | None = None) -> WorkerHealth:
    """Read the heartbeats now (no cache)."""
    url = url or settings.REDIS_URL
    if not url:
        return WorkerHealth("in-process", True, 0, None, "No task queue configured: background work runs in the web process.")
    now = time.time() if now is None else now
    max_age = settings.WORKER_HEARTBEAT_MAX_AGE
    try:
        client = _client(url)
        keys = list(client.scan_iter(match=f"{KEY_PREFIX}*", count=100))
        beats = [float(v) for v in client.mget(keys) if v] if keys else []
        client.close()
    except Exception as exc:  # Redis down or unreachable: say so, never raise on a page
        log.warning("worker health: Redis not reachable: %s", exc)
        return WorkerHealth("worker", False, 0, None, f"The task queue (Redis) is not reachable ({type(exc).__name__}).")
    fresh = [b for b in beats if now - b <= max_age]
    if not beats:
        return WorkerHealth("worker", False, 0, None, "No worker has reported: queued PDFs and sweeps wait until one starts.")
    newest = round(now - max(beats))
    if not fresh:
        return WorkerHealth("worker", False, 0, newest, f"No worker has answered for {newest} s: queued work waits until one is back.")
    n = len(fresh)
    return WorkerHealth("worker", True, n, newest, f"{n} worker{'s' if n != 1 else ''} answered {newest} s ago.")


def worker_health() -> WorkerHealth:
    """``read_health`` cached for ``CACHE_SECONDS`` in this process."""
    global _cache
    now = time.monotonic()
    with _lock:
        if _cache is not None and now - _cache[0] < CACHE_SECONDS:
            return _cache[1]
    health = read_health()
    with _lock:
        _cache = (now, health)
    return health


def clear_cache() -> None:
    global _cache
    with _lock:
        _cache = None


# --- worker side ------------------------------------------------------------------


def beat_once(hostname: str, *, url: str | None = None) -> None:
    """Write one heartbeat for ``hostname``."""
    client = _client(url)
    try:
        client.set(f"{KEY_PREFIX}{hostname}", str(time.time()), ex=settings.WORKER_HEARTBEAT_MAX_AGE)
    finally:
        client.close()


def forget(hostname: str, *, url: str | None = None) -> None:
    """Remove ``hostname``'s heartbeat (clean shutdown)."""
    try:
        client = _client(url)
        client.delete(f"{KEY_PREFIX}{hostname}")
        client.close()
    except Exception:  # shutting down: nothing to do about it
        pass


def start_heartbeat(hostname: str, stop: threading.Event) -> threading.Thread:
    """A daemon thread writing ``hostname``'s heartbeat until ``stop`` is set."""

    def run():
        while not stop.is_set():
            try:
                beat_once(hostname)
            except Exception as exc:  # Redis blip: try again next time
                log.warning("worker heartbeat not written: %s", exc)
            stop.wait(settings.WORKER_HEARTBEAT_SECONDS)

    thread = threading.Thread(target=run, name="nhtc-heartbeat", daemon=True)
    thread.start()
    return thread
