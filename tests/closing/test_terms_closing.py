"""Engine rules for the closing (SPA 1(d), 6(a), 7, 8; Debenture 1, 4(A), face)."""

from datetime import date
from decimal import Decimal

import pytest

from deals.terms import closing as c
from deals.terms.errors import InvalidInput


def test_escrow_deadline_is_third_nyse_trading_day_after_acceptance_skipping_mlk_day():
    # Accepted Wed 2000-01-12: Thu 13, Fri 14, (Mon 17 Martin Luther King Day: NYSE shut), Tue 18.
    assert c.escrow_deposit_deadline(date(2000, 1, 12)).due == date(2000, 1, 18)


def test_escrow_deadline_from_a_saturday_acceptance():
    assert c.escrow_deposit_deadline(date(2000, 1, 8)).due == date(2000, 1, 12)


@pytest.mark.parametrize(("deposited", "late"), [(date(2000, 1, 14), False), (date(2000, 1, 18), False), (date(2000, 1, 19), True)])
def test_deposit_before_on_after_deadline(deposited, late):
    assert c.deposit_is_late(c.escrow_deposit_deadline(date(2000, 1, 12)), deposited) is late


def _all_met(day, **overrides):
    return [c.ConditionState(x.code, overrides.get(x.code.replace("(", "").replace(")", ""), day)) for x in c.CONDITIONS]


def test_conditions_are_the_thirteen_clauses_of_spa_7_and_8_each_citing_its_clause():
    assert [x.clause for x in c.CONDITIONS] == [f"SPA 7({k})" for k in "abcde"] + [f"SPA 8({k})" for k in "abcdefgh"]
    assert {x.in_favour_of for x in c.CONDITIONS if x.code.startswith("7")} == {c.COMPANY}
    assert "opinion of counsel" in c.condition("8(f)").text


def test_closing_date_is_first_trading_day_after_last_condition():
    states = _all_met(date(2000, 1, 10), **{"8f": date(2000, 1, 14)})
    result = c.closing_date_for(states)
    assert result.last_condition_met_on == date(2000, 1, 14)
    assert result.closing_date == date(2000, 1, 18)  # Monday 17th is MLK day


def test_closing_date_is_the_next_day_even_when_the_last_condition_falls_on_a_trading_day():
    assert c.closing_date_for(_all_met(date(2000, 1, 19))).closing_date == date(2000, 1, 20)


def test_open_condition_leaves_closing_date_unknown_and_lists_it():
    states = _all_met(date(2000, 1, 10), **{"7b": None, "8c": None})
    result = c.closing_date_for(states)
    assert result.closing_date is None
    assert result.missing == ("SPA 7(b)", "SPA 8(c)")


def test_missing_state_counts_as_open():
    assert c.closing_date_for([]).missing == tuple(x.clause for x in c.CONDITIONS)


def test_unknown_condition_code_refused():
    with pytest.raises(InvalidInput, match="9\\(z\\)"):
        c.closing_date_for([c.ConditionState("9(z)", date(2000, 1, 3))])


@pytest.mark.parametrize(("day", "ok"), [(date(2000, 1, 14), False), (date(2000, 1, 18), True), (date(2000, 1, 19), True)])
def test_closing_recorded_before_on_after_the_closing_date(day, ok):
    result = c.closing_date_for(_all_met(date(2000, 1, 14)))
    if ok:
        c.check_closing_on(result, day)
    else:
        with pytest.raises(InvalidInput, match="2000-01-18"):
            c.check_closing_on(result, day)


def test_closing_with_open_condition_refused_naming_it():
    with pytest.raises(InvalidInput, match=r"SPA 8\(f\) still open"):
        c.check_closing_on(c.closing_date_for(_all_met(date(2000, 1, 14), **{"8f": None})), date(2000, 2, 1))


@pytest.mark.parametrize("amount", ["100000", "300000", "1300000"])
def test_denominations_of_100k_multiples_accepted(amount):
    c.check_denomination(Decimal(amount))


@pytest.mark.parametrize("amount", ["50000", "150000", "0", "-100000", "100000.01"])
def test_other_denominations_refused_with_clause(amount):
    with pytest.raises(InvalidInput, match="Debenture 1"):
        c.check_denomination(Decimal(amount))


def test_exchange_must_equal_outstanding():
    assert c.check_exchange(Decimal("300000"), [Decimal("100000"), Decimal("200000")]) == (
        Decimal("100000"),
        Decimal("200000"),
    )
    with pytest.raises(InvalidInput, match="equal aggregate"):
        c.check_exchange(Decimal("300000"), [Decimal("100000"), Decimal("100000")])
    with pytest.raises(InvalidInput, match="Debenture 1"):
        c.check_exchange(Decimal("300000"), [Decimal("150000"), Decimal("150000")])


def test_split_principal_into_equal_100k_multiples():
    assert c.split_principal(Decimal("500000"), parts=2) == (Decimal("300000"), Decimal("200000"))
    assert c.split_principal(Decimal("500000")) == (Decimal("500000"),)
    with pytest.raises(InvalidInput):
        c.split_principal(Decimal("200000"), parts=3)


def test_maturity_record_date_is_tenth_day_before_maturity():
    assert c.maturity_record_date(date(2000, 3, 31)) == date(2000, 3, 21)


def test_debenture_convertibility_dates_run_in_calendar_days_from_closing():
    conv = c.debenture_convertibility(date(1999, 12, 1))
    assert conv.first_tranche_from == date(2000, 2, 29)
    assert conv.full_from == date(2000, 3, 30)


def test_restricted_period_is_one_year_from_later_of_offer_and_final_closing():
    p = c.restricted_period_end(final_closing_date=date(2000, 1, 18), first_offered_on=date(2000, 1, 3))
    assert (p.starts, p.ends, p.free_from) == (date(2000, 1, 18), date(2001, 1, 17), date(2001, 1, 18))
    assert p.contains(date(2001, 1, 17)) and not p.contains(date(2001, 1, 18))
    later = c.restricted_period_end(final_closing_date=date(2000, 1, 18), first_offered_on=date(2000, 2, 1))
    assert later.free_from == date(2001, 2, 1)


def test_restricted_period_from_feb_29_ends_feb_27_next_year():
    p = c.restricted_period_end(final_closing_date=date(2000, 2, 29))
    assert p.free_from == date(2001, 2, 28)
