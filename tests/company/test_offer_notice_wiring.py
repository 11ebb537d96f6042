"""SPA 10 wiring (issue 16 item 10), first-refusal answer window: when the New Transaction Offer is
sent from the app, each Buyer's receipt -- from which SPA 4(j)(i)'s "three (3) business days after
receipt" runs -- is the date the notice is deemed given under SPA 10, not a typed date.

Sent Friday 2000-05-26 by express courier: SPA 10(c) deems it given on the 3rd business day after
deposit (Monday 05-29 is Memorial Day) = Thursday 2000-06-01; the answer is due by close of business
on the 3rd business day after that = Tuesday 2000-06-06. By personal delivery against receipt on
Monday 2000-05-30 (a business day after the holiday): given that day, answer due 2000-06-02.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from deals.models import NewTransactionOffer, OutboundNotice
from deals.services.company import rofr as svc
from deals.terms.rofr import NewTransactionTerms

from .conftest import _user

D = datetime.date
SENT = D(2000, 5, 26)
TERMS = NewTransactionTerms(market_price_pct=Decimal("85"), fixed_price=Decimal("2.00"))


def _create(deal, **kw):
    return svc.offer_create(financing=deal["financing"], description="Placement", amount=Decimal("500000"), terms=TERMS,
                            sent_date=SENT, user=_user(), as_of=SENT, **kw)


@pytest.mark.django_db
def test_courier_receipt_and_answer_deadline_come_from_the_deemed_given_date(deal):
    offer = _create(deal, received={}, notice_method="courier")
    r = offer.responses.get(investor=deal["a"])
    assert r.received_date == D(2000, 6, 1) and r.answer_due == D(2000, 6, 6)
    notices = OutboundNotice.objects.filter(related_object=f"deals.newtransactionoffer:{offer.pk}")
    assert sorted(n.investor_id for n in notices) == sorted([deal["a"].pk, deal["b"].pk])
    assert {n.deemed_given_date for n in notices} == {D(2000, 6, 1)} and {n.kind for n in notices} == {"new_transaction_offer"}


@pytest.mark.django_db
def test_personal_delivery_is_given_on_the_day_delivered(deal):
    offer = _create(deal, received={}, notice_method="personal",
                    delivered={deal["a"].pk: D(2000, 5, 30), deal["b"].pk: D(2000, 5, 26)})
    a, b = offer.responses.get(investor=deal["a"]), offer.responses.get(investor=deal["b"])
    assert (a.received_date, a.answer_due) == (D(2000, 5, 30), D(2000, 6, 2))
    assert b.received_date == D(2000, 5, 26)


@pytest.mark.django_db
def test_a_typed_receipt_date_that_differs_is_refused_and_nothing_written(deal):
    with pytest.raises(ValidationError, match="typed 2000-05-31, deemed given 2000-06-01"):
        _create(deal, received={deal["a"].pk: D(2000, 5, 31)}, notice_method="courier")
    assert not NewTransactionOffer.objects.exists() and not OutboundNotice.objects.exists()
    offer = _create(deal, received={deal["a"].pk: D(2000, 6, 1)}, notice_method="courier")  # matching: accepted
    assert offer.responses.get(investor=deal["a"]).received_date == D(2000, 6, 1)


@pytest.mark.django_db
def test_typed_dates_still_work_when_the_offer_went_outside_the_app(deal):
    offer = _create(deal, received={deal["a"].pk: D(2000, 5, 29), deal["b"].pk: D(2000, 5, 30)})
    assert offer.responses.get(investor=deal["a"]).received_date == D(2000, 5, 29)
    assert not OutboundNotice.objects.exists()


@pytest.mark.django_db
def test_the_form_needs_either_the_dates_or_the_method(deal_admin_client, deal):
    url = reverse("company_offer_new")
    base = {"description": "Placement", "amount": "500000", "sent_date": "2000-05-26", "market_price_pct": "85"}
    r = deal_admin_client.post(url, base)
    assert r.status_code == 200 and "choose how the app sends the offer" in r.content.decode()
    r = deal_admin_client.post(url, {**base, "notice_method": "courier"})
    assert r.status_code == 302
    offer = NewTransactionOffer.objects.get()
    assert offer.responses.get(investor=deal["a"]).received_date == D(2000, 6, 1)


# --- the redemption convert-instead window (Debenture 4(B)(ii)) ----------------------------------


@pytest.mark.django_db
def test_redemption_receipt_and_convert_window_come_from_the_deemed_given_date(deal_admin):
    from deals.services import redemptions as red_svc
    from tests.services.test_conversions import make_world

    w = make_world()  # business date 2000-06-01 (Thursday)
    typed = red_svc.redemption_preview(debenture=w.debenture, notice_date=D(2000, 6, 1), received_date=D(2000, 6, 6))
    # by courier: SPA 10(c) 3rd business day after 2000-06-01 = Tuesday 2000-06-06
    q = red_svc.redemption_preview(debenture=w.debenture, notice_date=D(2000, 6, 1), received_date=None, notice_method="courier")
    assert q.convert_deadline == typed.convert_deadline
    from deals.services.conversions import WorkflowError

    with pytest.raises(WorkflowError, match="deemed given, 2000-06-06, not 2000-06-05"):
        red_svc.redemption_notice(debenture=w.debenture, notice_date=D(2000, 6, 1), received_date=D(2000, 6, 5),
                                  idempotency_key="k1", user=deal_admin, notice_method="courier")
    assert not OutboundNotice.objects.exists()
    red = red_svc.redemption_notice(debenture=w.debenture, notice_date=D(2000, 6, 1), received_date=None, idempotency_key="k2",
                                    user=deal_admin, notice_method="courier")
    assert red.notice_received_date == D(2000, 6, 6) and red.convert_until == typed.convert_deadline
    n = OutboundNotice.objects.get()
    assert n.related_object == f"deals.redemption:{red.pk}" and n.deemed_given_date == D(2000, 6, 6) and n.kind == "redemption"


@pytest.mark.django_db
def test_redemption_form_needs_the_date_or_the_method(deal_admin_client, deal_admin):
    from tests.services.test_conversions import make_world

    w = make_world()
    data = {"debenture": w.debenture.pk, "notice_date": "2000-06-01", "idempotency_key": "k3"}
    r = deal_admin_client.post(reverse("redemption_new"), data)
    assert r.status_code == 200 and "choose how the app sends the notice" in r.content.decode()
    r = deal_admin_client.post(reverse("redemption_new"), {**data, "notice_method": "courier"})
    assert r.status_code == 200 and 'data-testid="confirm"' in r.content.decode()


# --- the RRA 3(h) suspension notice (2 business days) -------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "given", "restricted"), [
    ("", D(2000, 5, 1), []),  # given outside the app on 05-01: permitted from 05-03
    ("courier", D(2000, 5, 4), ["2000-05-05", "2000-05-06", "2000-05-07"]),  # SPA 10(c): given Thu 05-04 -> from Mon 05-08
    ("personal", D(2000, 5, 1), []),  # by hand against receipt: the same day
])
def test_suspension_notice_counts_from_its_deemed_given_date(deal, method, given, restricted):
    from deals.services.company import registration as reg_svc
    from deals.services.company import suspensions as susp_svc

    as_of = D(2000, 5, 1)
    st = reg_svc.registration_statement_save(
        financing=deal["financing"], data={"filed_date": D(2000, 3, 20), "effective_date": D(2000, 4, 3), "shares_registered": 2_000_000},
        user=None, as_of=as_of,
    )
    period = susp_svc.suspension_record(statement=st, notice_date=D(2000, 5, 1), start_date=D(2000, 5, 5), end_date=D(2000, 5, 10),
                                        reason="", notice_required=True, user=_user(), as_of=as_of, notice_method=method)
    assert period.notice_date == given and period.non_permitted_days == restricted
    logged = OutboundNotice.objects.filter(related_object=f"deals.suspensionperiod:{period.pk}")
    assert logged.count() == (2 if method else 0)
