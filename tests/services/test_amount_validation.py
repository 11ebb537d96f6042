"""Issue 16 item 13: the conversion, exercise and redemption services refuse amounts that are not
whole cents, not finite or not positive -- whoever calls them (form, API, admin, task) -- and the
outstanding amount moves by exactly the amount stored."""

import datetime
import uuid
from decimal import Decimal

import pytest

from deals.models import Conversion, Debenture, InstrumentStatus, WarrantExercise
from deals.services import conversions as svc
from deals.services import exercises as ex_svc
from deals.services import redemptions as red_svc
from deals.services.conversions import WorkflowError
from tests import factories as f
from tests.services.test_conversions import CONV_DATE, make_world, set_business_date, submit

D = Decimal
BAD = [
    ("0.004", "fraction of a cent"),  # was written as a $0.00 conversion for 0 shares
    ("1000.005", "fraction of a cent"),
    ("NaN", "not NaN"),  # was an uncaught InvalidOperation
    ("sNaN", "not sNaN"),
    ("Infinity", "not Infinity"),
    ("-Infinity", "not -Infinity"),
    ("0", "more than \\$0.00"),
    ("-0.01", "more than \\$0.00"),
    ("1E+12", "not a plausible amount"),
]


@pytest.mark.parametrize(("raw", "message"), BAD)
def test_conversion_refuses_bad_amounts_and_writes_nothing(db, clerk, raw, message):
    w = make_world()
    with pytest.raises(WorkflowError, match=message) as err:
        submit(w.debenture, raw, clerk)
    assert err.value.code == "amount" and err.value.field == "amount"
    assert not Conversion.objects.exists()
    w.debenture.refresh_from_db()
    assert w.debenture.principal_outstanding == D("100000")


def test_sub_cent_message_offers_the_two_nearest_cent_amounts(db, clerk):
    w = make_world()
    with pytest.raises(WorkflowError, match=r"enter 1000\.00 or 1000\.01"):
        svc.conversion_quote(instrument=w.debenture, amount=D("1000.004"), conversion_date=CONV_DATE)


def test_a_string_that_is_not_a_number_is_refused(db):
    w = make_world()
    with pytest.raises(WorkflowError, match="is not a number"):
        svc.conversion_quote(instrument=w.debenture, amount="ten dollars", conversion_date=CONV_DATE)


def test_trailing_zeros_are_whole_cents(db, clerk):
    w = make_world()
    conv = submit(w.debenture, "1000.000", clerk)
    assert conv.amount == D("1000.00")


def test_outstanding_moves_by_exactly_the_stored_amount(db, clerk):
    w = make_world()
    conv = submit(w.debenture, "1234.56", clerk)
    w.debenture.refresh_from_db()
    stored = D(conv.snapshot["applied"]["amount_converted"])
    assert stored == conv.amount == D("1234.56")
    assert w.debenture.principal_outstanding == D("100000") - stored


# --- exercises ----------------------------------------------------------------------------------


@pytest.fixture
def warrant(db):
    set_business_date(datetime.date(2000, 6, 1))
    f.DealTermsVersionFactory()
    return f.WarrantFactory()


@pytest.mark.parametrize(("raw", "message"), BAD)
def test_exercise_refuses_bad_payment_amounts_and_writes_nothing(warrant, clerk, raw, message):
    before = warrant.shares_remaining
    with pytest.raises(WorkflowError, match=message) as err:
        ex_svc.exercise_submit(
            warrant=warrant, shares=10, exercise_date=datetime.date(2000, 6, 1), payment_amount=D(raw),
            payment_date=datetime.date(2000, 6, 1), idempotency_key=uuid.uuid4().hex, user=clerk,
        )
    assert err.value.field == "payment_amount"
    assert not WarrantExercise.objects.exists()
    warrant.refresh_from_db()
    assert warrant.shares_remaining == before


@pytest.mark.parametrize("shares", [2.5, "10", True])
def test_exercise_refuses_a_share_count_that_is_not_a_whole_number(warrant, clerk, shares):
    with pytest.raises(WorkflowError, match="whole number"):
        ex_svc.exercise_quote(
            warrant=warrant, shares=shares, exercise_date=datetime.date(2000, 6, 1), payment_amount=D("100.00"),
            payment_date=datetime.date(2000, 6, 1),
        )


# --- redemptions --------------------------------------------------------------------------------


def test_redemption_payment_moves_principal_by_the_stored_principal(db, deal_admin, settings):
    settings.APPROVAL_PAYMENT_THRESHOLD = "1000000"  # recorded at once (the four-eyes gate: tests/services/test_redemptions.py)
    w = make_world(end=datetime.date(2000, 6, 30))
    red = red_svc.redemption_notice(
        debenture=w.debenture, notice_date=CONV_DATE, received_date=CONV_DATE, idempotency_key="r1", user=deal_admin
    )
    set_business_date(datetime.date(2000, 6, 15))
    red_svc.redemption_payment_record(redemption=red, payment_date=datetime.date(2000, 6, 15), user=deal_admin)
    deb = Debenture.objects.get(pk=w.debenture.pk)
    assert deb.principal_outstanding == D("0.00") and deb.status == InstrumentStatus.REDEEMED
    assert deb.history.first().principal_outstanding == D("0.00")  # the change left history


def test_redemption_payment_refused_when_the_outstanding_principal_changed(db, deal_admin, settings):
    settings.APPROVAL_PAYMENT_THRESHOLD = "1000000"  # the refusal comes from settlement_record's closing hook
    w = make_world(end=datetime.date(2000, 6, 30))
    red = red_svc.redemption_notice(
        debenture=w.debenture, notice_date=CONV_DATE, received_date=CONV_DATE, idempotency_key="r2", user=deal_admin
    )
    Debenture.objects.filter(pk=w.debenture.pk).update(principal_outstanding=D("90000"))  # e.g. an admin correction
    set_business_date(datetime.date(2000, 6, 15))
    with pytest.raises(WorkflowError, match=r"\$90,000.00 outstanding, not the \$100,000.00"):
        red_svc.redemption_payment_record(redemption=red, payment_date=datetime.date(2000, 6, 15), user=deal_admin)
    red.refresh_from_db()
    assert red.status == "pending" and red.payment_date is None
