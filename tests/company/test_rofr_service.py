"""SPA 4(j): New Transaction Offers, answers, pro rata allocation, restarts, consummation, price protection."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from deals.models import Approval, DealTermsVersion, NewTransactionOffer, ObligationKind, PriceProtectionAdjustment
from deals.selectors.terms import terms_in_force
from deals.services.company import registration as reg_svc
from deals.services.company import rofr as svc
from deals.services.ledger.writer import obligations_for
from deals.terms.rofr import NewTransactionTerms

from .conftest import make_conversion

D = datetime.date
OFFERED = NewTransactionTerms(market_price_pct=Decimal("85"), fixed_price=Decimal("2.00"))


def _user(name="rofr-admin"):
    """A deal admin (price protection is asked for and approved by deal admins, issue 12)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from deals.services.roles import DEAL_ADMIN, ensure_groups

    ensure_groups()
    user = get_user_model().objects.get_or_create(username=name)[0]
    user.groups.add(Group.objects.get(name=DEAL_ADMIN))
    return user


def _confirm(offer):
    """SPA 4(j)(v) through four eyes: one deal admin asks, a second approves; the adjustment."""
    from deals.services.approvals import approval_approve

    approval = svc.price_protection_request(offer=offer, user=_user(), as_of=D(2000, 6, 15))
    approval_approve(approval=approval, checker=_user("rofr-checker"))
    return PriceProtectionAdjustment.objects.get(offer=offer)


MAY_26 = D(2000, 5, 26)


def _offer(deal, sent=MAY_26, received=None, terms=OFFERED, amount="500000"):
    received = received or {deal["a"].pk: sent, deal["b"].pk: sent}
    return svc.offer_create(
        financing=deal["financing"],
        description="Private placement",
        amount=Decimal(amount),
        terms=terms,
        sent_date=sent,
        received=received,
        user=_user(),
        as_of=sent,
    )


def _answer(offer, investor, answer, on, exercised="0", extra="0"):
    r = offer.responses.get(investor=investor)
    return svc.offer_answer_record(
        response=r,
        answer=answer,
        answered_date=on,
        amount_exercised=Decimal(exercised),
        additional_requested=Decimal(extra),
        user=_user(),
        as_of=on,
    )


@pytest.mark.django_db
def test_answers_are_due_three_business_days_after_receipt_skipping_memorial_day(deal):
    offer = _offer(deal)  # received Friday 2000-05-26; Monday 05-29 is a holiday
    r = offer.responses.get(investor=deal["a"])
    assert r.answer_due == D(2000, 6, 1)
    assert (r.allocable_share, r.pro_rata_part) == (Decimal("0.600000"), Decimal("300000.00"))
    ob = obligations_for(r).get(kind=ObligationKind.ROFR_ANSWER)
    assert ob.due_date == D(2000, 6, 1) and ob.amount == Decimal("300000.00")
    assert svc.consummation_deadline(offer) == D(2000, 6, 21)  # 20 days after the Expiration Date


@pytest.mark.django_db
def test_a_declining_buyers_part_goes_to_the_full_exerciser(deal):
    offer = _offer(deal)
    _answer(offer, deal["a"], "full", D(2000, 5, 30), extra="250000")
    _answer(offer, deal["b"], "declined", D(2000, 5, 31))
    alloc = svc.offer_allocation(offer)
    a = offer.responses.get(investor=deal["a"])
    assert a.amount_taken == Decimal("500000.00") and a.additional_allocated == Decimal("200000.00")
    assert alloc.remaining_for_new_investor == Decimal("0")
    offer.refresh_from_db()
    assert offer.status == NewTransactionOffer.Status.ANSWERED


@pytest.mark.django_db
def test_an_exercise_after_close_of_business_on_the_expiration_date_is_refused(deal):
    offer = _offer(deal)
    _answer(offer, deal["a"], "full", D(2000, 6, 1))  # exactly on the deadline: accepted
    with pytest.raises(ValidationError, match="late"):
        _answer(offer, deal["b"], "full", D(2000, 6, 2))


