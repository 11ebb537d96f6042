from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deals.terms.errors import InvalidInput, TermsError
from deals.terms.params import NHTC_DEFAULTS
from deals.terms.registration import (
    Conversion,
    IncreaseRoute,
    LatenessKind,
    anticipated_initial_effective_date,
    filing_deadlines,
    held_shares_value,
    increased_shares,
    is_increased_registered_shares_date,
    periodic_amounts,
    periodic_base,
    registration_period,
    restricted_sale_date,
    shares_to_register,
)

CLOSING = date(2000, 3, 31)
MILLION = D("1000000")
RED = LatenessKind.REQUIRED_EFFECTIVE_DATE


def day(n: int) -> date:
    return CLOSING + timedelta(days=n)


def late(cured_on=None, as_of=None, base=MILLION, trigger=None):
    return periodic_amounts(
        kind=RED,
        trigger_date=trigger or anticipated_initial_effective_date(CLOSING),
        base=base,
        cured_on=cured_on,
        as_of=as_of,
    )


# --- Required Effective Date and the RRA 2(b)(iii) example --------------------


def test_required_effective_date_is_90_calendar_days_after_initial_closing():
    assert anticipated_initial_effective_date(CLOSING) == date(2000, 6, 29) == day(90)


def test_rra_example_effective_on_day_165_costs_five_percent():
    result = late(cured_on=day(165))
    assert [(line.first_day, line.computation_date) for line in result.lines] == [
        (day(91), day(120)),
        (day(121), day(150)),
        (day(151), day(165)),
    ]
    assert [line.period_pct for line in result.lines] == [D("2"), D("2"), D("1")]
    assert result.total_pct == D("5")
    assert result.total == D("50000.00")


def test_effective_on_the_required_effective_date_costs_nothing():
    result = late(cured_on=day(90))
    assert result.lines == () and result.total == 0


def test_effective_one_day_late_costs_one_thirtieth_of_two_percent():
    result = late(cured_on=day(91))
    assert len(result.lines) == 1
    assert result.lines[0].days == 1 and result.lines[0].prorated
    assert result.total == D("666.67")


def test_effective_exactly_thirty_days_late_is_one_full_period():
    result = late(cured_on=day(120))
    assert [line.days for line in result.lines] == [30]
    assert result.total == D("20000.00")


def test_effective_thirty_one_days_late_starts_a_second_period():
    result = late(cured_on=day(121))
    assert [line.days for line in result.lines] == [30, 1]
    assert result.total == D("20666.67")


def test_ongoing_lateness_shows_accruing_days_not_yet_computed():
    result = late(as_of=day(135))
    assert result.computation_dates == (day(120),)
    assert result.accruing is not None
    assert (result.accruing.first_day, result.accruing.days, result.accruing.due_date) == (day(121), 15, None)
    assert result.total == D("20000.00")  # the accruing part is not in the total


def test_as_of_on_a_computation_date_includes_it():
    assert late(as_of=day(150)).computation_dates == (day(120), day(150))


def test_periodic_amount_due_on_computation_date_rolled_to_business_day():
    # day 120 = 2000-07-29, a Saturday -> Monday 2000-07-31
    result = late(cured_on=day(165))
    assert result.lines[0].computation_date == date(2000, 7, 29)
    assert result.lines[0].due_date == date(2000, 7, 31)
    assert result.due_on_or_before(date(2000, 7, 30)) == 0
    assert result.due_on_or_before(date(2000, 7, 31)) == D("20000.00")


def test_computation_date_on_a_holiday_is_due_next_business_day():
    # trigger 2000-11-23 (Thanksgiving) - 30 days -> computation date 2000-12-25 (Christmas)
    result = periodic_amounts(
        kind=RED, trigger_date=date(2000, 11, 25), base=MILLION, cured_on=date(2001, 1, 5)
    )
    assert result.lines[0].computation_date == date(2000, 12, 25)
    assert result.lines[0].due_date == date(2000, 12, 26)


def test_leap_day_is_counted_as_a_day():
    result = periodic_amounts(
        kind=RED, trigger_date=date(2000, 2, 27), base=MILLION, cured_on=date(2000, 3, 1)
    )
    assert result.lines[0].days == 3  # Feb 28, Feb 29, Mar 1


