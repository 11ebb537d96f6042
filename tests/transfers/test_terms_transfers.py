"""Engine rules for transfers (SPA 2(b)(iv), 4(b), 5(a), 5(e); RRA 9; Debenture 7)."""

from datetime import date
from decimal import Decimal

import pytest

from deals.terms import transfers as t
from deals.terms.closing import restricted_period_end
from deals.terms.errors import InvalidInput

PERIOD = restricted_period_end(final_closing_date=date(2000, 1, 18))  # ends 2001-01-17


def _rights(**kw):
    base = dict(
        liquidation_preference=Decimal("100000"),
        transfer_date=date(2000, 6, 1),
        initial_effective_date=date(2000, 4, 15),
        written_assignment=True,
        notice_to_company=True,
        transferee_bound=True,
    )
    base.update(kw)
    return t.rights_assignment(**base)


def test_rights_follow_at_100k_after_effective_date():
    assert _rights().follow


def test_rights_do_not_follow_below_100k_after_effective_date():
    r = _rights(liquidation_preference=Decimal("99000"))
    assert not r.follow and "RRA 9(e)" in r.reason and "$99,000.00" in r.reason


def test_any_amount_follows_before_the_initial_effective_date():
    assert _rights(liquidation_preference=Decimal("1000"), transfer_date=date(2000, 4, 14)).follow
    # on the Effective Date itself the transfer is no longer "prior to" it
    assert not _rights(liquidation_preference=Decimal("1000"), transfer_date=date(2000, 4, 15)).follow


def test_missing_paperwork_keeps_rights_from_following():
    r = _rights(transferee_bound=False)
    assert not r.follow and "(d)" in r.reason


@pytest.mark.parametrize(("day", "refused"), [(date(2001, 1, 16), True), (date(2001, 1, 17), True), (date(2001, 1, 18), False)])
def test_transfer_to_us_person_before_on_after_restricted_period_end(day, refused):
    if refused:
        with pytest.raises(InvalidInput, match="2001-01-17"):
            t.check_restricted_period(period=PERIOD, day=day, assignee_non_us=False)
    else:
        t.check_restricted_period(period=PERIOD, day=day, assignee_non_us=False)


def test_offshore_transfer_to_non_us_person_allowed_inside_period():
    t.check_restricted_period(period=PERIOD, day=date(2000, 6, 1), assignee_non_us=True)


def test_legend_removal_refused_inside_period():
    with pytest.raises(InvalidInput, match="2001-01-18"):
        t.check_restricted_period(period=PERIOD, day=date(2001, 1, 17), assignee_non_us=None, action="legend removal")
    t.check_restricted_period(period=PERIOD, day=date(2001, 1, 18), assignee_non_us=None, action="legend removal")


def test_series_j_amount_whole_shares_within_holding():
    assert t.check_series_j_amount(Decimal("100000"), Decimal("400000")) == 100
    with pytest.raises(InvalidInput, match="exceeds"):
        t.check_series_j_amount(Decimal("500000"), Decimal("400000"))
    with pytest.raises(InvalidInput, match="SPA 1\\(b\\)\\(iv\\)"):
        t.check_series_j_amount(Decimal("1500.50"), Decimal("400000"))


def test_legend_deadline_three_business_days_over_a_holiday():
    # Opinion received Fri 2000-05-26; Mon 29 is Memorial Day: Tue 30, Wed 31, Thu Jun 1.
    assert t.legend_removal_deadline(date(2000, 5, 26)).due == date(2000, 6, 1)


def test_sale_window_fifteen_calendar_days_after_receipt():
    w = t.sale_conversion_window(date(2000, 2, 1))
    assert (w.convert_by, w.prepay_from) == (date(2000, 2, 16), date(2000, 2, 17))


def test_dwac_refused_for_legended_shares():
    with pytest.raises(InvalidInput, match="SPA 5\\(e\\)"):
        t.check_dwac(requested=True, legended=True, fast_participant=True, dtc_account="0123")
    t.check_dwac(requested=True, legended=False, fast_participant=True, dtc_account="0123")
    t.check_dwac(requested=False, legended=True, fast_participant=False, dtc_account="")
    with pytest.raises(InvalidInput, match="DTC participant"):
        t.check_dwac(requested=True, legended=False, fast_participant=True, dtc_account=" ")
