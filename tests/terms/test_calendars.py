"""Trading and business day calendars (deals/terms/calendars.py)."""

from __future__ import annotations

from datetime import date

import pytest

from deals.terms.calendars import (
    add_business_days,
    add_trading_days,
    count_business_days,
    count_trading_days,
    is_business_day,
    is_trading_day,
    nth_business_day_after,
    previous_trading_day,
    roll_to_business_day,
    trading_closure_reason,
    trading_days_before,
    trading_days_between,
)
from deals.terms.errors import CalendarRangeError


def test_good_friday_is_a_business_day_but_not_a_trading_day():
    assert not is_trading_day(date(2000, 4, 21))
    assert is_business_day(date(2000, 4, 21))
    assert trading_closure_reason(date(2000, 4, 21)) == "Good Friday"


def test_september_2001_closures_are_not_trading_days():
    for day in range(11, 15):
        assert not is_trading_day(date(2001, 9, day))
        assert is_business_day(date(2001, 9, day))
    assert is_trading_day(date(2001, 9, 17))
    assert previous_trading_day(date(2001, 9, 17)) == date(2001, 9, 10)


def test_leap_day_2000_is_a_trading_day():
    assert is_trading_day(date(2000, 2, 29))
    assert add_trading_days(date(2000, 2, 28), 1) == date(2000, 2, 29)


def test_weekend_and_columbus_day():
    assert trading_closure_reason(date(2000, 4, 22)) == "weekend"
    assert is_trading_day(date(2000, 10, 9)) and not is_business_day(date(2000, 10, 9))


def test_add_business_days_never_counts_the_start():
    assert add_business_days(date(2000, 6, 30), 1) == date(2000, 7, 3)
    assert add_business_days(date(2000, 7, 3), 1) == date(2000, 7, 5)
    assert nth_business_day_after(date(2000, 4, 14), 5) == date(2000, 4, 21)
    assert add_business_days(date(2000, 7, 5), -1) == date(2000, 7, 3)


def test_zero_business_days_rolls_forward():
    assert add_business_days(date(2000, 7, 4), 0) == date(2000, 7, 5)
    assert roll_to_business_day(date(2000, 7, 4)) == date(2000, 7, 5)
    assert roll_to_business_day(date(2000, 7, 5)) == date(2000, 7, 5)


def test_count_business_days_counts_the_end_not_the_start():
    assert count_business_days(date(2000, 6, 6), date(2000, 6, 7)) == 1
    assert count_business_days(date(2000, 6, 6), date(2000, 6, 6)) == 0
    assert count_business_days(date(2000, 6, 30), date(2000, 7, 5)) == 2
    assert count_business_days(date(2000, 7, 5), date(2000, 6, 30)) == -2


def test_trading_day_windows():
    assert trading_days_before(date(2000, 4, 24), 1) == (date(2000, 4, 20),)
    assert trading_days_between(date(2000, 4, 20), date(2000, 4, 24)) == (
        date(2000, 4, 20),
        date(2000, 4, 24),
    )
    assert count_trading_days(date(2000, 4, 20), date(2000, 4, 24)) == 1


def test_nth_business_day_needs_a_positive_n():
    with pytest.raises(ValueError):
        nth_business_day_after(date(2000, 1, 3), 0)


@pytest.mark.parametrize("day", [date(1998, 12, 31), date(2036, 1, 1)])
def test_dates_outside_the_calendars_raise(day):
    with pytest.raises(CalendarRangeError):
        is_trading_day(day)


def test_look_back_leaving_the_range_raises():
    with pytest.raises(CalendarRangeError):
        trading_days_before(date(1999, 1, 8), 20)