def test_periodic_amounts_need_an_end():
    with pytest.raises(InvalidInput):
        late()


def test_negative_base_is_rejected():
    with pytest.raises(InvalidInput):
        late(cured_on=day(100), base=D("-1"))


def test_as_of_before_trigger_is_rejected():
    with pytest.raises(InvalidInput):
        late(as_of=day(10))


def test_periodic_amounts_as_dict_is_json_ready():
    import json

    data = late(cured_on=day(165)).as_dict()
    json.dumps(data)
    assert data["total"] == "50000.00" and data["lines"][2]["days"] == 15


@given(periods=st.integers(min_value=1, max_value=24), base=st.integers(min_value=1, max_value=10_000_000))
def test_n_full_periods_cost_n_times_two_percent(periods, base):
    base = D(base)
    trigger = date(2001, 1, 15)
    result = periodic_amounts(
        kind=RED, trigger_date=trigger, base=base, cured_on=trigger + timedelta(days=30 * periods)
    )
    assert len(result.lines) == periods
    assert result.total_pct == 2 * periods
    assert sum(line.amount for line in result.lines) == result.total
    assert abs(result.total - base * D("0.02") * periods) <= D("0.005") * periods


@given(late_days=st.integers(min_value=0, max_value=800), base=st.integers(min_value=0, max_value=5_000_000))
def test_periodic_amounts_never_negative_and_count_every_late_day_once(late_days, base):
    trigger = date(2002, 6, 1)
    result = periodic_amounts(
        kind=RED, trigger_date=trigger, base=D(base), cured_on=trigger + timedelta(days=late_days)
    )
    assert all(line.amount >= 0 for line in result.lines)
    assert sum(line.days for line in result.lines) == late_days
    assert all(line.days <= 30 for line in result.lines)
    assert result.total_pct == D(2) * late_days / 30 or abs(result.total_pct - D(2) * late_days / 30) < D(
        "1e-20"
    )


# --- base after the Effective Date, Held Shares Value ---------------------------


def test_base_before_effective_date_is_the_purchase_price():
    base = periodic_base(purchase_price=MILLION, trigger_date=day(90), effective_date=None)
    assert base.amount == MILLION and not base.post_effective


def test_base_after_effective_date_is_unconverted_plus_held_shares_value():
    rsd = date(2000, 10, 1)
    held = held_shares_value(
        restricted_sale_date=rsd,
        conversions=[
            Conversion(date(2000, 9, 20), D("100000"), 80_000),  # second conversion
            Conversion(date(2000, 9, 10), D("50000"), 40_000),  # first conversion
            Conversion(date(2000, 8, 1), D("200000"), 150_000),  # outside the 30 days
        ],
        shares_sold=60_000,
    )
    # FIFO: the 60,000 sold are the 40,000 of 9/10 and 20,000 of 9/20
    assert [(line.conversion_date, line.sold_shares, line.held_shares) for line in held.lines] == [
        (date(2000, 9, 10), 40_000, 0),
        (date(2000, 9, 20), 20_000, 60_000),
    ]
    assert held.total == D("75000.00")
    assert held.excluded_conversion_dates == (date(2000, 8, 1),)
    base = periodic_base(
        purchase_price=MILLION,
        trigger_date=rsd,
        effective_date=date(2000, 7, 1),
        unconverted_principal=D("650000"),
        held_shares=held,
    )
    assert base.amount == D("725000.00") and base.post_effective


def test_held_shares_window_is_the_thirty_days_before_the_restricted_sale_date():
    rsd = date(2000, 10, 31)
    held = held_shares_value(
        restricted_sale_date=rsd,
        conversions=[
            Conversion(date(2000, 10, 1), D("10000"), 1_000),  # RSD - 30: inside
            Conversion(date(2000, 9, 30), D("10000"), 1_000),  # RSD - 31: outside
            Conversion(date(2000, 10, 31), D("10000"), 1_000),  # the RSD itself: not "preceding"
        ],
        shares_sold=0,
    )
    assert [line.conversion_date for line in held.lines] == [date(2000, 10, 1)]
    assert held.total == D("10000.00")


