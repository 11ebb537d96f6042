"""Helpers for the sweep tests: conversions and ledger look-ups."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from deals import models as m
from deals.services.sweeps import RULES, Context, run_rule
from tests import factories as f

D = Decimal
_seq = itertools.count(1)


@pytest.fixture
def terms_version(db):
    return f.DealTermsVersionFactory()


@pytest.fixture
def staff_user(db, django_user_model):
    return django_user_model.objects.create_user(username="sweeper", password="x")


def make_conversion(*, user, terms_version, preferred=None, debenture=None, amount=D("100000"), delivery_date,
                    conversion_date=None, status=m.ConversionStatus.PENDING_DELIVERY, **extra):
    """A submitted conversion with the fields the sweep reads (Series J by default)."""
    if preferred is None and debenture is None:
        preferred = f.PreferredHoldingFactory()
    instrument = preferred or debenture
    conversion_date = conversion_date or delivery_date - datetime.timedelta(days=3)
    values = dict(
        preferred=preferred, debenture=debenture, investor=instrument.investor, terms_version=terms_version, amount=amount,
        conversion_date=conversion_date, notice_method=m.NoticeMethod.FACSIMILE, notice_received_date=conversion_date,
        conversion_price=D("1.4375"), shares_for_amount=69_565, shares_issuable=69_565, delivery_date=delivery_date,
        status=status, snapshot={}, idempotency_key=f"sweep-test-{next(_seq)}", created_by=user,
    )
    values.update(extra)
    return m.Conversion.objects.create(**values)


def ledger(source=None, kind=None, **filters):
    """Ledger rows of one source record (and kind), oldest due first."""
    qs = m.Obligation.objects.all()
    if source is not None:
        qs = qs.filter(content_type=ContentType.objects.get_for_model(source), object_id=source.pk)
    if kind is not None:
        qs = qs.filter(kind=kind)
    return list(qs.filter(**filters).order_by("due_date", "period_key", "id"))


def run(name: str, as_of: datetime.date):
    """Run one rule as of a date (as sweep_run would), returning its stats."""
    rule = next(r for r in RULES if r.name == name)
    return run_rule(rule, Context(as_of))


def snapshot_ledger():
    """The ledger as comparable tuples (what a user sees; not timestamps or sweep dates)."""
    return sorted(
        m.Obligation.objects.values_list(
            "kind", "content_type_id", "object_id", "period_key", "investor_id", "due_date", "amount", "status",
            "satisfied_date", "description", "clause",
        )
    )
