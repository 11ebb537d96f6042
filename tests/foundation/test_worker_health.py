"""Worker health (issue 15 item 9): a heartbeat in Redis read with a short timeout and
cached; the footer and the notices pages say whether a worker answered recently; the
health endpoints (django-health-check) -- details for deal admins, a bare ok/unavailable
for load balancers."""

import os
import time

import pytest
from django.urls import reverse

from nhtc import worker_health as wh

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CLOSED = "redis://127.0.0.1:1/0"


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping())
    except Exception:
        return False


needs_redis = pytest.mark.skipif(not _redis_up(), reason=f"Redis is not reachable at {REDIS} (set TEST_REDIS_URL)")


@pytest.fixture(autouse=True)
def _fresh_cache():
    wh.clear_cache()
    yield
    wh.clear_cache()


@pytest.fixture
def beats(settings):
    """Heartbeats in the test Redis; removed afterwards."""
    import redis

    settings.REDIS_URL = REDIS
    client = redis.Redis.from_url(REDIS)
    for key in client.scan_iter(match=f"{wh.KEY_PREFIX}*"):
        client.delete(key)
    yield client
    for key in client.scan_iter(match=f"{wh.KEY_PREFIX}*"):
        client.delete(key)


def test_without_a_queue_jobs_run_in_process(settings):
    settings.REDIS_URL = ""
    h = wh.read_health()
    assert (h.mode, h.ok, h.label) == ("in-process", True, "in-process")


@needs_redis
def test_a_fresh_heartbeat_means_a_worker_is_up(beats):
    wh.beat_once("w1@test", url=REDIS)
    h = wh.read_health()
    assert h.ok and h.workers == 1 and h.last_seen_seconds <= 1 and h.label == "worker up"


@needs_redis
def test_an_old_heartbeat_says_how_long_ago(beats, settings):
    beats.set(f"{wh.KEY_PREFIX}w1@test", str(time.time() - 200), ex=600)
    h = wh.read_health()
    assert not h.ok and h.last_seen_seconds >= 200 and "No worker has answered for" in h.detail


@needs_redis
def test_no_heartbeat_at_all(beats):
    h = wh.read_health()
    assert not h.ok and h.workers == 0 and "No worker has reported" in h.detail


def test_redis_down_is_reported_fast_never_raised(settings):
    settings.REDIS_URL = CLOSED
    started = time.monotonic()
    h = wh.read_health()
    assert time.monotonic() - started < 1.0
    assert not h.ok and "not reachable" in h.detail


def test_the_reading_is_cached_so_pages_do_not_hit_redis_each_time(settings, monkeypatch):
    settings.REDIS_URL = CLOSED
    calls = []
    real = wh.read_health
    monkeypatch.setattr(wh, "read_health", lambda: calls.append(1) or real())
    wh.worker_health()
    wh.worker_health()
    assert len(calls) == 1


@needs_redis
def test_heartbeat_thread_writes_until_stopped(beats, settings):
    import threading

    settings.WORKER_HEARTBEAT_SECONDS = 1
    stop = threading.Event()
    thread = wh.start_heartbeat("thread@test", stop)
    try:
        deadline = time.monotonic() + 5
        while not beats.exists(f"{wh.KEY_PREFIX}thread@test") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert wh.read_health().ok
    finally:
        stop.set()
        thread.join(timeout=5)
    wh.forget("thread@test", url=REDIS)
    assert not beats.exists(f"{wh.KEY_PREFIX}thread@test")


# --- pages ---------------------------------------------------------------------------------


def test_footer_and_notices_pages_say_no_worker_when_the_queue_is_down(clerk_client, settings):
    settings.REDIS_URL = CLOSED
    page = clerk_client.get(reverse("notices:list")).content.decode()
    assert 'data-testid="worker-health" data-ok="false"' in page and "no worker" in page
    assert 'data-testid="worker-down"' in page and "not reachable" in page


@needs_redis
def test_footer_says_worker_up_and_notices_page_has_no_warning(clerk_client, beats):
    wh.beat_once("w1@test", url=REDIS)
    page = clerk_client.get(reverse("notices:list")).content.decode()
    assert 'data-ok="true"' in page and "worker up" in page
    assert 'data-testid="worker-down"' not in page


def test_in_process_mode_shows_no_warning(clerk_client, settings):
    settings.REDIS_URL = ""
    page = clerk_client.get(reverse("notices:list")).content.decode()
    assert "Jobs: in-process" in page and 'data-testid="worker-down"' not in page


# --- health endpoints --------------------------------------------------------------------------


@pytest.mark.django_db
def test_ready_endpoint_needs_no_login_and_says_only_ok(client, settings):
    settings.REDIS_URL = ""
    r = client.get(reverse("health_ready"))
    assert r.status_code == 200 and r.content == b"ok\n"


@pytest.mark.django_db
def test_ready_endpoint_fails_without_detail_when_the_queue_is_down(client, settings):
    settings.REDIS_URL = CLOSED
    r = client.get(reverse("health_ready"))
    assert r.status_code == 500 and r.content == b"unavailable\n"  # no host, no error text


@pytest.mark.django_db
def test_detail_endpoint_is_for_deal_admins_only(clerk_client, settings):
    from django.test import Client

    settings.REDIS_URL = CLOSED
    anon = Client().get(reverse("health"))
    assert anon.status_code == 302 and "/accounts/login/" in anon.url
    assert clerk_client.get(reverse("health")).status_code == 403


@pytest.mark.django_db
def test_detail_endpoint_names_each_check_for_a_deal_admin(deal_admin_client, settings):
    settings.REDIS_URL = CLOSED
    r = deal_admin_client.get(reverse("health"), HTTP_ACCEPT="application/json")
    assert r.status_code == 500
    body = r.json()
    assert any(k.startswith("Database") and v == "OK" for k, v in body.items())
    assert any(k.startswith("Storage") and v == "OK" for k, v in body.items())
    assert any(k.startswith("RedisPing") and "not reachable" in v for k, v in body.items())
    assert any(k.startswith("WorkerHeartbeat") and "not reachable" in v for k, v in body.items())