@pytest.mark.django_db
def test_a_partial_exerciser_cannot_take_declined_parts(deal):
    offer = _offer(deal)
    with pytest.raises(ValidationError, match="exercised in full"):
        _answer(offer, deal["b"], "partial", D(2000, 5, 30), exercised="100000", extra="10")


@pytest.mark.django_db
def test_better_final_terms_require_a_new_offer_linked_by_restarts(deal):
    offer = _offer(deal)
    _answer(offer, deal["a"], "declined", D(2000, 5, 30))
    _answer(offer, deal["b"], "declined", D(2000, 5, 30))
    better = NewTransactionTerms(market_price_pct=Decimal("75"), fixed_price=Decimal("2.00"))
    with pytest.raises(ValidationError, match="more beneficial"):
        svc.offer_consummate(offer=offer, consummated_date=D(2000, 6, 10), final=better, user=_user(), as_of=D(2000, 6, 10))
    new = svc.offer_restart(
        offer=offer,
        terms=better,
        amount=Decimal("500000"),
        description="changed",
        sent_date=D(2000, 6, 12),
        received={deal["a"].pk: D(2000, 6, 12), deal["b"].pk: D(2000, 6, 13)},
        user=_user(),
        as_of=D(2000, 6, 12),
    )
    offer.refresh_from_db()
    assert offer.status == NewTransactionOffer.Status.SUPERSEDED and new.restarts_id == offer.pk
    assert new.responses.get(investor=deal["b"]).answer_due == D(2000, 6, 16)


@pytest.mark.django_db
def test_consummation_window_closes_after_twenty_days(deal):
    offer = _offer(deal)
    _answer(offer, deal["a"], "declined", D(2000, 5, 30))
    _answer(offer, deal["b"], "declined", D(2000, 5, 30))
    with pytest.raises(ValidationError, match="window closed on 2000-06-21"):
        svc.offer_consummate(offer=offer, consummated_date=D(2000, 6, 22), final=OFFERED, user=_user(), as_of=D(2000, 6, 22))
    svc.offer_consummate(offer=offer, consummated_date=D(2000, 6, 21), final=OFFERED, user=_user(), as_of=D(2000, 6, 21))
    assert obligations_for(offer).get(kind=ObligationKind.ROFR_CONSUMMATION).status == "satisfied"


@pytest.mark.django_db
def test_price_protection_creates_a_new_terms_version_and_adjusts_warrants_but_not_past_conversions(deal):
    reg_svc.registration_statement_save(
        financing=deal["financing"],
        data={"filed_date": D(2000, 3, 20), "effective_date": D(2000, 4, 3), "shares_registered": 2_000_000},
        user=None,
        as_of=D(2000, 5, 26),
    )
    v1 = DealTermsVersion.objects.get(financing=deal["financing"], version=1)
    deb_v1 = DealTermsVersion.objects.get(financing=deal["debenture"].financing, version=1)
    past = make_conversion(deal["ha"], D(2000, 5, 1), "100000", 60_000, version=v1)
    cheaper = NewTransactionTerms(market_price_pct=Decimal("75"), fixed_price=Decimal("2.00"), warrant_exercise_price=Decimal("1.8000"))
    offer = _offer(deal, terms=cheaper)
    _answer(offer, deal["a"], "declined", D(2000, 5, 30))
    _answer(offer, deal["b"], "declined", D(2000, 5, 30))
    offer = svc.offer_consummate(offer=offer, consummated_date=D(2000, 6, 15), final=cheaper, user=_user(), as_of=D(2000, 6, 15))
    proposal = svc.price_protection_proposal(offer)
    assert proposal.applies
    assert {w.warrant.number: w.new_exercise_price for w in proposal.warrants} == {
        deal["wa"].number: Decimal("1.8000"),
        deal["wb"].number: Decimal("1.8000"),
    }
    adj = _confirm(offer)
    assert adj.terms_version.version == 2 and adj.terms_version.effective_from == D(2000, 6, 15)
    assert adj.terms_version.preferred_discount_pct == Decimal("75")  # 75% of market < 80%
    assert adj.terms_version.financing == deal["financing"]
    assert terms_in_force(financing=deal["financing"], day=D(2000, 6, 14)).version.version == 1
    assert terms_in_force(financing=deal["financing"], day=D(2000, 6, 15)).version == adj.terms_version
    # the debenture financing's terms are untouched by the Series J's price protection
    assert terms_in_force(financing=deal["debenture"].financing, day=D(2000, 6, 15)).version == deb_v1
    deal["wa"].refresh_from_db()
    assert deal["wa"].exercise_price == Decimal("1.8000")
    assert deal["wa"].history.count() == 2  # the change is in the warrant's history
    past.refresh_from_db()
    assert past.terms_version_id == v1.pk  # never rewritten
    with pytest.raises(ValidationError, match="already confirmed"):
        svc.price_protection_request(offer=offer, user=_user(), as_of=D(2000, 6, 15))


