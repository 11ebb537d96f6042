"""Debenture interest paragraph: "6% per annum accruing from the date of initial issuance. Accrual
of interest shall commence on the first such business day to occur after the date hereof" --
the Debenture keeps both dates (issue 16 item 3)."""

from datetime import date
from decimal import Decimal as D

from deals.terms.accruals import accrued_interest, debenture_interest_start
from deals.terms.params import NHTC_DEFAULTS as T
from deals.terms.redemption import redemption_quote


def test_interest_starts_the_first_business_day_after_the_dated_date():
    # dated Monday 1999-11-22, issued the same day -> accrual commences Tuesday 1999-11-23
    acc = accrued_interest(terms=T, principal=D("100000"), dated_date=date(1999, 11, 22),
                           issued_date=date(1999, 11, 22), to_date=date(2000, 3, 1))
    assert acc.start == date(1999, 11, 23)
    assert "first business day after the Debenture's date 1999-11-22" in acc.start_reason


def test_dated_friday_before_thanksgiving_weekend_skips_to_the_next_business_day():
    # dated Wednesday 1999-11-24; Thursday 11-25 is Thanksgiving -> Friday 1999-11-26
    assert debenture_interest_start(date(1999, 11, 24)) == date(1999, 11, 26)


def test_a_later_date_of_initial_issuance_drives_the_start():
    # dated 1999-11-22 but issued (paid for) on 1999-12-01: no interest before the money is advanced
    acc = accrued_interest(terms=T, principal=D("100000"), dated_date=date(1999, 11, 22),
                           issued_date=date(1999, 12, 1), to_date=date(2000, 3, 1))
    assert acc.start == date(1999, 12, 1)
    assert "date of initial issuance, 1999-12-01" in acc.start_reason


def test_issuance_on_the_first_business_day_after_the_dated_date_changes_nothing():
    # edge: issued exactly on the first business day after its date -> still "the date hereof" drives it
    acc = accrued_interest(terms=T, principal=D("100000"), dated_date=date(1999, 11, 22),
                           issued_date=date(1999, 11, 23), to_date=date(2000, 3, 1))
    assert acc.start == date(1999, 11, 23) and "date hereof" in acc.start_reason
    later = accrued_interest(terms=T, principal=D("100000"), dated_date=date(1999, 11, 22),
                             issued_date=date(1999, 11, 24), to_date=date(2000, 3, 1))
    assert later.start == date(1999, 11, 24) and later.amount < acc.amount


def test_an_issuance_before_the_dated_date_does_not_start_interest_early():
    acc = accrued_interest(terms=T, principal=D("100000"), dated_date=date(1999, 11, 22),
                           issued_date=date(1999, 11, 15), to_date=date(2000, 3, 1))
    assert acc.start == date(1999, 11, 23)


def test_interest_paid_up_to_a_date_says_so():
    acc = accrued_interest(terms=T, principal=D("100000"), dated_date=date(1999, 11, 22),
                           to_date=date(2000, 3, 1), paid_through=date(2000, 1, 3))
    assert acc.start == date(2000, 1, 3) and "paid up to 2000-01-03" in acc.start_reason


def test_redemption_interest_uses_both_dates():
    q = redemption_quote(terms=T, principal=D("100000"), dated_date=date(1999, 11, 22),
                         issued_date=date(1999, 12, 1), notice_date=date(2000, 3, 1))
    assert q.interest.start == date(1999, 12, 1)
    assert q.as_dict()["interest"]["start_reason"].startswith("the date of initial issuance")
