"""Races on PostgreSQL: two deal admins record the same closing; two transfers drain one
certificate; transfers of different certificates take distinct new numbers."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from deals.models import PreferredHolding, Transfer, Warrant
from deals.services import closing as svc
from deals.services import transfers as tsvc
from deals.services.conversions import WorkflowError

from .conftest import fund, meet_all

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks (SELECT ... FOR UPDATE)"),
]


def _race(n, call):
    barrier = threading.Barrier(n)
    results, lock = [], threading.Lock()

    def worker(i):
        try:
            barrier.wait(timeout=30)
            out = ("ok", call(i))
        except WorkflowError as err:
            out = ("error", err.code, str(err))
        except Exception as err:  # noqa: BLE001 -- reported by the assertions
            out = ("crash", repr(err))
        finally:
            connections.close_all()
        with lock:
            results.append(out)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.fixture
def no_render(monkeypatch):
    import notices.services

    monkeypatch.setattr(notices.services, "_queue_render", lambda *a, **k: None, raising=False)


@pytest.mark.django_db(transaction=True)
def test_two_admins_record_the_same_closing_once(room, deal_admin, no_render):
    fund(room, deal_admin)
    meet_all(room, deal_admin, on=datetime.date(2000, 1, 20))
    results = _race(2, lambda i: svc.closing_record(room=room, bring_down_confirmed=True, user=deal_admin).pk)
    assert sorted(r[0] for r in results) == ["error", "ok"], results
    assert [r for r in results if r[0] == "error"][0][1] == "closed"
    assert PreferredHolding.objects.count() == 2 and Warrant.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_parallel_transfers_cannot_exceed_the_holding_and_take_distinct_numbers(room, deal_admin, no_render):
    from tests import factories as fx

    fund(room, deal_admin)
    meet_all(room, deal_admin, on=datetime.date(2000, 1, 20))
    svc.closing_record(room=room, bring_down_confirmed=True, user=deal_admin)
    alpha = PreferredHolding.objects.get(certificate_number="J-1")  # $600,000
    takers = [fx.InvestorFactory() for _ in range(3)]

    def call(i):
        return tsvc.transfer_submit(
            source=alpha, transferee=takers[i], transfer_date=datetime.date(2000, 2, 1), notice_to_company_date=datetime.date(2000, 2, 1),
            amount=Decimal("250000"), assignee_non_us=True, assignee_accredited=False, counsel_opinion="Smith LLP",
            rights_requested=False, written_assignment=False, transferee_bound=False, user=deal_admin,
        ).pk  # fmt: skip

    results = _race(3, call)
    assert sorted(r[0] for r in results) == ["error", "ok", "ok"], results
    assert "exceeds" in [r for r in results if r[0] == "error"][0][2]
    alpha.refresh_from_db()
    assert alpha.liquidation_preference_outstanding == Decimal("100000")
    new = sorted(Transfer.objects.values_list("new_preferred__certificate_number", flat=True))
    assert new == ["J-3", "J-4"]
