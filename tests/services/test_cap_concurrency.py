"""Ten parallel issuances that together would cross the 20% cap or the authorized shares
(PostgreSQL, one connection and one real transaction per thread): the total issued never exceeds
the limit. ``deals.services.issuance.issuer_lock`` (SELECT ... FOR UPDATE on the issuer row) is the
one lock; each thread converts a different instrument, so the instrument locks do not serialise
them.
"""

import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection, connections

from deals.models import Conversion, Issuer
from deals.selectors.cap import cap_shares_issued
from deals.services import conversions as svc
from tests import factories as f
from tests.services.test_cap_limits import CAP, _fill_cap
from tests.services.test_conversions import CONV_DATE, make_world

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL row locks (SELECT ... FOR UPDATE); run with DATABASE_URL=postgres://...",
    ),
]


def _parallel(instruments, amount, user):
    barrier = threading.Barrier(len(instruments))
    results, lock = [], threading.Lock()

    def worker(inst):
        try:
            barrier.wait(timeout=30)
            conv = svc.conversion_submit(
                instrument=type(inst).objects.get(pk=inst.pk), amount=Decimal(amount), conversion_date=CONV_DATE,
                notice_method="facsimile", notice_received_date=CONV_DATE, idempotency_key=uuid.uuid4().hex, user=user,
            )
            outcome = ("ok", conv.pk)
        except svc.WorkflowError as err:
            outcome = ("error", err.code, str(err))
        except Exception as err:  # noqa: BLE001 -- reported by the assertions
            outcome = ("crash", repr(err))
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker, args=(i,)) for i in instruments]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.fixture
def quiet_notices(monkeypatch):
    import notices.services

    monkeypatch.setattr(notices.services, "_queue_render", lambda *a, **k: None, raising=False)


@pytest.mark.django_db(transaction=True)
def test_ten_parallel_series_j_conversions_never_cross_the_cap(django_user_model, quiet_notices):
    w = make_world()
    user = django_user_model.objects.create_user("parallel-cap")
    _fill_cap(w, user, CAP - 20_000)  # 20,000 shares of room
    holdings = [f.PreferredHoldingFactory(financing=w.preferred.financing, shares=10) for _ in range(10)]
    issued_before = Issuer.objects.get().shares_issued
    results = _parallel(holdings, "10000", user)  # each: 10 preferred x $1,000 / $1.20 = 8,333 shares

    assert len(results) == 10 and all(r[0] == "ok" for r in results), results
    total = cap_shares_issued(issuer_id=w.issuer.pk)
    assert total <= CAP
    # whatever the order: 8,333 + 8,333 + 3,333 (4 preferred) fit in 20,000; the rest are Unconverted Shares
    assert total == CAP - 1
    new = Conversion.objects.filter(preferred__in=holdings)
    assert sum(c.shares_issuable for c in new) == 19_999
    assert sum(c.unconverted_shares for c in new) == 100 - 24
    assert Issuer.objects.get().shares_issued == issued_before + 19_999


@pytest.mark.django_db(transaction=True)
def test_ten_parallel_debenture_conversions_never_cross_the_authorized_shares(django_user_model, quiet_notices):
    w = make_world()
    user = django_user_model.objects.create_user("parallel-auth")
    Issuer.objects.update(authorized_common_shares=10_000_000, shares_issued=10_000_000 - 50_000)
    debentures = [f.DebentureFactory(financing=w.debenture.financing) for _ in range(10)]
    results = _parallel(debentures, "20000", user)  # each needs 16,667 shares: 3 x 16,667 = 50,001 > 50,000

    assert len(results) == 10, results
    ok = [r for r in results if r[0] == "ok"]
    errors = [r for r in results if r[0] == "error"]
    assert len(ok) == 2 and len(errors) == 8, results
    assert all(code == "authorized_shares" for _, code, _ in errors), errors
    assert all("needs 16,667 shares" in msg and "authorized but unissued Common Stock 16,666" in msg for *_, msg in errors), errors
    issuer = Issuer.objects.get()
    assert issuer.shares_issued == 10_000_000 - 50_000 + 2 * 16_667 <= issuer.authorized_common_shares
