"""Issue 12 (RRA 10, SPA 9(i)): every deal term is a contract term or a clerical term, classified in one
place (``params.CLERICAL_TERMS``); docs/terms.md lists both and must agree with the code."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from deals.terms.params import CLERICAL, CLERICAL_TERMS, CONTRACT, NHTC_DEFAULTS, DealTerms, contract_terms_changed, term_class

DOC = Path(__file__).resolve().parents[2] / "docs" / "terms.md"


def _listed(heading: str) -> list[str]:
    text = DOC.read_text()
    section = text.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z0-9_]+)` \|", section, flags=re.M)


def test_docs_list_every_term_once_in_its_class():
    clerical, contract = _listed("Clerical terms"), _listed("Contract terms")
    assert sorted(clerical) == sorted(n for n in DealTerms.field_names() if term_class(n) == CLERICAL)
    assert sorted(contract) == sorted(n for n in DealTerms.field_names() if term_class(n) == CONTRACT)
    assert len(clerical) + len(contract) == len(DealTerms.field_names()) and not set(clerical) & set(contract)


def test_clerical_list_names_only_real_terms_with_a_reason():
    assert set(CLERICAL_TERMS) <= set(DealTerms.field_names())
    assert all(len(why) > 20 for why in CLERICAL_TERMS.values())
    with pytest.raises(KeyError):
        term_class("no_such_term")


def test_contract_terms_changed_ignores_clerical_and_equal_decimals():
    old = NHTC_DEFAULTS.as_dict()
    assert contract_terms_changed(old, {**old, "fax_date_max_business_days": 9}, "debenture") == ()
    assert contract_terms_changed(old, {**old, "debenture_fixed_price": "1.43750"}, "debenture") == ()
    assert contract_terms_changed(old, {**old, "debenture_fixed_price": Decimal("1.25")}, "debenture") == (
        "debenture_fixed_price",)
    # a preferred term is not carried by a debenture financing: not its change
    assert contract_terms_changed(old, {**old, "preferred_fixed_price": Decimal("1")}, "debenture") == ()
