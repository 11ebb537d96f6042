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
HUNDRED_K = D("100000")


@pytest.fixture
def terms_version(db):
    return f.DealTermsVersionFactory()


@pytest.fixture
def staff_user(db, django_user_model):
    return django_user_model.objects.create_user(username="sweeper", password="x")


def make_conversion(*, user, terms_version, preferred=None, debenture=None, amount=HUNDRED_K, delivery_date,
                    conversion_date=None, status=m.ConversionStatus.PENDING_DELIVERY, **extra):
    """A submitted conversion with the fields the sweep reads (Series J by default)."""
    if preferred is None and debenture is None:
        preferred = f.PreferredHoldingFactory()
    instrument = preferred or debenture
    conversion_date = conversion_date or delivery_date - datetime.timedelta(days=3)
    if terms_version.financing_id != instrument.financing_id:  # priced by its own financing's terms (issue 18)
        from deals.selectors.terms import terms_in_force

        terms_version = terms_in_force(financing=instrument.financing, day=conversion_date).version
    values = dict(
        preferred=preferred, debenture=debenture, investor=instrument.investor, terms_version=terms_version, amount=amount,
        conversion_date=conversion_date, notice_method=m.NoticeMethod.FACSIMILE, notice_received_date=conversion_date,
        conversion_price=D("1.4375"), shares_for_amount=69_565, shares_issuable=69_565, delivery_date=delivery_date,
        status=status, snapshot={}, idempotency_key=f"sweep-test-{next(_seq)}", created_by=user,
    )
    values.setdefault("late_payment_base", amount)  # SPA 5(c): all of it converted, dividends in cash
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


def build_scenario(*, user, terms_version, n: int = 1, fin=None):
    """A deal with ``n`` of each kind of record the rules read, late around Memorial Day 2000
    (Initial Closing 2000-02-01: the registration statement is late from 2000-05-01, RRA 2(b))
    (``fin``: add them to an existing deal)."""
    if fin is None:
        fin = f.SeriesJFinancingFactory(initial_closing_date=datetime.date(2000, 2, 1))
        m.RegistrationStatement.objects.create(financing=fin, filed_date=datetime.date(2000, 3, 20))
        # enough shares for SPA 4(d)(ii)'s 10% trigger: a Meeting Date exists
        make_conversion(user=user, terms_version=terms_version, preferred=f.PreferredHoldingFactory(financing=fin),
                        delivery_date=datetime.date(2000, 5, 22), shares_issuable=800_000)
    for i in range(n):
        holding = f.PreferredHoldingFactory(financing=fin, shares=10, closing_date=datetime.date(2000, 2, 1))
        # Delivery Date Monday 05-22: grace to 05-25; late from Friday 05-26
        make_conversion(user=user, terms_version=terms_version, preferred=holding, delivery_date=datetime.date(2000, 5, 22),
                        amount=D("10000"))
        deb = f.DebentureFactory(maturity_date=datetime.date(2000, 5, 31))
        make_conversion(user=user, terms_version=terms_version, debenture=deb, delivery_date=datetime.date(2000, 5, 22),
                        conversion_date=datetime.date(2000, 5, 19), amount=D("100000"))
        f.WarrantFactory(financing=fin, expiry_date=datetime.date(2000, 6, 30) + datetime.timedelta(days=i))
        m.Redemption.objects.create(
            debenture=deb, terms_version=deb.financing.terms_versions.get(), notice_date=datetime.date(2000, 5, 12),
            notice_received_date=datetime.date(2000, 5, 12), principal=D("100000"), premium_amount=D("120000"),
            interest_amount=D("500"), total_amount=D("120500"), payment_due_date=datetime.date(2000, 5, 26),
            convert_until=datetime.date(2000, 5, 19), snapshot={}, idempotency_key=f"scn-r-{next(_seq)}", created_by=user,
        )
        m.EventOfDefault.objects.create(debenture=deb, financing=deb.financing, kind="c",
                                        occurred_date=datetime.date(2000, 5, 22), created_by=user)
    return fin


def reset_scenario_state():
    """Undo what sweeps wrote (ledger, runs, statuses the sweeps set) so a second path starts clean."""
    m.Obligation.objects.all().delete()
    m.SweepRun.objects.all().delete()
    m.Warrant.objects.update(status=m.InstrumentStatus.OUTSTANDING)
    m.Redemption.objects.update(status=m.RedemptionStatus.PENDING)
