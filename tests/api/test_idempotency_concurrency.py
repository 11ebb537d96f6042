"""Six API submits at once with ONE Idempotency-Key (PostgreSQL): one conversion is recorded and
every caller gets the same 201 body; none a 5xx. Row locks make this meaningful on PostgreSQL only."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from deals.models import Conversion, IdempotencyRecord

from .conftest import conversion_body

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks; run with DATABASE_URL=postgres://..."),
]


@pytest.mark.django_db(transaction=True)
def test_one_key_six_racing_requests_record_one_conversion(django_user_model, settings, tmp_path, monkeypatch):
    import datetime

    import notices.services
    from deals.services.roles import CLERK, ensure_groups
    from tests.services.test_conversions import CONV_DATE, make_world

    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setattr(notices.services, "_queue_render", lambda *a, **k: None, raising=False)
    from django.contrib.auth.models import Group

    ensure_groups()
    user = django_user_model.objects.create_user("racer", password="x")
    user.groups.add(Group.objects.get(name=CLERK))
    w = make_world(start=datetime.date(2000, 5, 1))
    body = conversion_body(w.debenture)
    key = uuid.uuid4().hex
    barrier = threading.Barrier(6)
    results, lock = [], threading.Lock()

    def worker():
        try:
            client = APIClient()
            client.force_authenticate(user)
            barrier.wait(timeout=30)
            r = client.post("/api/conversions/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
            with lock:
                results.append((r.status_code, r.json()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert CONV_DATE
    assert [s for s, _ in results] == [201] * 6, results
    assert len({b["id"] for _, b in results}) == 1
    assert Conversion.objects.count() == 1 and IdempotencyRecord.objects.count() == 1