def test_selling_more_shares_than_the_window_holds_is_rejected():
    with pytest.raises(InvalidInput):
        held_shares_value(
            restricted_sale_date=date(2000, 10, 1),
            conversions=[Conversion(date(2000, 9, 20), D("1000"), 100)],
            shares_sold=101,
        )


def test_post_effective_base_needs_the_unconverted_principal():
    with pytest.raises(InvalidInput):
        periodic_base(purchase_price=MILLION, trigger_date=date(2000, 9, 1), effective_date=date(2000, 8, 1))


def test_restricted_sale_date_after_an_overrunning_permitted_suspension():
    assert restricted_sale_date(
        restriction_start=date(2000, 9, 1),
        effective_date=date(2000, 8, 1),
        permitted_through=date(2000, 9, 20),
    ) == date(2000, 9, 21)
    assert restricted_sale_date(restriction_start=date(2000, 9, 1), effective_date=date(2000, 8, 1)) == date(
        2000, 9, 1
    )
    with pytest.raises(InvalidInput):
        restricted_sale_date(restriction_start=date(2000, 8, 1), effective_date=date(2000, 8, 1))


# --- shares to register ----------------------------------------------------------


def test_shares_to_register_is_200_percent_of_conversion_shares_with_five_years_dividends_plus_warrants():
    result = shares_to_register(
        liquidation_preference=MILLION,
        conversion_price=D("1.4375"),
        warrant_shares=126_482,
        closing_date=CLOSING,
        filing_date=date(2000, 5, 1),
    )
    # "dividends thereon through the fifth anniversary": 2000-03-31 through 2005-03-31, both
    # included = 1,827 days (2004-02-29 inside) at 6% act/365 = 300,328.77;
    # 1,300,328.77 / 1.4375 = 904,576.54 -> at least 904,577
    assert result.dividends == D("300328.77")
    assert result.conversion_shares == 904_577
    assert result.multiplied_conversion_shares == 1_809_154
    assert result.total == 1_809_154 + 126_482
    assert result.dividends_through == date(2005, 3, 31)


def test_shares_to_register_never_rounds_down():
    result = shares_to_register(
        liquidation_preference=D("1000"),
        conversion_price=D("3"),
        warrant_shares=0,
        closing_date=CLOSING,
        filing_date=CLOSING,
    )
    assert result.conversion_shares == 434  # 1300 / 3 = 433.33


@pytest.mark.parametrize("field,value", [("liquidation_preference", D("0")), ("conversion_price", D("-1"))])
def test_shares_to_register_rejects_non_positive_inputs(field, value):
    kwargs = dict(
        liquidation_preference=MILLION,
        conversion_price=D("1"),
        warrant_shares=0,
        closing_date=CLOSING,
        filing_date=CLOSING,
    )
    kwargs[field] = value
    with pytest.raises(InvalidInput):
        shares_to_register(**kwargs)


def test_filing_before_closing_is_rejected():
    with pytest.raises(TermsError):
        shares_to_register(
            liquidation_preference=MILLION,
            conversion_price=D("1"),
            warrant_shares=0,
            closing_date=CLOSING,
            filing_date=CLOSING - timedelta(days=1),
        )


# --- Increased Registered Shares Date ----------------------------------------


def test_increased_registered_shares_date_only_when_registrable_exceeds_registered():
    assert is_increased_registered_shares_date(registrable_shares=1_000_001, registered_shares=1_000_000)
    assert not is_increased_registered_shares_date(registrable_shares=1_000_000, registered_shares=1_000_000)


def test_increased_shares_amount_uses_second_anniversary_dividends():
    result = increased_shares(
        increased_registered_shares_date=date(2000, 6, 1),
        initial_closing_date=CLOSING,
        shares_issued_on_conversion=300_000,
        unconverted_liquidation_preference=D("500000"),
        conversion_price=D("0.50"),
        warrant_shares=126_482,
        registered_shares=1_500_000,
        registration_effective=False,
    )
    # through the second anniversary: 2000-03-31..2002-03-31 included = 731 days at 6% act/365
    # = 60,082.19; 560,082.19 / 0.50 = 1,120,164.38 -> 1,120,165; x 200% = 2,240,330
    assert result.dividends == D("60082.19") and result.dividend_years == 2
    assert result.unconverted_conversion_shares == 1_120_165
    assert result.increased_shares_amount == 300_000 + 2_240_330 + 126_482
    assert result.additional_shares_to_register == result.increased_shares_amount - 1_500_000
    assert result.route is IncreaseRoute.AMEND


