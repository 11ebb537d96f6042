"""exercise_submit / exercise_delivery_record (SPA 4(h); warrant form not in the seeds)."""

import datetime
import uuid
from decimal import Decimal

import pytest

from deals.models import InstrumentStatus, Issuer, Obligation, ObligationKind, ObligationStatus, WarrantExercise
from deals.services import exercises as svc
from deals.services.conversions import WorkflowError
from tests import factories as f
from tests.services.test_conversions import set_business_date

D = Decimal
TODAY = datetime.date(2000, 6, 1)


@pytest.fixture
def warrant(db):
    set_business_date(TODAY)
    return f.WarrantFactory(shares=50_000, exercise_price=D("1.6500"), expiry_date=datetime.date(2005, 1, 31))


def run(warrant, user, shares=10_000, pay="16500.00", day=TODAY, key=None):
    return svc.exercise_submit(
        warrant=warrant,
        shares=shares,
        exercise_date=day,
        payment_amount=D(pay),
        payment_date=day,
        idempotency_key=key or uuid.uuid4().hex,
        user=user,
    )


def test_exercise_reduces_remaining_and_opens_delivery(warrant, clerk):
    issued = Issuer.objects.get().shares_issued
    ex = run(warrant, clerk)
    warrant.refresh_from_db()
    assert warrant.shares_remaining == 40_000
    assert ex.aggregate_price == D("16500.00")  # 10,000 x $1.65
    assert ex.delivery_date == datetime.date(2000, 6, 6)  # 3 business days after Thursday 06-01
    assert Issuer.objects.get().shares_issued == issued + 10_000
    ob = Obligation.objects.get(kind=ObligationKind.WARRANT_DELIVERY)
    assert ob.due_date == ex.delivery_date


def test_underpayment_is_refused_with_the_shortfall(warrant, clerk):
    with pytest.raises(WorkflowError) as e:
        run(warrant, clerk, pay="16000.00")
    assert e.value.code == "underpaid"
    assert "$16,500.00" in str(e.value) and "$500.00" in str(e.value)
    assert WarrantExercise.objects.count() == 0


def test_overpayment_is_recorded_with_a_warning(warrant, clerk):
    ex = run(warrant, clerk, pay="17000.00")
    assert ex.warnings and "$500.00" in ex.warnings[0]


def test_more_than_remaining_is_refused(warrant, clerk):
    with pytest.raises(WorkflowError, match="50,001 shares exceed the 50,000 remaining"):
        run(warrant, clerk, shares=50_001, pay="100000")


def test_exercisable_on_expiry_day_not_after(warrant, clerk):
    set_business_date(datetime.date(2005, 2, 1))
    run(warrant, clerk, shares=1, pay="1.65", day=datetime.date(2005, 1, 31))
    with pytest.raises(WorkflowError) as e:
        run(warrant, clerk, shares=1, pay="1.65", day=datetime.date(2005, 2, 1))
    assert e.value.code == "expired" and "2005-01-31" in str(e.value)


def test_same_key_creates_one_exercise(warrant, clerk):
    a = run(warrant, clerk, key="same")
    b = run(warrant, clerk, key="same")
    assert a.pk == b.pk and b.replayed
    warrant.refresh_from_db()
    assert warrant.shares_remaining == 40_000


def test_full_exercise_marks_warrant_exercised(warrant, clerk):
    run(warrant, clerk, shares=50_000, pay="82500")
    warrant.refresh_from_db()
    assert warrant.status == InstrumentStatus.EXERCISED


def test_future_date_refused(warrant, clerk):
    with pytest.raises(WorkflowError, match="after the business date"):
        run(warrant, clerk, day=datetime.date(2000, 6, 2))


def test_delivery_closes_obligation(warrant, clerk):
    ex = run(warrant, clerk)
    svc.exercise_delivery_record(exercise=ex, delivered_date=TODAY, reference="Cert W-1", user=clerk)
    ex.refresh_from_db()
    assert ex.status == WarrantExercise.Status.DELIVERED
    assert Obligation.objects.get(kind=ObligationKind.WARRANT_DELIVERY).status == ObligationStatus.SATISFIED
    with pytest.raises(WorkflowError, match="already shares delivered"):
        svc.exercise_delivery_record(exercise=ex, delivered_date=TODAY, reference="x", user=clerk)
