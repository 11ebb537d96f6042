import json
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deals.terms.calendars import count_business_days
from deals.terms.errors import InvalidInput
from deals.terms.misc import add_months
from deals.terms.suspensions import SuspensionPeriod, SuspensionRule, judge_suspension

P = SuspensionPeriod


def judge(start, end, existing=(), notice=None, notice_required=True):
    if notice is None and notice_required:
        notice = start - timedelta(days=7)  # ample notice unless a test says otherwise
    return judge_suspension(
        proposed=P(start, end), existing=existing, notice_given_on=notice, notice_required=notice_required
    )


def test_first_suspension_of_twenty_days_with_notice_is_permitted():
    v = judge(date(2001, 3, 1), date(2001, 3, 20))
    assert v.permitted and v.breaches == ()
    assert (v.permitted_from, v.permitted_through) == (date(2001, 3, 1), date(2001, 3, 20))


def test_twenty_first_day_is_not_permitted():
    v = judge(date(2001, 3, 1), date(2001, 3, 21))
    assert v.not_permitted_days == (date(2001, 3, 21),)
    assert v.breaches[0].rule is SuspensionRule.MAX_LENGTH
    assert "RRA 3(h)(i)" in v.breaches[0].message
    assert v.restricted_spans == ((date(2001, 3, 21), date(2001, 3, 21)),)


def test_gap_of_exactly_ten_business_days_is_permitted():
    earlier = [P(date(2001, 2, 1), date(2001, 2, 20))]  # ends Tue 2/20
    # 10 business days after 2/20: 2/21 .. 3/6
    assert judge(date(2001, 3, 6), date(2001, 3, 10), earlier).permitted


def test_gap_one_business_day_short_condemns_the_whole_period():
    # RRA 3(h)(ii): a period may not "begin less than ten (10) business days after the last day
    # of the preceding suspension" -- one that does is not a Permitted Suspension Period at all
    earlier = [P(date(2001, 2, 1), date(2001, 2, 20))]
    v = judge(date(2001, 3, 5), date(2001, 3, 10), earlier)
    assert v.not_permitted_days == tuple(date(2001, 3, 5) + timedelta(days=i) for i in range(6))
    assert v.breaches[0].rule is SuspensionRule.GAP
    assert v.earliest_start_by_gap == date(2001, 3, 6)
    assert v.permitted_from is None
    assert "2001-03-06" in v.breaches[0].message and "none of its days" in v.breaches[0].message


def test_gap_counts_business_days_not_holidays():
    # ends Fri 2000-12-15; 12/25 and 1/1 are holidays -> 10th business day is 2001-01-02
    earlier = [P(date(2000, 12, 1), date(2000, 12, 15))]
    assert not judge(date(2000, 12, 29), date(2001, 1, 10), earlier).permitted
    v = judge(date(2000, 12, 29), date(2001, 1, 10), earlier)
    assert v.earliest_start_by_gap == date(2001, 1, 2)
    assert judge(date(2001, 1, 2), date(2001, 1, 10), earlier).permitted


def test_gap_measured_from_a_non_permitted_preceding_suspension_too():
    # the preceding suspension ran 25 days (5 not permitted); the gap runs from its last day
    earlier = [P(date(2001, 2, 1), date(2001, 2, 25))]  # Sun 2/25
    # 10 business days after Sun 2/25: 2/26, 2/27, 2/28, 3/1, 3/2, 3/5, 3/6, 3/7, 3/8, 3/9
    v = judge(date(2001, 3, 7), date(2001, 3, 15), earlier)
    assert v.earliest_start_by_gap == date(2001, 3, 9)
    assert len(v.not_permitted_days) == 9  # begins two business days early: every day
    assert judge(date(2001, 3, 9), date(2001, 3, 15), earlier).permitted


def test_third_suspension_within_twelve_months_is_not_permitted():
    earlier = [P(date(2001, 1, 10), date(2001, 1, 20)), P(date(2001, 6, 1), date(2001, 6, 10))]
    v = judge(date(2001, 9, 1), date(2001, 9, 5), earlier)
    assert not v.permitted
    assert {r for ruling in v.not_permitted for r in ruling.rules} == {SuspensionRule.MAX_PER_12_MONTHS}
    assert len(v.not_permitted) == 5 and v.permitted_from is None
    assert v.earliest_start_by_count == date(2002, 1, 20)


def test_twelve_month_window_ends_exactly_on_the_anniversary():
    earlier = [P(date(2001, 1, 10), date(2001, 1, 20)), P(date(2001, 6, 1), date(2001, 6, 10))]
    # the 12 months ending 2002-01-20 begin 2001-01-21: the January period has left them.
    # A period beginning the day before is a third period: none of its days is permitted,
    # including those after the January period ages out (RRA 3(h) "up to two suspension periods").
    v = judge(date(2002, 1, 19), date(2002, 1, 25), earlier)
    assert len(v.not_permitted_days) == 7 and v.permitted_from is None
    assert "2001-01-10..2001-01-20" in v.breaches[0].message and "2002-01-20" in v.breaches[0].message
    assert judge(date(2002, 1, 20), date(2002, 1, 25), earlier).permitted


def test_late_notice_marks_days_before_the_second_business_day():
    # notice Thu 2001-03-01 -> earliest start Mon 2001-03-05 (2 business days: Fri, Mon)
    v = judge(date(2001, 3, 2), date(2001, 3, 10), notice=date(2001, 3, 1))
    assert v.not_permitted_days == (date(2001, 3, 2), date(2001, 3, 3), date(2001, 3, 4))
    assert all(r.rules == (SuspensionRule.NOTICE,) for r in v.not_permitted)
    assert judge(date(2001, 3, 5), date(2001, 3, 10), notice=date(2001, 3, 1)).permitted


