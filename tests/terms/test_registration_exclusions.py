"""RRA 2(b)(vi) and RRA 9 in the engine: days on which Periodic Amounts "shall not be payable".

(i) "to the extent any delay in the effectiveness ... occurs because of an act of, or a failure to
act or to act timely by the Initial Investor or its counsel"; RRA 9 "In the event of any delay in
filing or effectiveness ... as a result of such assignment, the Company shall not be liable";
(ii) "in the event all of the Registrable Securities may be sold pursuant to Rule 144".
"""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deals.terms.errors import InvalidInput
from deals.terms.registration import LatenessKind, excused_day_set, periodic_amounts

CLOSING = date(2000, 3, 31)
TRIGGER = CLOSING + timedelta(days=90)  # Anticipated Initial Effective Date, RRA 2(b)(i)
MILLION = D("1000000")


def day(n: int) -> date:
    return CLOSING + timedelta(days=n)


def run(excused=(), cured=165, rule_144_from=None, as_of=None):
    return periodic_amounts(
        kind=LatenessKind.REQUIRED_EFFECTIVE_DATE,
        trigger_date=TRIGGER,
        base=MILLION,
        cured_on=day(cured) if cured else None,
        as_of=as_of,
        excused=excused,
        rule_144_from=rule_144_from,
    )


def test_no_excused_days_keeps_the_rra_example():
    assert run().total == D("50000.00")  # 2% + 2% + 1% (RRA 2(b)(iii) example)
    assert all(line.excused_days == 0 for line in run().lines)


def test_ten_excused_days_in_the_first_period_prorate_it():
    # RRA 2(b)(vi)(i): the investor's counsel held the statement days 91..100
    result = run(excused=[(day(91), day(100))])
    first = result.lines[0]
    assert (first.days, first.excused_days, first.payable_days) == (30, 10, 20)
    assert first.prorated and first.amount == D("13333.33")  # 2% x 20/30 of $1,000,000
    assert [line.computation_date for line in result.lines] == [day(120), day(150), day(165)]  # dates do not move
    assert result.total == D("43333.33")


def test_edges_the_trigger_day_itself_is_never_counted():
    # day 90 (the Required Effective Date) is not a Periodic Amount day, so excusing it changes nothing
    assert run(excused=[(day(90), day(90))]).total == D("50000.00")


def test_edges_the_computation_date_belongs_to_its_own_period():
    on_cd = run(excused=[(day(120), day(120))])
    after_cd = run(excused=[(day(121), day(121))])
    assert (on_cd.lines[0].excused_days, on_cd.lines[1].excused_days) == (1, 0)
    assert (after_cd.lines[0].excused_days, after_cd.lines[1].excused_days) == (0, 1)
    assert on_cd.total == after_cd.total == D("50000.00") - D("666.67")


def test_a_wholly_excused_period_costs_nothing():
    result = run(excused=[(day(91), day(120))])
    assert result.lines[0].amount == 0 and result.lines[0].payable_days == 0
    assert result.total == D("30000.00")


def test_excused_days_also_reduce_the_accruing_part():
    result = run(cured=None, as_of=day(130), excused=[(day(125), day(126))])
    assert result.accruing.days == 10 and result.accruing.excused_days == 2
    assert result.accruing.amount == D("5333.33")  # 2% x 8/30


def test_overlapping_spans_count_a_day_once():
    assert run(excused=[(day(91), day(100)), (day(95), day(105))]).lines[0].excused_days == 15


def test_a_span_that_ends_before_it_begins_is_refused():
    with pytest.raises(InvalidInput, match="ends"):
        excused_day_set([(day(100), day(99))])


def test_rule_144_and_excused_days_together():
    # RRA 2(b)(vi)(ii): all freely saleable from day 140 -> the schedule ends on day 139
    result = run(excused=[(day(91), day(100))], rule_144_from=day(140))
    assert [line.computation_date for line in result.lines] == [day(120), day(139)]
    assert result.total == D("13333.33") + D("12666.67")  # 2% x 20/30 + 2% x 19/30


@given(
    start=st.integers(min_value=80, max_value=170),
    length=st.integers(min_value=0, max_value=40),
)
def test_every_payable_day_is_charged_once_and_excused_days_never_cost(start, length):
    """Independent reading: each late day (91..165) not excused costs 2%/30 of the base."""
    spans = [(day(start), day(start + length))]
    result = run(excused=spans)
    excused = {day(start + i) for i in range(length + 1)}
    payable = sum(1 for n in range(91, 166) if day(n) not in excused)
    assert sum(line.payable_days for line in result.lines) == payable
    assert abs(result.total - MILLION * D("0.02") * payable / 30) <= D("0.01") * len(result.lines)