@pytest.mark.django_db
def test_terms_no_better_than_the_series_j_change_nothing(deal):
    offer = _offer(deal)
    _answer(offer, deal["a"], "declined", D(2000, 5, 30))
    _answer(offer, deal["b"], "declined", D(2000, 5, 30))
    # Consummated on the offered terms: 85% of market is not lower than 80%, $2.00 not lower than $1.4375.
    offer = svc.offer_consummate(offer=offer, consummated_date=D(2000, 6, 15), final=OFFERED, user=_user(), as_of=D(2000, 6, 15))
    assert not svc.price_protection_proposal(offer).applies
    with pytest.raises(ValidationError, match="nothing to adjust"):
        svc.price_protection_request(offer=offer, user=_user(), as_of=D(2000, 6, 15))
    assert Approval.objects.count() == 0
    assert PriceProtectionAdjustment.objects.count() == 0


@pytest.mark.django_db
def test_no_offer_is_needed_after_240_days_from_the_effective_date(deal):
    reg_svc.registration_statement_save(
        financing=deal["financing"],
        data={"filed_date": D(2000, 3, 20), "effective_date": D(2000, 4, 3), "shares_registered": 2_000_000},
        user=None,
        as_of=D(2000, 5, 26),
    )
    with pytest.raises(ValidationError, match="period ended on 2000-11-29"):
        _offer(deal, sent=D(2000, 11, 30))


@pytest.mark.django_db
def test_new_transaction_recorded_as_a_financing_drives_price_protection_from_its_terms(deal):
    """SPA 4(j), issue 18: the New Transaction is a financing of its own (Series K, 75% of market,
    Fixed Price $1.25, warrants at $1.80); the comparison reads its terms in force, not typed-in text."""
    from tests.factories import DealTermsVersionFactory, SeriesJFinancingFactory, WarrantFactory

    reg_svc.registration_statement_save(
        financing=deal["financing"],
        data={"filed_date": D(2000, 3, 20), "effective_date": D(2000, 4, 3), "shares_registered": 2_000_000},
        user=None,
        as_of=D(2000, 5, 26),
    )
    series_k = SeriesJFinancingFactory(issuer=deal["financing"].issuer, name="Series K", terms=False,
                                       initial_closing_date=D(2000, 6, 15))
    k_terms = DealTermsVersionFactory(financing=series_k, effective_from=D(2000, 6, 1), reason="Series K CoD",
                                      preferred_discount_pct=Decimal("75"), preferred_fixed_price=Decimal("1.2500"))
    WarrantFactory(financing=series_k, exercise_price=Decimal("1.8000"), issue_date=D(2000, 6, 15))
    offered = NewTransactionTerms(market_price_pct=Decimal("75"), fixed_price=Decimal("1.25"),
                                  warrant_exercise_price=Decimal("1.8000"))
    offer = _offer(deal, terms=offered)
    _answer(offer, deal["a"], "declined", D(2000, 5, 30))
    _answer(offer, deal["b"], "declined", D(2000, 5, 30))
    with pytest.raises(ValidationError, match="cannot be it"):
        svc.offer_consummate(offer=offer, consummated_date=D(2000, 6, 15), new_financing=deal["financing"], user=_user(),
                             as_of=D(2000, 6, 15))
    # the typed-in terms are ignored when the financing is given
    offer = svc.offer_consummate(offer=offer, consummated_date=D(2000, 6, 15), final=OFFERED, new_financing=series_k,
                                 user=_user(), as_of=D(2000, 6, 15))
    assert offer.new_financing == series_k
    assert offer.consummated_terms["market_price_pct"] == "75.0000"
    proposal = svc.price_protection_proposal(offer)
    assert proposal.protection.deal_terms_changes == {"preferred_discount_pct": Decimal("75.0000"),
                                                      "preferred_fixed_price": Decimal("1.2500")}
    assert {w.new_exercise_price for w in proposal.warrants} == {Decimal("1.8000")}
    adj = _confirm(offer)
    assert adj.terms_version.financing == deal["financing"] and adj.terms_version.preferred_discount_pct == Decimal("75")
    k_terms.refresh_from_db()
    assert terms_in_force(financing=series_k, day=D(2000, 6, 15)).version == k_terms  # Series K's own terms untouched