def test_amendment_due_ten_business_days_after_increased_date_skipping_july_fourth():
    result = increased_shares(
        increased_registered_shares_date=date(2000, 6, 30),
        initial_closing_date=CLOSING,
        shares_issued_on_conversion=0,
        unconverted_liquidation_preference=MILLION,
        conversion_price=D("1"),
        warrant_shares=0,
        registered_shares=0,
        registration_effective=False,
    )
    # business days after Fri 6/30: 7/3, 7/5, 7/6, 7/7, 7/10, 7/11, 7/12, 7/13, 7/14, 7/17
    assert result.amendment_deadline == date(2000, 7, 17)
    # (B): earlier of day 90 (2000-06-29) and 60 days after (2000-08-29)
    assert result.required_effective_date == date(2000, 6, 29)


def test_additional_statement_after_effectiveness_is_due_60_days_after_increase():
    result = increased_shares(
        increased_registered_shares_date=date(2000, 12, 1),
        initial_closing_date=CLOSING,
        shares_issued_on_conversion=0,
        unconverted_liquidation_preference=MILLION,
        conversion_price=D("1"),
        warrant_shares=0,
        registered_shares=10,
        registration_effective=True,
    )
    assert result.route is IncreaseRoute.ADDITIONAL_STATEMENT
    assert result.amendment_deadline is None
    assert result.required_effective_date == date(2001, 1, 30)


# --- Registration Period and filing ------------------------------------------


@pytest.mark.parametrize(
    "effective,end",
    [
        (date(2000, 6, 15), date(2002, 7, 31)),
        (date(2000, 1, 31), date(2002, 2, 28)),  # month following = Feb 2000, ends 2/29; 2002 has no 2/29
        (date(2000, 12, 5), date(2003, 1, 31)),
        (date(2001, 1, 1), date(2003, 2, 28)),
    ],
)
def test_registration_period_runs_two_years_from_end_of_following_month(effective, end):
    assert registration_period(effective_date=effective).ends_on == end


def test_registration_period_ends_early_when_rule_144_is_available():
    result = registration_period(effective_date=date(2000, 6, 15), rule_144_date=date(2001, 6, 15))
    assert result.ends_on == date(2001, 6, 15) and result.ended_by.startswith("(ii)")


def test_counsel_review_three_business_days_before_filing_skips_holiday():
    result = filing_deadlines(filing_date=date(2000, 7, 6))
    assert result.counsel_review_by == date(2000, 6, 30)
    assert result.requested_information_by == date(2000, 6, 26)


def test_filing_deadline_breaches_are_named():
    on_time = filing_deadlines(
        filing_date=date(2000, 7, 6),
        counsel_copy_on=date(2000, 6, 30),
        requested_information_on=date(2000, 6, 26),
    )
    assert on_time.breaches == ()
    late_ = filing_deadlines(
        filing_date=date(2000, 7, 6),
        counsel_copy_on=date(2000, 7, 3),
        requested_information_on=date(2000, 6, 27),
    )
    assert len(late_.breaches) == 2
    assert late_.breaches[0].startswith("RRA 3(c)") and late_.breaches[1].startswith("RRA 4(a)")


def test_defaults_match_the_text():
    assert NHTC_DEFAULTS.registration_dividend_years == 5
    assert NHTC_DEFAULTS.increased_registration_dividend_years == 2
    assert NHTC_DEFAULTS.periodic_amount_pct == D("2")


def test_nothing_accrues_once_rule_144_frees_all_the_shares():
    # Rule 144 available from day 136: days 91-135 are payable (30 + 15 days = 3%)
    result = periodic_amounts(
        kind=RED, trigger_date=day(90), base=MILLION, cured_on=day(165), rule_144_from=day(136)
    )
    assert [line.days for line in result.lines] == [30, 15]
    assert result.total == D("30000.00")
    already_free = periodic_amounts(kind=RED, trigger_date=day(90), base=MILLION, rule_144_from=day(80))
    assert already_free.lines == ()