def test_no_notice_makes_every_day_non_permitted_unless_notice_was_unlawful():
    v = judge_suspension(proposed=P(date(2001, 3, 5), date(2001, 3, 8)), existing=(), notice_given_on=None)
    assert len(v.not_permitted) == 4 and "no notice" in v.breaches[0].message
    assert judge(date(2001, 3, 5), date(2001, 3, 8), notice_required=False).permitted


def test_one_day_can_break_several_rules_and_each_is_named():
    earlier = [P(date(2001, 2, 1), date(2001, 2, 20))]
    v = judge(date(2001, 3, 1), date(2001, 3, 25), earlier, notice=date(2001, 2, 28))
    first = v.not_permitted[0]
    assert first.day == date(2001, 3, 1) and set(first.rules) == {SuspensionRule.GAP, SuspensionRule.NOTICE}
    last = v.not_permitted[-1]
    assert last.day == date(2001, 3, 25) and set(last.rules) == {SuspensionRule.GAP, SuspensionRule.MAX_LENGTH}
    assert v.restricted_spans == ((date(2001, 3, 1), date(2001, 3, 25)),)
    json.dumps(v.as_dict())


def test_overlapping_or_later_existing_periods_are_rejected():
    with pytest.raises(InvalidInput):
        judge(date(2001, 3, 1), date(2001, 3, 5), [P(date(2001, 3, 3), date(2001, 3, 4))])
    with pytest.raises(InvalidInput):
        judge(
            date(2001, 9, 1),
            date(2001, 9, 5),
            [P(date(2001, 1, 1), date(2001, 1, 10)), P(date(2001, 1, 5), date(2001, 1, 20))],
        )
    with pytest.raises(InvalidInput):
        P(date(2001, 3, 5), date(2001, 3, 1))


# --- property: a verdict never permits a day that breaks a rule -----------------

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2010, 12, 31))


@st.composite
def scenario(draw):
    n = draw(st.integers(min_value=0, max_value=4))
    cursor = draw(dates)
    existing = []
    for _ in range(n):
        start = cursor + timedelta(days=draw(st.integers(min_value=0, max_value=200)))
        end = start + timedelta(days=draw(st.integers(min_value=0, max_value=30)))
        existing.append(P(start, end))
        cursor = end + timedelta(days=1)
    start = cursor + timedelta(days=draw(st.integers(min_value=0, max_value=400)))
    end = start + timedelta(days=draw(st.integers(min_value=0, max_value=40)))
    notice = start - timedelta(days=draw(st.integers(min_value=-3, max_value=10)))
    return existing, P(start, end), notice


@settings(max_examples=150, deadline=None)
@given(scenario())
def test_verdict_never_permits_a_day_that_breaks_a_rule(case):
    existing, proposed, notice = case
    v = judge_suspension(proposed=proposed, existing=existing, notice_given_on=notice)
    bad = set(v.not_permitted_days)
    d = proposed.start
    while d <= proposed.end:
        if d not in bad:
            assert (d - proposed.start).days < 20
            assert count_business_days(notice, d) >= 2
            if existing:
                assert count_business_days(existing[-1].end, d) >= 10
            twelve_months_back = add_months(d, -12)
            assert sum(1 for p in existing if p.end > twelve_months_back) < 2
        d += timedelta(days=1)
    # the permitted part, proposed on its own, is entirely permitted
    if v.permitted_from is not None:
        again = judge_suspension(
            proposed=P(v.permitted_from, v.permitted_through), existing=existing, notice_given_on=notice
        )
        assert again.permitted


# --- property: RRA 3(h) read as a period, against an independent reading -------------------


def _independent_not_permitted(existing, proposed, notice) -> set:
    """Written from RRA 3(h), not from the engine. "Up to two suspension periods during any
    consecutive 12-month period": a period beginning when two earlier ones end within the 12
    months ending on its first day is a third one -- no day of it is permitted. "Shall not ...
    (ii) begin less than ten (10) business days after the last day of the preceding suspension":
    likewise every day. "(i) be for more than twenty (20) days": days after the 20th. "At least
    two (2) business days' notice": days before the 2nd business day after the notice."""
    from deals.terms.calendars import is_business_day

    def nth_business_day_after(day, n):
        while n:
            day += timedelta(days=1)
            n -= is_business_day(day)
        return day

    s = proposed.start
    try:
        year_before = s.replace(year=s.year - 1)
    except ValueError:  # Feb 29
        year_before = s.replace(year=s.year - 1, day=28)
    in_window = [p for p in existing if p.end > year_before]
    whole = len(in_window) >= 2 or bool(existing and s < nth_business_day_after(existing[-1].end, 10))
    notice_ok_from = nth_business_day_after(notice, 2)
    out = set()
    d = s
    while d <= proposed.end:
        if whole or (d - s).days >= 20 or d < notice_ok_from:
            out.add(d)
        d += timedelta(days=1)
    return out


@settings(max_examples=200, deadline=None)
@given(scenario())
def test_period_verdict_matches_an_independent_reading_of_3h(case):
    existing, proposed, notice = case
    v = judge_suspension(proposed=proposed, existing=existing, notice_given_on=notice)
    assert set(v.not_permitted_days) == _independent_not_permitted(existing, proposed, notice)
