import json
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deals.terms.errors import InvalidInput
from deals.terms.misc import (
    add_months,
    add_years,
    amendment_consent,
    assignment_check,
    indemnification_survival,
    month_end,
    restricted_period,
)

# --- date helpers ------------------------------------------------------------


@pytest.mark.parametrize(
    "d,months,expected",
    [
        (date(2000, 1, 31), 1, date(2000, 2, 29)),
        (date(2001, 1, 31), 1, date(2001, 2, 28)),
        (date(2000, 3, 31), -1, date(2000, 2, 29)),
        (date(2000, 12, 15), 1, date(2001, 1, 15)),
        (date(2001, 1, 15), -12, date(2000, 1, 15)),
    ],
)
def test_add_months_clamps_to_month_end(d, months, expected):
    assert add_months(d, months) == expected


def test_leap_day_anniversary_is_february_28():
    assert add_years(date(2000, 2, 29), 1) == date(2001, 2, 28)
    assert add_years(date(2000, 2, 29), 4) == date(2004, 2, 29)
    assert month_end(date(2000, 2, 3)) == date(2000, 2, 29)


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2050, 1, 1)), st.integers(-240, 240))
def test_add_months_lands_in_the_right_month_and_never_later_day(d, n):
    r = add_months(d, n)
    assert (r.year * 12 + r.month) - (d.year * 12 + d.month) == n
    assert r.day <= d.day


# --- SPA 2(b)(iv) Restricted Period -----------------------------------------------


def test_restricted_period_runs_one_year_from_the_later_anchor():
    p = restricted_period(first_offered_on=date(2000, 3, 1), final_closing_on=date(2000, 3, 31))
    assert p.commences_on == date(2000, 3, 31) and p.anchor.startswith("(B)")
    assert p.last_restricted_day == date(2001, 3, 30)
    assert p.first_unrestricted_day == date(2001, 3, 31)
    assert p.is_restricted(date(2001, 3, 30)) and not p.is_restricted(date(2001, 3, 31))
    json.dumps(p.as_dict())


def test_restricted_period_uses_the_offering_date_when_it_is_later():
    p = restricted_period(first_offered_on=date(2000, 4, 10), final_closing_on=date(2000, 3, 31))
    assert p.commences_on == date(2000, 4, 10) and p.anchor.startswith("(A)")


def test_restricted_period_from_a_leap_day():
    p = restricted_period(first_offered_on=date(2000, 2, 1), final_closing_on=date(2000, 2, 29))
    assert p.first_unrestricted_day == date(2001, 2, 28)
    assert p.last_restricted_day == date(2001, 2, 27)


# --- RRA 10 amendments ---------------------------------------------------------------

HOLDINGS = {"A": D("500000"), "B": D("170000"), "C": D("330000")}


def test_amendment_passes_with_exactly_67_percent_and_the_company():
    r = amendment_consent(holdings=HOLDINGS, consenting=["A", "B"], company_consents=True)
    assert r.consenting_pct == D("67") and r.passes
    json.dumps(r.as_dict())


def test_amendment_fails_just_under_67_percent():
    holdings = {"A": D("500000"), "B": D("169999"), "C": D("330001")}
    r = amendment_consent(holdings=holdings, consenting=["A", "B"], company_consents=True)
    assert not r.passes and "RRA 10" in r.reasons[0]


def test_amendment_needs_the_company_too():
    r = amendment_consent(holdings=HOLDINGS, consenting=["A", "B", "C"], company_consents=False)
    assert not r.passes and "Company" in r.reasons[0]


def test_unknown_consenting_holder_and_empty_holdings_are_rejected():
    with pytest.raises(InvalidInput):
        amendment_consent(holdings=HOLDINGS, consenting=["Z"], company_consents=True)
    with pytest.raises(InvalidInput):
        amendment_consent(holdings={"A": D("0")}, consenting=["A"], company_consents=True)


def test_consenting_twice_counts_once():
    r = amendment_consent(holdings=HOLDINGS, consenting=["A", "A"], company_consents=True)
    assert r.consenting_liquidation_preference == D("500000")


# --- RRA 9 assignment -------------------------------------------------------------------


def assign(**overrides):
    kwargs = dict(
        written_assignment_furnished=True,
        transferee_notice_furnished=True,
        further_disposition_restricted=True,
        transferee_bound_in_writing=True,
        transfer_disclosed_on=date(2000, 9, 1),
        initial_effective_date=date(2000, 8, 1),
        converted_liquidation_preference=D("100000"),
    )
    kwargs.update(overrides)
    return assignment_check(**kwargs)


def test_assignment_after_effectiveness_needs_at_least_100000_converted():
    assert assign().assigned
    r = assign(converted_liquidation_preference=D("99999.99"))
    assert not r.assigned and [c.letter for c in r.unmet] == ["e"]


def test_assignment_disclosed_before_effectiveness_needs_no_minimum():
    assert assign(transfer_disclosed_on=date(2000, 7, 31), converted_liquidation_preference=D("0")).assigned
    assert not assign(
        transfer_disclosed_on=date(2000, 8, 1), converted_liquidation_preference=D("0")
    ).assigned


def test_assignment_fails_on_any_missing_condition():
    r = assign(transferee_bound_in_writing=False)
    assert not r.assigned and [c.letter for c in r.unmet] == ["d"]
    json.dumps(r.as_dict())


# --- Indemnification 6 ----------------------------------------------------------------------


def test_indemnity_operative_through_2009_10_31():
    s = indemnification_survival()
    assert s.last_operative_day == date(2009, 10, 31)
    assert s.is_operative(date(2009, 10, 31)) and not s.is_operative(date(2009, 11, 1))
    assert not s.is_operative(date(2006, 10, 30))
