import json
from datetime import date

import pytest

from deals.terms.errors import InvalidInput
from deals.terms.notices import (
    Agreement,
    NoticeError,
    NoticeMethod,
    NoticeSending,
    address_change_effective,
    address_for,
    deemed_given,
)

M = NoticeMethod


def test_personal_delivery_is_given_the_day_delivered_even_on_a_weekend():
    d = deemed_given(NoticeSending(M.PERSONAL_DELIVERY, date(2000, 7, 1)))  # a Saturday
    assert d.deemed_given_on == date(2000, 7, 1)


def test_confirmed_fax_is_given_the_day_confirmed_even_on_a_holiday():
    d = deemed_given(NoticeSending(M.FAX, date(2000, 7, 4)))
    assert d.deemed_given_on == date(2000, 7, 4) and d.by is M.FAX


def test_registered_mail_is_given_on_the_seventh_business_day_after_deposit():
    # deposited Thu 2000-06-29: 6/30, 7/3, (7/4 holiday), 7/5, 7/6, 7/7, 7/10, 7/11
    assert deemed_given(NoticeSending(M.REGISTERED_MAIL, date(2000, 6, 29))).deemed_given_on == date(
        2000, 7, 11
    )


def test_courier_is_given_on_the_third_business_day_after_sending():
    # sent Wed 2000-11-22; Thanksgiving 11/23: 11/24, 11/27, 11/28
    assert deemed_given(NoticeSending(M.COURIER, date(2000, 11, 22))).deemed_given_on == date(2000, 11, 28)


def test_courier_sent_on_a_sunday_counts_from_monday():
    assert deemed_given(NoticeSending(M.COURIER, date(2000, 10, 1))).deemed_given_on == date(2000, 10, 4)


def test_the_earliest_of_several_sendings_wins():
    d = deemed_given(
        [
            NoticeSending(M.REGISTERED_MAIL, date(2000, 10, 2)),  # -> 10/12 (Columbus Day 10/9)
            NoticeSending(M.COURIER, date(2000, 10, 2)),  # -> 10/5
            NoticeSending(M.FAX, date(2000, 10, 6)),  # -> 10/6
        ]
    )
    assert d.deemed_given_on == date(2000, 10, 5) and d.by is M.COURIER
    assert len(d.working) == 3
    json.dumps(d.as_dict())


def test_actual_receipt_of_mail_does_not_bring_the_date_forward():
    d = deemed_given(NoticeSending(M.REGISTERED_MAIL, date(2000, 10, 2), delivered_on=date(2000, 10, 3)))
    # 10/3, 10/4, 10/5, 10/6, (10/9 Columbus Day), 10/10, 10/11, 10/12
    assert d.deemed_given_on == date(2000, 10, 12)


@pytest.mark.parametrize("method", [M.EMAIL, M.ORDINARY_MAIL])
def test_unrecognised_methods_are_refused(method):
    with pytest.raises(NoticeError):
        deemed_given(NoticeSending(method, date(2000, 10, 2)))


def test_unconfirmed_fax_and_personal_delivery_without_receipt_are_refused():
    with pytest.raises(NoticeError):
        deemed_given(NoticeSending(M.FAX, date(2000, 10, 2), confirmed=False))
    with pytest.raises(NoticeError):
        deemed_given(NoticeSending(M.PERSONAL_DELIVERY, date(2000, 10, 2), receipt_obtained=False))


def test_delivery_before_sending_and_empty_input_are_rejected():
    with pytest.raises(InvalidInput):
        deemed_given(NoticeSending(M.PERSONAL_DELIVERY, date(2000, 10, 2), delivered_on=date(2000, 10, 1)))
    with pytest.raises(InvalidInput):
        deemed_given([])


def test_spa_address_change_takes_effect_ten_days_after_notice():
    change = address_change_effective(notice_deemed_given_on=date(2000, 2, 25))
    assert change.effective_on == date(2000, 3, 6)  # leap year: 2/25 + 10 = 3/6
    assert address_for(sent_on=date(2000, 3, 5), old_address="old", new_address="new", change=change) == "old"
    assert address_for(sent_on=date(2000, 3, 6), old_address="old", new_address="new", change=change) == "new"
    json.dumps(change.as_dict())


def test_rra_address_change_takes_effect_when_given():
    change = address_change_effective(notice_deemed_given_on=date(2000, 2, 25), agreement=Agreement.RRA)
    assert change.effective_on == date(2000, 2, 25) and change.clause == "RRA 11(b)"
