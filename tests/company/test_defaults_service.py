"""Debenture 10: Events of Default, cure deadlines, written waivers, acceleration."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from deals.models import EventOfDefault, ObligationKind, ObligationStatus
from deals.services.company import defaults as svc
from deals.services.ledger.writer import obligations_for

D = datetime.date


MAY_24 = D(2000, 5, 24)


def _record(deal, kind="c", on=MAY_24, as_of=MAY_24, **kw):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get_or_create(username="eod-admin")[0]
    return svc.default_record(
        financing=deal["debenture"].financing, debenture=deal["debenture"], kind=kind, occurred_date=on, user=user, as_of=as_of, **kw
    )


@pytest.mark.django_db
def test_share_delivery_failure_has_five_business_days_to_cure_skipping_memorial_day(deal):
    eod = _record(deal)
    assert eod.cure_deadline == D(2000, 6, 1)
    ob = obligations_for(eod).get(kind=ObligationKind.CURE_PERIOD)
    assert ob.due_date == D(2000, 6, 1) and ob.clause == "Debenture 10(c)"


@pytest.mark.django_db
def test_a_cure_on_the_deadline_counts_and_one_day_later_does_not(deal):
    late = _record(deal)
    with pytest.raises(ValidationError, match="too late"):
        svc.default_cure(eod=late, cured_date=D(2000, 6, 2), as_of=D(2000, 6, 5))
    cured = svc.default_cure(eod=late, cured_date=D(2000, 6, 1), as_of=D(2000, 6, 5))
    assert cured.status == EventOfDefault.Status.CURED
    assert obligations_for(cured).get(kind=ObligationKind.CURE_PERIOD).status == ObligationStatus.SATISFIED


@pytest.mark.django_db
def test_acceleration_only_after_the_deadline_with_principal_and_interest(deal):
    eod = _record(deal)
    with pytest.raises(ValidationError, match="no Event of Default yet"):
        svc.default_accelerate(eod=eod, accelerated_date=D(2000, 6, 1), as_of=D(2000, 6, 5))
    done = svc.default_accelerate(eod=eod, accelerated_date=D(2000, 6, 2), as_of=D(2000, 6, 5))
    # $300,000 x 6% x 192/365 (1999-11-23 .. 2000-06-02) = $9,468.49
    assert done.acceleration_amount == Decimal("309468.49")
    assert done.status == EventOfDefault.Status.ACCELERATED
    assert done.acceleration_snapshot["principal_outstanding"] == "300000.00"


@pytest.mark.django_db
def test_a_waiver_must_say_who_signed_and_which_document(deal):
    eod = _record(deal, kind="a")
    with pytest.raises(ValidationError, match="in writing"):
        svc.default_waive(eod=eod, waived_by="", waived_date=D(2000, 5, 25), reference="letter", as_of=D(2000, 5, 26))
    w = svc.default_waive(
        eod=eod,
        waived_by="Alpha Fund Ltd. (J. Doe, director)",
        waived_date=D(2000, 5, 25),
        reference="letter of 2000-05-25",
        as_of=D(2000, 5, 26),
    )
    assert (w.status, w.waived_by, w.waived_date) == (EventOfDefault.Status.WAIVED, "Alpha Fund Ltd. (J. Doe, director)", D(2000, 5, 25))
    with pytest.raises(ValidationError, match="cannot be accelerated"):
        svc.default_accelerate(eod=w, accelerated_date=D(2000, 5, 26), as_of=D(2000, 5, 26))


@pytest.mark.django_db
def test_a_payment_default_has_no_grace_period_and_cannot_be_cured(deal):
    eod = _record(deal, kind="a")
    assert eod.cure_deadline is None
    with pytest.raises(ValidationError, match="no grace period"):
        svc.default_cure(eod=eod, cured_date=D(2000, 5, 24), as_of=D(2000, 5, 24))


@pytest.mark.django_db
def test_covenant_breach_runs_thirty_days_from_the_holders_written_notice(deal):
    eod = _record(deal, kind="e")
    assert eod.cure_deadline is None
    eod = svc.default_notice_record(eod=eod, written_notice_date=D(2000, 6, 1), as_of=D(2000, 6, 1))
    assert eod.cure_deadline == D(2000, 7, 1)


@pytest.mark.django_db
def test_judgments_of_200000_or_less_are_not_an_event_of_default(deal):
    with pytest.raises(ValidationError, match="not in excess"):
        _record(deal, kind="i", judgment_total=Decimal("200000"))
    eod = _record(deal, kind="i", judgment_total=Decimal("200000.01"), proposed_sale_date=D(2000, 6, 10))
    assert eod.cure_deadline == D(2000, 6, 5)  # 5 days before the proposed sale, earlier than 60 days


@pytest.mark.django_db
def test_an_event_in_the_future_is_refused(deal):
    with pytest.raises(ValidationError, match="after the business date"):
        _record(deal, on=D(2000, 5, 25), as_of=D(2000, 5, 24))
