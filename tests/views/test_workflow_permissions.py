"""Every clerk-workflow URL x (anonymous, no role, clerk, deal admin).

Iterates the urlpatterns of the workflow view modules, so a new view is covered automatically.
Expected: anonymous -> login redirect; no role -> 403; clerk -> allowed unless the view is
deal-admin only (redemption notices and payments, dishonour, cap remedies); deal admin -> allowed.
"Allowed" means the role check passed: any status but 302-to-login and 403 (a POST without
data answers 400 or re-renders the form).
"""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from deals.models import Conversion, Redemption, WarrantExercise
from deals.views import conversions, exercises, investors, redemptions
from tests import factories as f
from tests.services.test_conversions import make_world

ADMIN_ONLY = {"conversion_dishonour", "conversion_remedy", "conversion_reprice", "exercise_dishonour", "redemption_new",
              "redemption_confirm", "redemption_pay"}
PATTERNS = [p for mod in (conversions, exercises, redemptions, investors) for p in mod.urlpatterns]


@pytest.fixture
def records(db, django_user_model):
    w = make_world(start=datetime.date(2000, 5, 1), end=datetime.date(2000, 6, 30))
    user = django_user_model.objects.create_user("maker")
    tv = w.preferred.financing.terms_versions.get()
    conv = Conversion.objects.create(
        preferred=w.preferred,
        investor=w.preferred.investor,
        terms_version=tv,
        amount=Decimal("1000"),
        conversion_date=datetime.date(2000, 6, 1),
        notice_method="facsimile",
        notice_received_date=datetime.date(2000, 6, 1),
        conversion_price=Decimal("1.2"),
        shares_for_amount=833,
        shares_issuable=833,
        delivery_date=datetime.date(2000, 6, 6),
        snapshot={},
        idempotency_key=uuid.uuid4().hex,
        created_by=user,
    )
    wt = f.WarrantFactory()
    ex = WarrantExercise.objects.create(
        warrant=wt,
        investor=wt.investor,
        terms_version=tv,
        shares=1,
        exercise_date=datetime.date(2000, 6, 1),
        exercise_price=Decimal("1.65"),
        aggregate_price=Decimal("1.65"),
        payment_amount=Decimal("1.65"),
        payment_date=datetime.date(2000, 6, 1),
        delivery_date=datetime.date(2000, 6, 6),
        snapshot={},
        idempotency_key=uuid.uuid4().hex,
        created_by=user,
    )
    red = Redemption.objects.create(
        debenture=w.debenture,
        terms_version=w.debenture.financing.terms_versions.get(),  # the debenture issue's own terms
        notice_date=datetime.date(2000, 6, 1),
        notice_received_date=datetime.date(2000, 6, 1),
        principal=Decimal("100000"),
        premium_amount=Decimal("120000"),
        interest_amount=Decimal("0"),
        total_amount=Decimal("120000"),
        payment_due_date=datetime.date(2000, 6, 15),
        convert_until=datetime.date(2000, 6, 8),
        snapshot={},
        idempotency_key=uuid.uuid4().hex,
        created_by=user,
    )
    return {"conversion": conv.pk, "exercise": ex.pk, "redemption": red.pk, "investor": w.debenture.investor_id}


def _url(pattern, ids):
    kwargs = {}
    if "<int:pk>" in str(pattern.pattern):
        kwargs["pk"] = ids[pattern.name.split("_")[0]]
    return reverse(pattern.name, kwargs=kwargs)


def _methods(pattern):
    name = pattern.name
    if name.endswith(("_confirm", "_deliver", "_original", "_revoke", "_buy_in", "_dishonour", "_remedy", "_pay", "_reprice")):
        return ["post"]
    if name.endswith("_new"):
        return ["get", "post"]
    return ["get"]


CASES = [(p, m) for p in PATTERNS for m in _methods(p)]
IDS = [f"{p.name}-{m}" for p, m in CASES]


def test_every_pattern_is_covered():
    names = {p.name for p in PATTERNS}
    assert {"conversion_list", "exercise_list", "conversion_new", "redemption_new", "investor_detail"} <= names
    assert len(names) == len(PATTERNS)


@pytest.mark.parametrize(("pattern", "method"), CASES, ids=IDS)
def test_anonymous_is_sent_to_login(client, records, pattern, method):
    r = getattr(client, method)(_url(pattern, records))
    assert r.status_code == 302 and reverse("login") in r["Location"]


@pytest.mark.parametrize(("pattern", "method"), CASES, ids=IDS)
def test_user_without_role_is_refused(client, no_role_user, records, pattern, method):
    client.force_login(no_role_user)
    assert getattr(client, method)(_url(pattern, records)).status_code == 403


@pytest.mark.parametrize(("pattern", "method"), CASES, ids=IDS)
def test_clerk_allowed_except_deal_admin_steps(clerk_client, records, pattern, method):
    status = getattr(clerk_client, method)(_url(pattern, records)).status_code
    if pattern.name in ADMIN_ONLY:
        assert status == 403
    else:
        assert status in (200, 302, 400), status


@pytest.mark.parametrize(("pattern", "method"), CASES, ids=IDS)
def test_deal_admin_allowed_everywhere(deal_admin_client, records, pattern, method):
    status = getattr(deal_admin_client, method)(_url(pattern, records)).status_code
    assert status in (200, 302, 400), status
