"""Issue 13: the legend texts are terms of each financing (terms_in_force), default the agreements'
text (SPA 4(b); the Debenture face); a letter or certificate keeps the text it was issued with."""

import datetime
from decimal import Decimal

import pytest

from deals.models import DealTermsVersion, LegendRemoval, TransferAgentInstruction
from deals.services import transfers as svc
from deals.terms import params
from tests import factories as fx

from .conftest import on

D = datetime.date
NEW_TEXT = "THESE SECURITIES HAVE NOT BEEN REGISTERED UNDER THE SECURITIES ACT OF 1933 (AMENDED LEGEND OF 2001-02-01)."


def _removal(deal, user, day, certificate="C-101"):
    return svc.legend_removal_request(
        financing=deal["fin"], investor=deal["a"], security="common", certificate=certificate, quantity=Decimal("50000"),
        basis="rule_144k", counsel="Smith LLP", opinion_date=day, opinion_received=day, user=user,
    )  # fmt: skip


def test_defaults_are_the_agreements_text(deal):
    assert params.NHTC_DEFAULTS.preferred_legend_text.startswith('THESE SECURITIES (THE "SECURITIES") HAVE NOT BEEN REGISTERED')
    assert "SHARES ISSUABLE UPON CONVERSION HEREOF" in params.NHTC_DEFAULTS.debenture_legend_text
    v = DealTermsVersion.objects.get(financing=deal["fin"])
    assert v.preferred_legend_text == params.SPA_LEGEND and v.debenture_legend_text is None  # a preferred issue's terms
    d = DealTermsVersion.objects.get(financing=deal["deb_fin"])
    assert d.debenture_legend_text == params.DEBENTURE_LEGEND and d.preferred_legend_text is None


def test_a_new_version_changes_the_legend_from_its_date_and_old_letters_keep_theirs(deal, deal_admin):
    before = _removal(deal, deal_admin, on(D(2001, 1, 31)), "C-101")
    fx.DealTermsVersionFactory(financing=deal["fin"], effective_from=D(2001, 2, 1), reason="legend amended",
                               preferred_legend_text=NEW_TEXT)
    day_before = _removal(deal, deal_admin, on(D(2001, 1, 31)), "C-102")  # recorded late, received the day before
    after = _removal(deal, deal_admin, on(D(2001, 2, 1)), "C-103")
    assert LegendRemoval.objects.get(pk=before.pk).snapshot["legend"] == params.SPA_LEGEND  # kept as issued
    assert day_before.snapshot["legend"] == params.SPA_LEGEND
    assert after.snapshot["legend"] == NEW_TEXT


def test_transfer_agent_letter_takes_the_legend_in_force_on_its_date(deal, deal_admin):
    from deals.services import conversions

    fx.price_series(D(2000, 12, 1), D(2001, 3, 30))
    fx.DealTermsVersionFactory(financing=deal["fin"], effective_from=D(2001, 2, 1), reason="legend amended",
                               preferred_legend_text=NEW_TEXT)
    on(D(2001, 2, 5))
    conv = conversions.conversion_submit(
        instrument=deal["holding"], amount=Decimal("10000"), conversion_date=D(2001, 2, 5), notice_method="facsimile",
        notice_received_date=D(2001, 2, 5), interest_election="cash", reference="r", idempotency_key="k1", user=deal_admin,
    )  # fmt: skip
    ins = svc.ta_instruction_create(record=conv, instruction_date=D(2001, 2, 5), registered_name="Alpha Fund Ltd.",
                                    denominations="", dwac=False, fast_participant=False, user=deal_admin)
    assert ins.legended and TransferAgentInstruction.objects.get(pk=ins.pk).snapshot["legend"] == NEW_TEXT


@pytest.mark.parametrize("value,message", [("   ", "is empty"), ("X" * 2001, "at most 2,000")])
def test_an_empty_or_overlong_legend_is_refused(deal, value, message):
    v = DealTermsVersion.objects.get(financing=deal["fin"])
    problems = params.term_problems({**v.term_values(), "preferred_legend_text": value}, "preferred")
    assert message in problems["preferred_legend_text"]


def test_a_debenture_issue_does_not_carry_the_spa_legend(deal):
    v = DealTermsVersion.objects.get(financing=deal["deb_fin"])
    problems = params.term_problems({**v.term_values(), "preferred_legend_text": "X"}, "debenture")
    assert "preferred term" in problems["preferred_legend_text"]
