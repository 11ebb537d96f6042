"""SPA 4(j)(iii) (issue 16 item 8): "if the terms and conditions of the proposed New Transaction are
changed from those in the New Transaction Offer ... in a manner which is more beneficial to the New
Investor in any respect" -- the offer stores all its terms (price, discount, warrants, reset, fees,
maturity, any other term as free text) and the comparison considers every one of them."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from deals.models import NewTransactionOffer
from deals.services.company import rofr as svc
from deals.terms.rofr import NewTransactionTerms, changed_terms, compare_other_terms

D = datetime.date
MAY_26 = D(2000, 5, 26)
OFFERED = NewTransactionTerms(
    market_price_pct=Decimal("85"), fixed_price=Decimal("2.00"), fees_pct=Decimal("2"), reset="Reset to 85% of market on 2000-09-01",
    maturity_months=24, other="Closing in escrow with Citibank",
)


def _with(**over) -> NewTransactionTerms:
    import dataclasses

    return dataclasses.replace(OFFERED, **over)


def _restart_terms(final) -> set[str]:
    return {o.term for o in compare_other_terms(OFFERED, final) if o.restart}


# --- the engine ---------------------------------------------------------------------------------


def test_the_same_terms_need_no_new_offer():
    change = changed_terms(offered=OFFERED, final=OFFERED)
    assert not change.restart and change.restart_reasons == ()


@pytest.mark.parametrize(
    ("over", "restart"),
    [
        ({"fees_pct": Decimal("2.0001")}, {"fees_pct"}),  # just over: more for the New Investor
        ({"fees_pct": Decimal("2")}, set()),  # at
        ({"fees_pct": Decimal("1.9999")}, set()),  # just under: less for it
        ({"fees_pct": None}, set()),  # fee dropped
        ({"reset": ""}, set()),  # reset removed: not more beneficial to it
        ({"reset": "Reset to 80% of market on 2000-09-01"}, {"reset"}),  # reworded: cannot be ranked
        ({"reset": "  Reset to 85% of  market on 2000-09-01 "}, set()),  # spacing only
        ({"maturity_months": 23}, {"maturity_months"}),
        ({"maturity_months": 25}, {"maturity_months"}),
        ({"maturity_months": None}, {"maturity_months"}),
        ({"other": "Closing in escrow with Chase"}, {"other"}),
        ({"other": "Closing in escrow with  Citibank"}, set()),
    ],
)
def test_each_other_term_at_its_edges(over, restart):
    assert _restart_terms(_with(**over)) == restart
    assert changed_terms(offered=OFFERED, final=_with(**over)).restart is bool(restart)


def test_a_reset_or_a_fee_added_to_an_offer_without_one_is_more_beneficial():
    bare = NewTransactionTerms(market_price_pct=Decimal("85"))
    assert {o.term for o in compare_other_terms(bare, NewTransactionTerms(market_price_pct=Decimal("85"), reset="x")) if o.restart} == {
        "reset"
    }
    assert {o.term for o in compare_other_terms(bare, NewTransactionTerms(market_price_pct=Decimal("85"), fees_pct=Decimal("0.5")))
            if o.restart} == {"fees_pct"}
    assert not changed_terms(offered=bare, final=NewTransactionTerms(market_price_pct=Decimal("85"), fees_pct=Decimal("0"))).restart


def test_price_terms_are_still_compared_and_the_reasons_name_every_respect():
    change = changed_terms(offered=OFFERED, final=_with(market_price_pct=Decimal("80"), other="changed"))
    assert change.restart
    assert [r.split(" (")[0] for r in change.restart_reasons] == ["market price pct", "other"]


# --- the service: stored terms, consummation refused, restart -----------------------------------


def _user():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get_or_create(username="offer-admin")[0]


def _offer(deal, terms=OFFERED):
    return svc.offer_create(
        financing=deal["financing"], description="Private placement", amount=Decimal("500000"), terms=terms, sent_date=MAY_26,
        received={deal["a"].pk: MAY_26, deal["b"].pk: MAY_26}, user=_user(), as_of=MAY_26,
    )


def _decline_all(deal, offer):
    for inv in (deal["a"], deal["b"]):
        r = offer.responses.get(investor=inv)
        svc.offer_answer_record(response=r, answer="declined", answered_date=D(2000, 5, 30), amount_exercised=Decimal(0),
                                additional_requested=Decimal(0), user=_user(), as_of=D(2000, 5, 30))


@pytest.mark.django_db
def test_the_offer_stores_every_term_and_reads_them_back(deal):
    offer = _offer(deal)
    offer.refresh_from_db()
    assert offer.terms["fees_pct"] == "2" and offer.terms["maturity_months"] == 24
    assert offer.terms["reset"].startswith("Reset") and offer.terms["other"] == "Closing in escrow with Citibank"
    assert svc.terms_from_json(offer.terms) == OFFERED


@pytest.mark.django_db
def test_offers_stored_before_keep_working(deal):
    offer = _offer(deal)
    NewTransactionOffer.objects.filter(pk=offer.pk).update(terms={"market_price_pct": "85", "fixed_price": "2.00"})
    assert svc.terms_from_json(NewTransactionOffer.objects.get(pk=offer.pk).terms) == NewTransactionTerms(
        market_price_pct=Decimal("85"), fixed_price=Decimal("2.00")
    )


@pytest.mark.django_db
def test_a_changed_maturity_refuses_consummation_and_nothing_is_written(deal):
    offer = _offer(deal)
    _decline_all(deal, offer)
    with pytest.raises(ValidationError, match=r"maturity months \(maturity changed from 24 to 36 months"):
        svc.offer_consummate(offer=offer, consummated_date=D(2000, 6, 10), final=_with(maturity_months=36), user=_user(),
                             as_of=D(2000, 6, 10))
    offer.refresh_from_db()
    assert offer.status != NewTransactionOffer.Status.CONSUMMATED and offer.consummated_terms == {}
    svc.offer_consummate(offer=offer, consummated_date=D(2000, 6, 10), final=_with(fees_pct=Decimal("1")), user=_user(),
                         as_of=D(2000, 6, 10))
    offer.refresh_from_db()
    assert offer.status == NewTransactionOffer.Status.CONSUMMATED and offer.consummated_terms["fees_pct"] == "1"


@pytest.mark.django_db
def test_the_pages_take_and_show_the_other_terms(deal_admin_client, deal):
    offer = _offer(deal)
    _decline_all(deal, offer)
    html = deal_admin_client.get(reverse("company_offer", args=[offer.pk])).content.decode()
    assert "Closing in escrow with Citibank" in html and 'name="maturity_months"' in html
    r = deal_admin_client.post(
        reverse("company_offer_consummate", args=[offer.pk]),
        {"consummated_date": "2000-06-10", "market_price_pct": "85", "fixed_price": "2.00", "fees_pct": "2",
         "maturity_months": "24", "reset": OFFERED.reset, "other": "Closing in escrow with Chase"},
    )
    assert "other (other terms changed" in r.content.decode()
    offer.refresh_from_db()
    assert offer.status != NewTransactionOffer.Status.CONSUMMATED
