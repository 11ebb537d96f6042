"""Two checkers approve the same pending terms version at once (PostgreSQL): the item row is locked
(``select_for_update``), so exactly one applies it and the other is refused as already decided;
one version is written. SQLite has no row locks: PostgreSQL only."""

import threading

import pytest
from django.db import connection, connections

from deals.models import DealTermsVersion
from deals.services.approvals import approval_approve, approval_reject, terms_version_request
from deals.services.errors import WorkflowError
from tests import factories as f

from .conftest import EFFECTIVE, terms_values

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks (SELECT ... FOR UPDATE)"),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second", ["approve", "reject"])
def test_two_checkers_at_once_exactly_one_decides(django_user_model, second):
    from django.contrib.auth.models import Group

    from deals.services.roles import DEAL_ADMIN, ensure_groups

    ensure_groups()
    users = []
    for name in ("maker", "checker-a", "checker-b"):
        u = django_user_model.objects.create_user(name)
        u.groups.add(Group.objects.get(name=DEAL_ADMIN))
        users.append(u)
    fin = f.SeriesJFinancingFactory()
    item = terms_version_request(financing=fin, effective_from=EFFECTIVE, reason="r", maker=users[0],
                                 values=terms_values(fin, fax_date_max_business_days=9))
    barrier = threading.Barrier(2)
    results, lock = [], threading.Lock()

    def worker(user, action):
        try:
            barrier.wait(timeout=30)
            if action == "approve":
                approval_approve(approval=item.pk, checker=user)
            else:
                approval_reject(approval=item.pk, checker=user, reason="no")
            outcome = ("ok", user.username)
        except WorkflowError as err:
            outcome = (err.code, str(err))
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker, args=(users[1], "approve")),
               threading.Thread(target=worker, args=(users[2], second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(r[0] for r in results) == ["already_decided", "ok"], results
    item.refresh_from_db()
    written = DealTermsVersion.objects.filter(financing=fin, version=2).count()
    assert written == (1 if item.status == "approved" else 0)
    assert item.history.count() == 2  # requested, decided once
