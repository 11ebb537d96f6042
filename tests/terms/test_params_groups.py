"""Issue 18: every deal term belongs to a group; each kind of financing carries its groups."""

from decimal import Decimal

from deals.terms.params import (
    COMPANY,
    DEBENTURE,
    KIND_GROUPS,
    NHTC_DEFAULTS,
    PREFERRED,
    DealTerms,
    fields_for,
    group_of,
    term_problems,
)


def _values(kind):
    carried = set(fields_for(kind))
    return {n: (v if n in carried else None) for n, v in NHTC_DEFAULTS.as_dict().items()}


def test_groups_split_the_terms_by_what_they_govern():
    assert group_of("preferred_discount_pct") == PREFERRED
    assert group_of("late_payment_per_unit") == PREFERRED  # SPA 5(c) speaks of Preferred Stock
    assert group_of("cap_remedy_window_days") == PREFERRED and group_of("cap_pct") == COMPANY
    assert group_of("eod_dismissal_days") == DEBENTURE and group_of("redemption_premium_pct") == DEBENTURE
    assert group_of("periodic_amount_pct") == "registration" and group_of("warrant_coverage_pct") == "warrant"
    assert group_of("a_term_added_later") == COMPANY  # unlisted prefix: carried by every financing
    assert not any("series_j" in n for n in DealTerms.field_names())


def test_each_kind_carries_only_its_groups_and_the_defaults_are_usable():
    pref, deb = set(fields_for(PREFERRED)), set(fields_for(DEBENTURE))
    assert "preferred_stated_value" in pref and "preferred_stated_value" not in deb
    assert "debenture_fixed_price" in deb and "debenture_fixed_price" not in pref
    assert pref & deb == {n for n in DealTerms.field_names() if group_of(n) == COMPANY}
    assert KIND_GROUPS[DEBENTURE] == {DEBENTURE, COMPANY}
    assert term_problems(_values(PREFERRED), PREFERRED) == {}
    assert term_problems(_values(DEBENTURE), DEBENTURE) == {}


def test_term_problems_name_the_number():
    v = _values(PREFERRED)
    v.update(preferred_stated_value=Decimal("0"), preferred_discount_pct=Decimal("-5"), cap_pct=Decimal("2147483648"),
             preferred_lookback_days=0, debenture_fixed_price=Decimal("1.4375"), preferred_day_count="act_999")
    problems = term_problems(v, PREFERRED)
    assert problems["preferred_stated_value"] == "is 0; it must be more than 0"
    assert problems["preferred_discount_pct"] == "is -5; it must be more than 0"
    assert problems["cap_pct"] == "is 2,147,483,648; it must be at most 100"
    assert problems["preferred_lookback_days"] == "is 0; it must be at least 1"
    assert problems["debenture_fixed_price"] == "is a debenture term; a preferred financing does not carry it"
    assert problems["preferred_day_count"].startswith("is 'act_999'; it must be one of act_365")
    missing = _values(DEBENTURE)
    missing["debenture_interest_rate_pct"] = None
    assert term_problems(missing, DEBENTURE) == {"debenture_interest_rate_pct": "is missing"}


def test_discount_may_be_100_but_not_more():
    v = _values(PREFERRED)
    v["preferred_discount_pct"] = Decimal("100")
    assert term_problems(v, PREFERRED) == {}
    v["preferred_discount_pct"] = Decimal("100.01")
    assert "at most 100" in term_problems(v, PREFERRED)["preferred_discount_pct"]