def _cheaper_consummated(deal):
    """A New Transaction at 75% of market and warrants at $1.80, consummated 2000-06-15 within the period."""
    reg_svc.registration_statement_save(
        financing=deal["financing"],
        data={"filed_date": D(2000, 3, 20), "effective_date": D(2000, 4, 3), "shares_registered": 2_000_000},
        user=None,
        as_of=D(2000, 5, 26),
    )
    cheaper = NewTransactionTerms(market_price_pct=Decimal("75"), fixed_price=Decimal("2.00"), warrant_exercise_price=Decimal("1.8000"))
    offer = _offer(deal, terms=cheaper)
    _answer(offer, deal["a"], "declined", D(2000, 5, 30))
    _answer(offer, deal["b"], "declined", D(2000, 5, 30))
    return svc.offer_consummate(offer=offer, consummated_date=D(2000, 6, 15), final=cheaper, user=_user(), as_of=D(2000, 6, 15))


@pytest.mark.django_db
def test_price_protection_waits_for_a_second_deal_admin_and_needs_no_holder_consent(deal):
    """Issue 12 + SPA 4(j)(v): the request writes nothing but the approval; the maker cannot approve
    it; a second request while one is pending is refused naming it; approval applies it all."""
    from deals.services.approvals import approval_approve
    from deals.services.errors import WorkflowError

    offer = _cheaper_consummated(deal)
    approval = svc.price_protection_request(offer=offer, user=_user(), as_of=D(2000, 6, 15))
    assert approval.status == "pending" and approval.kind == "terms_version" and approval.financing == deal["financing"]
    assert approval.payload["contract_terms"] == [] and approval.consents.count() == 0 and not approval.document
    assert approval.payload["changed"] == ["preferred_discount_pct"]
    assert {w["exercise_price"] for w in approval.payload["price_protection"]["warrants"]} == {"1.8000"}
    assert DealTermsVersion.objects.filter(financing=deal["financing"]).count() == 1  # nothing applied yet
    deal["wa"].refresh_from_db()
    assert deal["wa"].exercise_price != Decimal("1.8000") and PriceProtectionAdjustment.objects.count() == 0
    assert svc.price_protection_pending(offer) == approval
    with pytest.raises(ValidationError, match=f"already pending approval #{approval.pk}"):
        svc.price_protection_request(offer=offer, user=_user(), as_of=D(2000, 6, 15))
    with pytest.raises(WorkflowError, match="different deal admin"):
        approval_approve(approval=approval, checker=_user())
    approval = approval_approve(approval=approval, checker=_user("rofr-checker"))
    v2 = DealTermsVersion.objects.get(financing=deal["financing"], version=2)
    assert approval.result_model == "deals.DealTermsVersion" and approval.result_id == v2.pk
    assert v2.created_by == _user() and v2.history.latest().history_user == _user("rofr-checker")
    assert v2.preferred_discount_pct == Decimal("75") and v2.effective_from == D(2000, 6, 15)
    adj = PriceProtectionAdjustment.objects.get(offer=offer)
    assert adj.terms_version == v2 and len(adj.warrants_adjusted) == 2
    deal["wa"].refresh_from_db()
    assert deal["wa"].exercise_price == Decimal("1.8000")
    assert deal["wa"].history.latest().history_user == _user("rofr-checker")
    assert svc.price_protection_pending(offer) is None


