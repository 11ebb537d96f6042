"""Cap Regulations: SPA 4(d)(ii) and 4(i)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D

import pytest

from deals.terms.calendars import trading_days_before
from deals.terms.cap import (
    cap_check,
    cap_limitation_redemption_amount,
    cap_shares,
    meeting_date,
    remedy_x_conversion,
    unconverted_shares,
)
from deals.terms.errors import InvalidInput, MissingPrices
from deals.terms.params import NHTC_DEFAULTS
from tests.terms.conftest import constant_prices

T = NHTC_DEFAULTS


def test_cap_is_twenty_percent_of_shares_at_signing():
    assert cap_shares(T) == 1_572_000


def test_cap_rounds_down():
    assert cap_shares(T, 7_860_003) == 1_572_000  # 1,572,000.6


def test_conversion_splits_at_the_cap():
    c = cap_check(terms=T, requested_shares=100_000, shares_issued_before=1_500_000)
    assert (c.room, c.within_cap, c.over_cap, c.fits) == (72_000, 72_000, 28_000, False)


def test_conversion_exactly_filling_the_cap_fits():
    c = cap_check(terms=T, requested_shares=72_000, shares_issued_before=1_500_000)
    assert c.fits and c.over_cap == 0


def test_no_room_once_the_cap_is_passed():
    c = cap_check(terms=T, requested_shares=10, shares_issued_before=1_600_000)
    assert c.room == 0 and c.over_cap == 10


def test_stockholder_approval_lifts_the_cap():
    c = cap_check(
        terms=T, requested_shares=100_000, shares_issued_before=1_572_000, stockholder_approval=True
    )
    assert c.fits


def test_unconverted_shares_are_whole_preferred_shares_that_do_not_fit():
    s = unconverted_shares(terms=T, preferred_shares=50, conversion_price=D("1.2"), room=12_000)
    assert s.convertible_preferred == 14  # 14 x 833.33 = 11,667; 15 -> 12,500
    assert s.common_shares == 11_667
    assert s.unconverted_preferred == 36


def test_all_preferred_convert_when_room_suffices():
    s = unconverted_shares(terms=T, preferred_shares=5, conversion_price=D("1.2"), room=1_000_000)
    assert s.unconverted_preferred == 0


def test_remedy_y_is_v_times_m_over_cp_with_m_the_highest_close_to_payment():
    redemption = date(2000, 4, 17)
    prices = constant_prices("1.40")
    prices[date(2000, 4, 20)] = D("1.50")  # the high; 4/21 Good Friday has no close
    r = cap_limitation_redemption_amount(
        terms=T,
        unconverted_preferred=10,
        accrued_dividends_per_share=D("20"),
        conversion_price=D("1.2"),
        closing_prices=prices,
        redemption_date=redemption,
        payment_date=date(2000, 4, 25),
    )
    assert r.v == D("1020")
    assert r.m == D("1.50") and r.m_day == date(2000, 4, 20)
    assert date(2000, 4, 21) not in [p.day for p in r.m_window]
    assert r.amount == D("12750.00")  # 10 x 1020 x 1.50 / 1.20
    assert r.due_date == date(2000, 5, 17)
    assert not r.paid_late
    json.dumps(r.as_dict())


def test_remedy_y_paid_after_thirty_days_is_late():
    r = cap_limitation_redemption_amount(
        terms=T,
        unconverted_preferred=1,
        accrued_dividends_per_share=D("0"),
        conversion_price=D("1.2"),
        closing_prices=constant_prices("1.40"),
        redemption_date=date(2000, 4, 17),
        payment_date=date(2000, 5, 18),
    )
    assert r.paid_late


def test_remedy_y_needs_every_closing_price_in_the_period():
    prices = constant_prices("1.40")
    del prices[date(2000, 4, 18)]
    with pytest.raises(MissingPrices):
        cap_limitation_redemption_amount(
            terms=T,
            unconverted_preferred=1,
            accrued_dividends_per_share=D("0"),
            conversion_price=D("1.2"),
            closing_prices=prices,
            redemption_date=date(2000, 4, 17),
            payment_date=date(2000, 4, 19),
        )


def test_remedy_y_rejects_payment_before_redemption_date():
    with pytest.raises(InvalidInput):
        cap_limitation_redemption_amount(
            terms=T,
            unconverted_preferred=1,
            accrued_dividends_per_share=D("0"),
            conversion_price=D("1.2"),
            closing_prices=constant_prices("1.40"),
            redemption_date=date(2000, 4, 17),
            payment_date=date(2000, 4, 14),
        )


def test_remedy_x_converts_at_the_lowest_five_day_average():
    notice = date(2000, 9, 1)
    days = trading_days_before(notice, 60)
    prices = {d: D("2.00") for d in days}
    for d in days[10:15]:
        prices[d] = D("1.25")
    rx = remedy_x_conversion(terms=T, closing_prices=prices, notice_date=notice, amount=D("10000"))
    assert rx.window_price.price == D("1.2500")
    assert rx.shares == 8000


def test_meeting_date_is_75_days_after_ten_percent_issued():
    m = meeting_date(terms=T, issuances=[(date(2000, 4, 15), 286_000), (date(2000, 3, 1), 500_000)])
    assert m.threshold_shares == D("786000")
    assert m.trigger_date == date(2000, 4, 15)
    assert m.meeting_date == date(2000, 6, 29)
    assert m.basis == "x"


def test_meeting_date_is_the_next_meeting_if_earlier():
    m = meeting_date(
        terms=T, issuances=[(date(2000, 3, 1), 786_000)], next_stockholders_meeting=date(2000, 5, 1)
    )
    assert m.meeting_date == date(2000, 5, 1) and m.basis == "y"


def test_no_meeting_date_below_ten_percent_without_a_meeting():
    m = meeting_date(terms=T, issuances=[(date(2000, 3, 1), 785_999)])
    assert m.trigger_date is None and m.meeting_date is None
    json.dumps(m.as_dict())


# --- SPA 3(c), 4(i)(i): the authorized shares are a Cap Regulation (issue 12) ----------------------


@pytest.mark.parametrize("requested,within,over", [(9_999, 9_999, 0), (10_000, 10_000, 0), (10_001, 10_000, 1)])
def test_authorized_check_at_under_over(requested, within, over):
    from deals.terms.cap import authorized_check

    a = authorized_check(requested_shares=requested, authorized_shares=50_000_000, issued_shares=49_990_000)
    assert (a.available, a.within, a.over, a.fits) == (10_000, within, over, over == 0)
    assert a.as_dict()["clause"] == "SPA 3(c), 4(i) (Cap Regulations: authorized shares)"


def test_authorized_check_never_negative_and_refuses_negatives():
    from deals.terms.cap import authorized_check
    from deals.terms.errors import InvalidInput

    assert authorized_check(requested_shares=5, authorized_shares=100, issued_shares=120).available == 0
    with pytest.raises(InvalidInput):
        authorized_check(requested_shares=-1, authorized_shares=100, issued_shares=0)


def test_issuance_room_is_the_smaller_limit_unless_approved():
    from deals.terms.cap import authorized_check, cap_check, issuance_room

    auth = authorized_check(requested_shares=0, authorized_shares=50_000_000, issued_shares=49_995_000)  # 5,000
    capped = cap_check(terms=NHTC_DEFAULTS, requested_shares=0, shares_issued_before=1_570_000)  # 2,000 left
    assert issuance_room(capped, auth) == 2_000
    approved = cap_check(terms=NHTC_DEFAULTS, requested_shares=0, shares_issued_before=1_570_000, stockholder_approval=True)
    assert issuance_room(approved, auth) == 5_000
