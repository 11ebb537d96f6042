"""Debenture redemption: Debenture 4(B)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D

import pytest

from deals.terms.errors import InvalidInput
from deals.terms.params import NHTC_DEFAULTS
from deals.terms.redemption import (
    can_convert_instead,
    convert_instead_deadline,
    redemption_due_date,
    redemption_quote,
    redemption_status,
)

T = NHTC_DEFAULTS
NOTICE = date(2000, 6, 1)  # Thursday


def test_payment_due_within_ten_business_days_of_the_notice():
    assert redemption_due_date(NOTICE, T) == date(2000, 6, 15)


def test_due_date_skips_independence_day():
    assert redemption_due_date(date(2000, 6, 30), T) == date(2000, 7, 17)


def test_redemption_price_is_120_percent_plus_interest_to_payment():
    q = redemption_quote(terms=T, principal=D("100000"), dated_date=date(2000, 1, 31), notice_date=NOTICE)
    assert q.payment_date == date(2000, 6, 15)
    assert q.premium_amount == D("120000.00")
    assert q.interest.start == date(2000, 2, 1)
    assert q.interest.days == 135
    assert q.interest.amount == D("2219.18")  # 100,000 x 6% x 135/365 = 2219.178
    assert q.amount == D("122219.18")
    json.dumps(q.as_dict())


def test_holder_may_convert_instead_within_five_business_days_of_receipt():
    assert convert_instead_deadline(date(2000, 6, 2), T) == date(2000, 6, 9)
    assert can_convert_instead(terms=T, received_on=date(2000, 6, 2), conversion_notice_on=date(2000, 6, 9))
    assert not can_convert_instead(
        terms=T, received_on=date(2000, 6, 2), conversion_notice_on=date(2000, 6, 12)
    )


def test_debenture_with_a_conversion_notice_cannot_be_redeemed():
    with pytest.raises(InvalidInput):
        redemption_quote(
            terms=T,
            principal=D("100000"),
            dated_date=date(2000, 1, 31),
            notice_date=NOTICE,
            conversion_notice_submitted=True,
        )


def test_payment_on_the_due_date_is_timely():
    s = redemption_status(terms=T, notice_date=NOTICE, as_of=date(2000, 6, 20), paid_on=date(2000, 6, 15))
    assert not s.late and not s.void


def test_payment_a_day_late_voids_the_redemption():
    s = redemption_status(terms=T, notice_date=NOTICE, as_of=date(2000, 6, 20), paid_on=date(2000, 6, 16))
    assert s.late and s.void
    json.dumps(s.as_dict())


def test_unpaid_after_due_date_voids_the_redemption():
    assert redemption_status(terms=T, notice_date=NOTICE, as_of=date(2000, 6, 16)).void
    assert not redemption_status(terms=T, notice_date=NOTICE, as_of=date(2000, 6, 15)).void