@pytest.mark.django_db
def test_price_protection_changed_since_the_request_is_not_applied(deal):
    """The checker approves what the maker asked for: a warrant changed meanwhile leaves the approval
    pending and writes nothing."""
    from deals.services.approvals import approval_approve
    from deals.services.errors import WorkflowError

    offer = _cheaper_consummated(deal)
    approval = svc.price_protection_request(offer=offer, user=_user(), as_of=D(2000, 6, 15))
    deal["wa"].shares_remaining -= 1
    deal["wa"].save(update_fields=["shares_remaining"])
    with pytest.raises(WorkflowError, match=f"differs from the one asked for in approval #{approval.pk}"):
        approval_approve(approval=approval, checker=_user("rofr-checker"))
    approval.refresh_from_db()
    assert approval.status == "pending"
    assert DealTermsVersion.objects.filter(financing=deal["financing"]).count() == 1
    assert PriceProtectionAdjustment.objects.count() == 0


@pytest.mark.django_db
def test_price_protection_request_is_for_deal_admins_only(deal):
    from django.contrib.auth import get_user_model
    from django.core.exceptions import PermissionDenied

    offer = _cheaper_consummated(deal)
    clerk = get_user_model().objects.create_user(username="rofr-clerk", password="x")
    with pytest.raises(PermissionDenied):
        svc.price_protection_request(offer=offer, user=clerk, as_of=D(2000, 6, 15))
    assert Approval.objects.count() == 0


@pytest.mark.django_db
def test_offer_page_shows_pending_approval_number(deal, client):
    offer = _cheaper_consummated(deal)
    client.force_login(_user())
    page = client.get(f"/company/offers/{offer.pk}/")
    assert page.status_code == 200 and b"Ask for approval" in page.content
    resp = client.post(f"/company/offers/{offer.pk}/protect/", follow=True)
    approval = Approval.objects.get()
    assert resp.status_code == 200
    text = resp.content.decode()
    assert f"pending approval #{approval.pk}" in text and 'data-testid="pp-pending"' in text
    assert "Ask for approval" not in text
    assert DealTermsVersion.objects.filter(financing=deal["financing"]).count() == 1
    # asking again is refused on the page, naming the pending approval; still one request
    resp = client.post(f"/company/offers/{offer.pk}/protect/", follow=True)
    assert f"already pending approval #{approval.pk}" in resp.content.decode() and Approval.objects.count() == 1


@pytest.mark.django_db
def test_checker_sees_the_price_protection_on_the_approval_page_and_applies_it(deal, client):
    offer = _cheaper_consummated(deal)
    approval = svc.price_protection_request(offer=offer, user=_user(), as_of=D(2000, 6, 15))
    client.force_login(_user("rofr-checker"))
    text = client.get(f"/approvals/{approval.pk}/").content.decode()
    assert 'data-testid="price-protection"' in text and "no holder consent" in text
    assert "Clerical terms only" not in text and 'data-testid="terms-diff"' in text
    resp = client.post(f"/approvals/{approval.pk}/approve/", {"confirm": "on"}, follow=True)
    assert resp.status_code == 200
    assert PriceProtectionAdjustment.objects.get(offer=offer).terms_version.version == 2
    page = client.get(f"/company/offers/{offer.pk}/").content.decode()
    assert 'data-testid="adjustment"' in page and 'data-testid="pp-pending"' not in page
