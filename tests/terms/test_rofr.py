import json
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deals.terms.errors import InvalidInput
from deals.terms.params import NHTC_DEFAULTS
from deals.terms.rofr import (
    BuyerResponse,
    NewTransactionTerms,
    Respect,
    allocate_offer,
    changed_terms,
    price_protection,
    rofr_applies,
    rofr_last_day,
    rofr_timeline,
    split_pro_rata,
)

ED = date(2000, 8, 15)


# --- window and timeline ------------------------------------------------------


def test_window_runs_through_the_240th_day_after_the_effective_date():
    assert rofr_last_day(ED) == date(2001, 4, 12)
    assert rofr_applies(offered_on=date(2001, 4, 12), effective_date=ED)
    assert not rofr_applies(offered_on=date(2001, 4, 13), effective_date=ED)


def test_window_is_open_before_any_effective_date():
    assert rofr_last_day(None) is None
    assert rofr_applies(offered_on=date(2005, 1, 1), effective_date=None)


def test_answer_due_third_business_day_after_receipt_then_twenty_days_to_close():
    t = rofr_timeline(offer_received_on=date(2000, 10, 2))  # Monday
    assert t.expiration_date == date(2000, 10, 5)
    assert t.consummation_deadline == date(2000, 10, 25)
    assert t.as_dict()["answer_due"] == "close of business on 2000-10-05"


def test_answer_deadline_skips_weekend_and_holiday():
    # received Thu 2000-11-22; Thanksgiving 11/23 closed -> Fri 11/24, Mon 11/27, Tue 11/28
    assert rofr_timeline(offer_received_on=date(2000, 11, 22)).expiration_date == date(2000, 11, 28)


def test_offer_received_on_a_saturday_counts_from_monday():
    assert rofr_timeline(offer_received_on=date(2000, 9, 30)).expiration_date == date(2000, 10, 4)


# --- allocation -----------------------------------------------------------------


def test_single_buyer_takes_part_and_the_rest_goes_to_the_new_investor():
    a = allocate_offer(offer_amount=D("500000"), responses=[BuyerResponse("A", D("1000000"), D("200000"))])
    assert a.lines[0].pro_rata_part == D("500000") and not a.lines[0].full_exercise
    assert a.remaining_for_new_investor == D("300000")


def test_declining_buyers_part_goes_to_full_exercisers_pro_rata():
    a = allocate_offer(
        offer_amount=D("600000"),
        responses=[
            BuyerResponse("A", D("500000"), D("300000"), additional_requested=D("1000000")),
            BuyerResponse("B", D("250000"), D("150000"), additional_requested=D("1000000")),
            BuyerResponse("C", D("250000"), D("50000")),  # declining buyer: 100,000 unexercised
        ],
    )
    by = {line.buyer: line for line in a.lines}
    assert [by[b].pro_rata_part for b in "ABC"] == [D("300000"), D("150000"), D("150000")]
    assert a.declined_pool == D("100000")
    # A and B split C's 100,000 by 500:250
    assert by["A"].additional_allocated == D("66666.67")
    assert by["B"].additional_allocated == D("33333.33")
    assert a.remaining_for_new_investor == 0
    json.dumps(a.as_dict())


def test_a_capped_full_exerciser_leaves_the_rest_to_the_others():
    a = allocate_offer(
        offer_amount=D("600000"),
        responses=[
            BuyerResponse("A", D("500000"), D("300000"), additional_requested=D("10000")),
            BuyerResponse("B", D("250000"), D("150000"), additional_requested=D("1000000")),
            BuyerResponse("C", D("250000"), D("0")),
        ],
    )
    by = {line.buyer: line for line in a.lines}
    assert by["A"].additional_allocated == D("10000")
    assert by["B"].additional_allocated == D("140000")
    assert len(a.reallocation_rounds) == 2
    assert a.remaining_for_new_investor == 0


def test_a_declining_buyer_cannot_ask_for_more():
    with pytest.raises(InvalidInput):
        allocate_offer(
            offer_amount=D("100"),
            responses=[
                BuyerResponse("A", D("1"), D("10"), additional_requested=D("5")),
                BuyerResponse("B", D("1"), D("50")),
            ],
        )


def test_exercising_more_than_the_pro_rata_part_is_rejected():
    with pytest.raises(InvalidInput):
        allocate_offer(
            offer_amount=D("100"),
            responses=[BuyerResponse("A", D("1"), D("50.01")), BuyerResponse("B", D("1"), D("0"))],
        )


@pytest.mark.parametrize("amount", [D("0"), D("-5"), D("10.001")])
def test_bad_offer_amounts_are_rejected(amount):
    with pytest.raises(InvalidInput):
        allocate_offer(offer_amount=amount, responses=[BuyerResponse("A", D("1"), D("0"))])


def test_pro_rata_split_gives_leftover_cents_to_largest_remainders():
    assert split_pro_rata(D("100.00"), [D(1), D(1), D(1)]) == [D("33.34"), D("33.33"), D("33.33")]


