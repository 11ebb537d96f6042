"""Two deal admins (maker and checker) and a Series J financing with three holders."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from deals.services.roles import DEAL_ADMIN, ensure_groups
from tests import factories as f

D = Decimal


@pytest.fixture
def checker(db, django_user_model):
    ensure_groups()
    user = django_user_model.objects.create_user(username="checker", password="pw-for-tests-only", is_staff=True)
    user.groups.add(Group.objects.get(name=DEAL_ADMIN))
    return user


@pytest.fixture
def series_j(db):
    """A Series J financing (terms v1) held 50% / 30% / 20% by liquidation preference."""
    fin = f.SeriesJFinancingFactory()
    holders = [f.PreferredHoldingFactory(financing=fin, shares=n) for n in (500, 300, 200)]
    return type("SeriesJ", (), {"financing": fin, "holders": holders,
                                "investors": [h.investor for h in holders]})


def terms_values(financing, **changes):
    v = financing.terms_versions.order_by("-version").first().term_values()
    v.update(changes)
    return v


EFFECTIVE = datetime.date(2000, 7, 3)
