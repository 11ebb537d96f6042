import json
from datetime import date
from decimal import Decimal as D

import pytest

from deals.terms.errors import InvalidInput
from deals.terms.events import (
    CureKind,
    DefaultStatus,
    EventOfDefault,
    acceleration_amount,
    assess_default,
    cure_deadline,
    judgment_threshold_exceeded,
)

E = EventOfDefault


def test_every_letter_a_to_k_has_a_kind_and_a_summary():
    assert [e.value for e in E] == list("abcdefghijk")
    assert all(e.summary and e.clause == f"Debenture 10({e.value})" for e in E)


def test_c_and_d_are_the_same_event():
    assert E.SHARE_DELIVERY_DUPLICATE.canonical is E.SHARE_DELIVERY
    assert E.SHARE_DELIVERY_DUPLICATE.cure_kind is E.SHARE_DELIVERY.cure_kind is CureKind.BUSINESS_DAYS
    assert E.PAYMENT.canonical is E.PAYMENT


@pytest.mark.parametrize("event", [E.PAYMENT, E.MISREPRESENTATION, E.INSOLVENCY_ACT])
def test_events_without_grace_are_defaults_the_same_day(event):
    a = assess_default(event, occurred_on=date(2000, 3, 1), as_of=date(2000, 3, 1), cured_on=date(2000, 3, 1))
    assert a.status is DefaultStatus.EVENT_OF_DEFAULT and a.event_of_default_on == date(2000, 3, 1)


def test_share_delivery_failure_has_five_business_days_skipping_presidents_day():
    # failure Wed 2000-02-16; 2/21 is Presidents' Day: 2/17, 2/18, 2/22, 2/23, 2/24
    d = cure_deadline(E.SHARE_DELIVERY, occurred_on=date(2000, 2, 16))
    assert d.cure_by == date(2000, 2, 24)


@pytest.mark.parametrize(
    "cured_on,as_of,status,eod_on",
    [
        (date(2000, 2, 24), date(2000, 3, 1), DefaultStatus.CURED, None),  # on the last day
        (
            date(2000, 2, 25),
            date(2000, 3, 1),
            DefaultStatus.EVENT_OF_DEFAULT,
            date(2000, 2, 25),
        ),  # a day late
        (None, date(2000, 2, 24), DefaultStatus.IN_CURE_PERIOD, None),
        (None, date(2000, 2, 25), DefaultStatus.EVENT_OF_DEFAULT, date(2000, 2, 25)),
    ],
)
def test_share_delivery_cure_edges(cured_on, as_of, status, eod_on):
    a = assess_default(
        E.SHARE_DELIVERY_DUPLICATE, occurred_on=date(2000, 2, 16), as_of=as_of, cured_on=cured_on
    )
    assert (a.status, a.event_of_default_on) == (status, eod_on)


def test_covenant_breach_needs_notice_then_thirty_days():
    waiting = assess_default(E.COVENANT, occurred_on=date(2000, 1, 10), as_of=date(2000, 6, 1))
    assert waiting.status is DefaultStatus.AWAITING_NOTICE
    d = cure_deadline(E.COVENANT, occurred_on=date(2000, 1, 10), notice_on=date(2000, 1, 31))
    assert d.cure_by == date(2000, 3, 1)  # 2000 is a leap year: 1/31 + 30 = 3/1
    late = assess_default(
        E.COVENANT, occurred_on=date(2000, 1, 10), notice_on=date(2000, 1, 31), as_of=date(2000, 3, 2)
    )
    assert late.status is DefaultStatus.EVENT_OF_DEFAULT and late.event_of_default_on == date(2000, 3, 2)


def test_notice_before_the_failure_is_rejected():
    with pytest.raises(InvalidInput):
        cure_deadline(E.COVENANT, occurred_on=date(2000, 1, 10), notice_on=date(2000, 1, 9))


@pytest.mark.parametrize("event", [E.RECEIVER, E.GOVERNMENT_CUSTODY, E.BANKRUPTCY])
def test_receiver_custody_and_involuntary_bankruptcy_have_sixty_days(event):
    assert cure_deadline(event, occurred_on=date(2000, 1, 1)).cure_by == date(2000, 3, 1)


def test_voluntary_bankruptcy_is_immediate():
    d = cure_deadline(E.BANKRUPTCY, occurred_on=date(2000, 1, 1), instituted_by_company=True)
    assert d.immediate and d.cure_by is None
    assert cure_deadline(E.BANKRUPTCY, occurred_on=date(2000, 1, 1), company_acquiesced=True).immediate


def test_judgment_over_200000_has_sixty_days_or_five_days_before_sale():
    assert cure_deadline(E.JUDGMENT, occurred_on=date(2000, 1, 1)).cure_by == date(2000, 3, 1)
    early_sale = cure_deadline(E.JUDGMENT, occurred_on=date(2000, 1, 1), proposed_sale_on=date(2000, 2, 1))
    assert early_sale.cure_by == date(2000, 1, 27)


def test_judgments_of_exactly_200000_are_not_an_event():
    assert not judgment_threshold_exceeded(D("200000"))
    assert judgment_threshold_exceeded(D("200000.01"))
    a = assess_default(
        E.JUDGMENT, occurred_on=date(2000, 1, 1), as_of=date(2000, 6, 1), judgment_total=D("200000")
    )
    assert a.status is DefaultStatus.NOT_AN_EVENT
    with pytest.raises(InvalidInput):
        assess_default(E.JUDGMENT, occurred_on=date(2000, 1, 1), as_of=date(2000, 6, 1))


def test_trading_suspension_of_one_business_day_is_not_a_default():
    # suspended Fri 2000-03-03, resumes Mon 3/6: one business day
    ok = assess_default(
        E.DELISTING, occurred_on=date(2000, 3, 3), as_of=date(2000, 3, 10), cured_on=date(2000, 3, 6)
    )
    assert ok.status is DefaultStatus.CURED
    bad = assess_default(
        E.DELISTING, occurred_on=date(2000, 3, 3), as_of=date(2000, 3, 10), cured_on=date(2000, 3, 7)
    )
    assert bad.status is DefaultStatus.EVENT_OF_DEFAULT


def test_weekend_trading_suspension_counts_from_the_next_business_day():
    # suspended Sat 2000-12-23; Mon 12/25 holiday -> first business day Tue 12/26, resume by Wed 12/27
    assert cure_deadline(E.DELISTING, occurred_on=date(2000, 12, 23)).cure_by == date(2000, 12, 27)


def test_assessment_rejects_dates_out_of_order():
    with pytest.raises(InvalidInput):
        assess_default(E.PAYMENT, occurred_on=date(2000, 3, 2), as_of=date(2000, 3, 1))
    with pytest.raises(InvalidInput):
        assess_default(
            E.RECEIVER, occurred_on=date(2000, 3, 2), as_of=date(2000, 3, 5), cured_on=date(2000, 3, 1)
        )


def test_acceleration_is_principal_plus_accrued_interest_without_premium():
    a = acceleration_amount(principal_outstanding=D("100000"), accrued_interest=D("1234.567"))
    assert a.total == D("101234.57")
    json.dumps(a.as_dict())
    json.dumps(assess_default(E.PAYMENT, occurred_on=date(2000, 3, 1), as_of=date(2000, 3, 1)).as_dict())


def test_acceleration_rejects_negative_or_empty_amounts():
    with pytest.raises(InvalidInput):
        acceleration_amount(principal_outstanding=D("-1"), accrued_interest=D("0"))
    with pytest.raises(InvalidInput):
        acceleration_amount(principal_outstanding=D("0"), accrued_interest=D("0"))
