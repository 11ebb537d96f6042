"""Share reserve: SPA 3(c), 4(g)."""

from __future__ import annotations

import json

import pytest

from deals.terms.errors import InvalidInput
from deals.terms.params import NHTC_DEFAULTS
from deals.terms.reserve import required_reserve, reserve_check

T = NHTC_DEFAULTS


def test_reserve_is_150_percent_of_conversion_shares_plus_warrant_shares():
    assert required_reserve(terms=T, conversion_shares=1_000_000, warrant_shares=129_292) == 1_629_292


def test_fractional_reserve_rounds_up():
    assert required_reserve(terms=T, conversion_shares=1_000_001, warrant_shares=0) == 1_500_002


def test_shortfall_against_authorized_but_unissued():
    r = reserve_check(terms=T, conversion_shares=700_000, warrant_shares=0, issued_shares=49_000_000)
    assert r.available_shares == 1_000_000
    assert r.required_shares == 1_050_000
    assert r.shortfall == 50_000
    assert not r.sufficient
    json.dumps(r.as_dict())


def test_exact_reserve_is_sufficient():
    r = reserve_check(terms=T, conversion_shares=2, warrant_shares=1, issued_shares=49_999_996)
    assert r.required_shares == 4 and r.shortfall == 0 and r.sufficient


def test_reserve_rejects_impossible_counts():
    with pytest.raises(InvalidInput):
        reserve_check(terms=T, conversion_shares=1, warrant_shares=0, issued_shares=50_000_001)
    with pytest.raises(InvalidInput):
        required_reserve(terms=T, conversion_shares=-1, warrant_shares=0)
