"""SPA 4(j)(v) (issue 16 item 9): the terms of the Preferred Stock and the Warrants "(whether previously
issued and/or converted or not) shall be modified to (i) reduce the relevant Conversion Rate, Fixed
Price or Warrant exercise price" -- the adjustment lists the past conversions and exercises it reaches
and what each holder is owed (additional shares; the exercise price repaid), one ledger row per holder.

Deal (conftest): Series J 80% of market / Fixed Price $1.4375, warrants at $2.20. New Transaction
consummated 2000-06-15 at 75% of market and warrants at $1.80.
Alpha's conversion of $100,000 on 2000-05-01 used a Market Price of $1.50: 80% = $1.20 -> 83,333
shares; at 75% = $1.125 -> 88,888.89 -> 88,889 shares: 5,556 more. Beta exercised 10,000 warrant
shares at $2.20 on 2000-05-10: ($2.20 - $1.80) x 10,000 = $4,000.00 repaid.
"""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.db.models import F
from django.urls import reverse

from deals.models import Conversion, DealTermsVersion, Obligation, ObligationKind, WarrantExercise
from deals.services.company import registration as reg_svc
from deals.services.company import rofr as svc
from deals.terms.errors import InvalidInput
from deals.terms.rofr import NewTransactionTerms, past_conversion_catch_up, past_exercise_catch_up
from tests.company.test_rofr_service import _confirm
from tests.services.test_conversions import set_business_date

from .conftest import _user, make_conversion

D = datetime.date
CONSUMMATED = D(2000, 6, 15)
CHEAPER = NewTransactionTerms(market_price_pct=Decimal("75"), fixed_price=Decimal("2.00"), warrant_exercise_price=Decimal("1.8000"))


# --- the engine --------------------------------------------------------------------------------


def test_a_past_conversion_is_priced_again_on_the_new_terms():
    c = past_conversion_catch_up(amount=Decimal("100000"), market_average=Decimal("1.5"), price_before=Decimal("1.2"),
                                 shares_before=83_333, new_discount_pct=Decimal("75"), new_fixed_price=Decimal("1.4375"))
    assert (c.price_after, c.shares_after, c.additional_shares) == (Decimal("1.125"), 88_889, 5_556)


def test_a_new_fixed_price_below_the_discounted_price_applies():
    c = past_conversion_catch_up(amount=Decimal("100000"), market_average=Decimal("1.5"), price_before=Decimal("1.2"),
                                 shares_before=83_333, new_discount_pct=Decimal("80"), new_fixed_price=Decimal("1.00"))
    assert c.price_after == Decimal("1.00") and c.additional_shares == 100_000 - 83_333


def test_terms_that_give_no_lower_price_owe_nothing_never_fewer_shares():
    c = past_conversion_catch_up(amount=Decimal("100000"), market_average=Decimal("1.5"), price_before=Decimal("1.2"),
                                 shares_before=83_333, new_discount_pct=Decimal("85"), new_fixed_price=Decimal("1.4375"))
    assert c.price_after == Decimal("1.2") and c.additional_shares == 0


@pytest.mark.parametrize(
    ("paid", "new", "owed"),
    [("2.2000", "1.8000", "4000.00"), ("1.8000", "1.8000", "0"), ("1.7999", "1.8000", "0"), ("1.8001", "1.8000", "1.00")],
)
def test_a_past_exercise_is_repaid_the_price_difference_at_the_edges(paid, new, owed):
    assert past_exercise_catch_up(shares=10_000, price_paid=Decimal(paid), new_price=Decimal(new)).amount_owed == Decimal(owed)


def test_bad_input_is_refused():
    with pytest.raises(InvalidInput):
        past_exercise_catch_up(shares=0, price_paid=Decimal("2"), new_price=Decimal("1"))
    with pytest.raises(InvalidInput):
        past_conversion_catch_up(amount=Decimal("0"), market_average=Decimal("1"), price_before=Decimal("1"), shares_before=1,
                                 new_discount_pct=Decimal("75"), new_fixed_price=Decimal("1"))


# --- the service --------------------------------------------------------------------------------


def _conversion(holding, on, amount="100000", shares=83_333, status="delivered"):
    c = make_conversion(holding, on, amount, shares, status=status)
    Conversion.objects.filter(pk=c.pk).update(
        snapshot={"market_price": {"average": "1.5"}, "applied_price": "1.2"}, conversion_price=Decimal("1.2000")
    )
    return c


