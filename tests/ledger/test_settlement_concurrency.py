"""Two deal admins pay the same $200.00 SPA 5(c) late payment at once, $150.00 each (PostgreSQL).

``settlement_record`` locks the obligation row, so the second waits for the first, sees the
$50.00 balance and is refused with both numbers. SQLite has no row locks: PostgreSQL only.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from deals.models import ObligationStatus, Settlement
from deals.services.conversions import WorkflowError
from deals.services.ledger.settlements import settlement_record
from tests.ledger.conftest import DELIVERED, make_obligation
from tests.services.test_conversions import make_world

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks (SELECT ... FOR UPDATE)"),
]


@pytest.mark.django_db(transaction=True)
def test_two_admins_paying_150_of_200_at_once_exactly_one_succeeds(django_user_model, monkeypatch):
    import notices.services
    from deals.services.roles import DEAL_ADMIN, ensure_groups

    monkeypatch.setattr(notices.services, "_queue_render", lambda *a, **k: None, raising=False)
    ensure_groups()
    from django.contrib.auth.models import Group

    admins = []
    for name in ("admin-a", "admin-b"):
        u = django_user_model.objects.create_user(name)
        u.groups.add(Group.objects.get(name=DEAL_ADMIN))
        admins.append(u)
    import datetime

    world = make_world(end=datetime.date(2000, 7, 31))
    ob = make_obligation("late_payment", world, admins[0])
    assert ob.amount == Decimal("200.00")
    barrier = threading.Barrier(2)
    results: list = []
    lock = threading.Lock()

    def worker(user):
        try:
            barrier.wait(timeout=30)
            settlement_record(obligation_id=ob.pk, kind="payment", date=DELIVERED, amount="150.00", method="wire",
                              reference=user.username, by=user)
            outcome = ("ok", user.username)
        except WorkflowError as err:
            outcome = ("refused", str(err))
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker, args=(u,)) for u in admins]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(r[0] for r in results) == ["ok", "refused"]
    refused = next(r[1] for r in results if r[0] == "refused")
    assert "$150.00" in refused and "$50.00" in refused
    ob.refresh_from_db()
    assert ob.settled == Decimal("150.00") and ob.status == ObligationStatus.PART_PAID
    assert Settlement.objects.count() == 1