buyers = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=1000),  # liquidation preference, thousands
        st.floats(min_value=0, max_value=1),  # fraction of own part exercised (1 = full)
        st.booleans(),  # exercises in full
        st.integers(min_value=0, max_value=2_000_000),  # additional requested
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=200, deadline=None)
@given(offer_cents=st.integers(min_value=1, max_value=10**9), spec=buyers)
def test_allocation_parts_and_remainder_add_up_to_the_offer(offer_cents, spec):
    offer = D(offer_cents) / 100
    parts = split_pro_rata(offer, [D(lp) * 1000 for lp, *_ in spec])
    responses = []
    for i, ((lp, frac, full, extra), part) in enumerate(zip(spec, parts, strict=True)):
        exercised = part if full else (part * D(str(frac))).quantize(D("0.01"), rounding="ROUND_DOWN")
        is_full = exercised == part
        responses.append(BuyerResponse(f"B{i}", D(lp) * 1000, exercised, D(extra) if is_full else D(0)))
    a = allocate_offer(offer_amount=offer, responses=responses)
    assert sum(line.pro_rata_part for line in a.lines) == offer
    assert sum(line.total for line in a.lines) + a.remaining_for_new_investor == offer
    assert a.remaining_for_new_investor >= 0
    for line in a.lines:
        assert line.additional_allocated <= line.additional_requested
        assert line.additional_allocated == 0 or line.full_exercise
    # nobody who still wants more is left wanting while the New Investor gets some
    if a.remaining_for_new_investor > 0:
        assert all(line.additional_allocated == line.additional_requested for line in a.lines)


# --- changed terms (4(j)(iii)) ---------------------------------------------------


def test_a_lower_price_in_the_final_terms_restarts_the_offer():
    change = changed_terms(
        offered=NewTransactionTerms(market_price_pct=D("85")),
        final=NewTransactionTerms(market_price_pct=D("82")),
        new_offer_received_on=date(2000, 10, 2),
    )
    assert change.restart and change.more_beneficial_respects == (Respect.MARKET_PRICE_PCT,)
    assert change.new_timeline.expiration_date == date(2000, 10, 5)


def test_adding_warrants_is_more_beneficial_and_a_higher_price_is_not():
    change = changed_terms(
        offered=NewTransactionTerms(fixed_price=D("1.00")),
        final=NewTransactionTerms(fixed_price=D("1.10"), warrant_shares_per_dollar=D("0.1")),
    )
    assert change.more_beneficial_respects == (Respect.WARRANT_SHARES_PER_DOLLAR,)
    assert change.new_timeline is None


def test_identical_terms_do_not_restart():
    t = NewTransactionTerms(market_price_pct=D("80"), fixed_price=D("1.2"))
    assert not changed_terms(offered=t, final=t).restart


# --- price protection (4(j)(v)) ----------------------------------------------------


def protect(new, consummated_on=date(2001, 1, 10), effective_date=ED):
    return price_protection(
        new=new,
        consummated_on=consummated_on,
        effective_date=effective_date,
        warrant_exercise_price=D("1.65"),
        warrant_shares=121_212,
        purchase_price=D("1000000"),
    )


def test_lower_discount_percentage_and_fixed_price_reprice_the_series_j():
    p = protect(NewTransactionTerms(market_price_pct=D("75"), fixed_price=D("1.25")))
    assert p.applies
    assert p.deal_terms_changes == {"preferred_discount_pct": D("75"), "preferred_fixed_price": D("1.25")}
    adjusted = p.adjusted_terms(NHTC_DEFAULTS)
    assert adjusted.preferred_discount_pct == D("75") and adjusted.preferred_fixed_price == D("1.25")
    assert p.warrant_changes == {}


def test_worse_new_terms_change_nothing():
    p = protect(
        NewTransactionTerms(market_price_pct=D("85"), fixed_price=D("2"), warrant_exercise_price=D("2"))
    )
    assert p.deal_terms_changes == {} and p.warrant_changes == {}


def test_cheaper_and_richer_warrants_reprice_the_warrants():
    p = protect(NewTransactionTerms(warrant_exercise_price=D("1.50"), warrant_shares_per_dollar=D("0.15")))
    assert p.warrant_changes["exercise_price"] == D("1.50")
    assert p.warrant_changes["shares"] == 150_000
    assert p.warrant_changes["additional_shares"] == 150_000 - 121_212
    json.dumps(p.as_dict())


def test_no_protection_after_the_240_days():
    inside = protect(NewTransactionTerms(fixed_price=D("1")), consummated_on=date(2001, 4, 12))
    outside = protect(NewTransactionTerms(fixed_price=D("1")), consummated_on=date(2001, 4, 13))
    assert inside.applies and inside.deal_terms_changes
    assert not outside.applies and outside.deal_terms_changes == {}


def test_non_positive_new_terms_are_rejected():
    with pytest.raises(InvalidInput):
        protect(NewTransactionTerms(fixed_price=D("0")))