def _exercise(warrant, on, shares=10_000, price="2.2000"):
    tv = DealTermsVersion.objects.filter(financing=warrant.financing).order_by("version").first()
    cost = Decimal(price) * shares
    return WarrantExercise.objects.create(
        warrant=warrant, investor=warrant.investor, terms_version=tv, shares=shares, exercise_date=on,
        exercise_price=Decimal(price), aggregate_price=cost, payment_amount=cost, payment_date=on, delivery_date=on,
        snapshot={}, idempotency_key=uuid.uuid4().hex, created_by=_user(),
    )


@pytest.fixture
def consummated(deal):
    reg_svc.registration_statement_save(
        financing=deal["financing"], data={"filed_date": D(2000, 3, 20), "effective_date": D(2000, 4, 3), "shares_registered": 2_000_000},
        user=None, as_of=D(2000, 5, 26),
    )
    deal["past"] = _conversion(deal["ha"], D(2000, 5, 1))
    deal["on_day"] = _conversion(deal["ha"], CONSUMMATED)  # priced under the new version already: not reached
    deal["revoked"] = _conversion(deal["hb"], D(2000, 5, 2), status="revoked")
    deal["exercise"] = _exercise(deal["wb"], D(2000, 5, 10))
    deal["cheap_exercise"] = _exercise(deal["wa"], D(2000, 5, 11), price="1.7000")  # already below $1.80
    offer = svc.offer_create(
        financing=deal["financing"], description="Placement", amount=Decimal("500000"), terms=CHEAPER, sent_date=D(2000, 5, 26),
        received={deal["a"].pk: D(2000, 5, 26), deal["b"].pk: D(2000, 5, 26)}, user=_user(), as_of=D(2000, 5, 26),
    )
    for r in offer.responses.all():
        svc.offer_answer_record(response=r, answer="declined", answered_date=D(2000, 5, 30), amount_exercised=Decimal(0),
                                additional_requested=Decimal(0), user=_user(), as_of=D(2000, 5, 30))
    deal["offer"] = svc.offer_consummate(offer=offer, consummated_date=CONSUMMATED, final=CHEAPER, user=_user(), as_of=CONSUMMATED)
    return deal


@pytest.mark.django_db
def test_the_proposal_lists_the_past_records_it_reaches(consummated):
    d = consummated
    p = svc.price_protection_proposal(d["offer"])
    assert [(c.pk, k.additional_shares) for c, k in p.past_conversions] == [(d["past"].pk, 5_556)]
    assert [(e.pk, k.amount_owed) for e, k in p.past_exercises] == [(d["exercise"].pk, Decimal("4000.00"))]


@pytest.mark.django_db
def test_confirming_writes_one_row_per_holder_and_keeps_the_lines(consummated):
    d = consummated
    set_business_date(CONSUMMATED)  # the approval that applies it is given on the consummation date
    adj = _confirm(d["offer"])  # SPA 4(j)(v) through four eyes (issue 12)
    shares = Obligation.objects.get(kind=ObligationKind.PRICE_PROTECTION_SHARES)
    assert shares.investor_id == d["a"].pk and shares.details["shares"] == 5_556 and shares.amount is None
    assert shares.due_date == D(2000, 6, 20)  # 3rd business day after Thursday 2000-06-15
    refund = Obligation.objects.get(kind=ObligationKind.PRICE_PROTECTION_REFUND)
    assert refund.investor_id == d["b"].pk and refund.amount == Decimal("4000.00") and refund.clause == "SPA 4(j)(v)"
    assert [(line["kind"], line.get("additional_shares"), line.get("amount_owed")) for line in adj.snapshot["past"]] == [
        ("conversion", 5_556, None), ("exercise", None, "4000.00")
    ]
    d["past"].refresh_from_db()
    assert d["past"].shares_issuable == 83_333  # the conversion record itself is not rewritten


@pytest.mark.django_db
def test_a_conversion_without_a_market_price_on_record_is_named_not_guessed(consummated):
    d = consummated
    Conversion.objects.filter(pk=d["past"].pk).update(snapshot={}, market_price=None)
    p = svc.price_protection_proposal(d["offer"])
    assert p.past_conversions == [] and [c.pk for c in p.not_recomputable] == [d["past"].pk]


@pytest.mark.django_db
def test_the_offer_page_shows_the_past_records(clerk_client, consummated):
    html = clerk_client.get(reverse("company_offer", args=[consummated["offer"].pk])).content.decode()
    assert 'data-testid="past-proposed"' in html and "5,556 more owed" in html and "$4,000.00 repaid" in html


# --- the Cap Regulations bind the additional shares: SPA 3(c), 4(d)(ii), 4(i) (issue 12) ------------------
# The past conversion is owed 5,556 additional shares; they are issued on the confirmation date within the
# room the Cap Regulations leave then; beyond it they are held, owed until the Cap Regulations permit.


