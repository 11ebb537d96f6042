"""SPA 10: deemed-given dates by method; address changes effective 10 days after notice."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from deals.services.company import outbound as svc

D = datetime.date


def _user():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get_or_create(username="notice-admin")[0]


@pytest.mark.parametrize(
    "method,expected",
    [("personal", D(2000, 5, 26)), ("fax", D(2000, 5, 26)), ("courier", D(2000, 6, 1)), ("mail", D(2000, 6, 7))],
)
@pytest.mark.django_db
def test_deemed_given_by_method_over_memorial_day(deal, method, expected):
    n = svc.outbound_notice_record(
        investor=deal["a"], subject="Notice of Redemption", kind="redemption", method=method, sent_date=D(2000, 5, 26), user=_user()
    )
    assert n.deemed_given_date == expected


@pytest.mark.django_db
def test_a_new_address_takes_effect_ten_days_after_its_notice(deal):
    change = svc.address_change_record(
        investor=deal["a"], notice_method="fax", notice_sent_date=D(2000, 4, 3), new_address="1 New Street, Nassau"
    )
    assert change.effective_date == D(2000, 4, 13)
    before = svc.outbound_notice_record(investor=deal["a"], subject="x", kind="other", method="fax", sent_date=D(2000, 4, 12), user=_user())
    on = svc.outbound_notice_record(investor=deal["a"], subject="x", kind="other", method="fax", sent_date=D(2000, 4, 13), user=_user())
    assert before.address_used == deal["a"].notice_address
    assert on.address_used == "1 New Street, Nassau"


@pytest.mark.django_db
def test_a_change_notice_by_courier_counts_from_its_deemed_given_date(deal):
    change = svc.address_change_record(
        investor=deal["a"], notice_method="courier", notice_sent_date=D(2000, 5, 26), new_address="2 Other Street"
    )
    assert (change.notice_date, change.effective_date) == (D(2000, 6, 1), D(2000, 6, 11))


@pytest.mark.django_db
def test_delivery_before_sending_is_refused(deal):
    with pytest.raises(ValidationError, match="before it was sent"):
        svc.outbound_notice_record(
            investor=deal["a"],
            subject="x",
            kind="other",
            method="personal",
            sent_date=D(2000, 5, 26),
            delivered_date=D(2000, 5, 25),
            user=_user(),
        )