def _room_by_authorized(room: int) -> None:
    from deals.models import Issuer

    Issuer.objects.update(authorized_common_shares=F("shares_issued") + room)


def _confirm_and_rows(d):
    set_business_date(CONSUMMATED)  # the second deal admin approves on the consummation date
    adj = _confirm(d["offer"])  # SPA 4(j)(v) through four eyes (issue 12)
    return adj, Obligation.objects.get(kind=ObligationKind.PRICE_PROTECTION_SHARES)


@pytest.mark.django_db
@pytest.mark.parametrize(("room", "issued", "held"), [(5_557, 5_556, 0), (5_556, 5_556, 0), (5_555, 5_555, 1), (0, 0, 5_556)])
def test_additional_shares_are_issued_within_the_authorized_shares_at_under_over(consummated, room, issued, held):
    from deals.models import Issuer
    from deals.selectors.cap import cap_shares_issued

    d = consummated
    _room_by_authorized(room)
    before_issued, before_cap = Issuer.objects.get().shares_issued, cap_shares_issued()
    adj, row = _confirm_and_rows(d)
    assert (row.details["shares"], row.details["issued"], row.details["held"]) == (5_556, issued, held)
    assert adj.snapshot["cap"]["room"] == room and adj.snapshot["cap"]["issued"] == issued and adj.snapshot["cap"]["held"] == held
    assert adj.snapshot["cap"]["issued_on"] == CONSUMMATED.isoformat()
    issuer = Issuer.objects.get()
    assert issuer.shares_issued == before_issued + issued  # SPA 3(c): only what is issued counts
    assert cap_shares_issued() == before_cap + issued  # SPA 4(d)(ii): counted like any issuance to the holders
    if issued:
        assert issuer.history.first().shares_issued == issuer.shares_issued  # audited
    assert ("held until the Cap Regulations permit" in row.description) == bool(held)
    assert DealTermsVersion.objects.filter(financing=d["financing"], effective_from=CONSUMMATED).exists()  # terms still change


@pytest.mark.django_db
@pytest.mark.parametrize(("extra", "issued"), [(1, 5_556), (0, 5_556), (-1, 5_555)])
def test_the_twenty_percent_cap_binds_the_additional_shares(consummated, extra, issued):
    """SPA 4(d)(ii): cap room = 20% of shares outstanding at signing - shares already issued to the
    holders; set so that the room is 5,556 + extra."""
    from deals.models import Issuer
    from deals.selectors.cap import cap_shares_issued

    already = cap_shares_issued()
    Issuer.objects.update(shares_outstanding_at_signing=(already + 5_556 + extra) * 5)
    adj, row = _confirm_and_rows(consummated)
    assert adj.snapshot["cap"]["cap_room"] == 5_556 + extra and row.details["issued"] == issued
    assert row.details["held"] == 5_556 - issued


@pytest.mark.django_db
def test_stockholder_approval_lifts_the_cap_for_the_additional_shares(consummated):
    from deals.models import Issuer, StockholderMeeting
    from deals.selectors.cap import cap_shares_issued

    Issuer.objects.update(shares_outstanding_at_signing=cap_shares_issued() * 5)  # no cap room left
    StockholderMeeting.objects.create(issuer=Issuer.objects.get(), meeting_date=D(2000, 6, 1), votes_for=2, votes_against=1,
                                      approved=True, document="minutes.pdf", created_by=_user())
    adj, row = _confirm_and_rows(consummated)
    assert adj.snapshot["cap"]["cap_room"] is None and row.details["issued"] == 5_556 and row.details["held"] == 0


@pytest.mark.django_db
def test_issued_additional_shares_count_from_the_spa_date_and_in_the_meeting_issuances(consummated):
    """SPA 4(d)(ii): counted as issued on the confirmation date (on or after the SPA date), the day before not."""
    from deals.models import Financing, Issuer
    from deals.selectors.cap import cap_shares_issued, meeting_issuances

    Financing.objects.filter(pk=consummated["financing"].pk).update(agreement_date=D(2000, 3, 1))
    issuer = Issuer.objects.get()
    before = cap_shares_issued(issuer_id=issuer.pk)
    _confirm_and_rows(consummated)
    assert cap_shares_issued(issuer_id=issuer.pk) == before + 5_556
    assert cap_shares_issued(issuer_id=issuer.pk, through=CONSUMMATED) - cap_shares_issued(
        issuer_id=issuer.pk, through=D(2000, 6, 14)) == 5_556 + 83_333  # with the on-day conversion
    assert cap_shares_issued(issuer_id=issuer.pk, since=D(2000, 6, 16)) == 0
    assert (CONSUMMATED, 5_556) in meeting_issuances(issuer_id=issuer.pk)
