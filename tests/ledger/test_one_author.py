"""Issue 11: one author per ledger row. For every ObligationKind, the workflow writes the
row through its builder; a sweep on the same business date changes nothing (0 updated,
every field as it was); the next business day changes only what the clause says changes.
Also: no stale figures after a workflow, and history matching every row."""

import datetime
import uuid
from decimal import Decimal

import pytest

from deals.models import Obligation, ObligationKind, Warrant
from deals.selectors.ledger import obligation_amount_on
from deals.services import conversions as svc
from deals.services.calendar import business_date
from deals.services.ledger.rows import BUILDERS
from deals.services.sweeps import sweep_run
from deals.terms import calendars
from tests import factories as f
from tests.services.test_conversions import make_world, set_business_date, submit

D = Decimal
K = ObligationKind
FIELDS = ("kind", "clause", "content_type_id", "object_id", "period_key", "investor_id", "due_date", "amount", "status",
          "satisfied_date", "description", "details")


def _row(ob: Obligation) -> dict:
    ob.refresh_from_db()
    return {name: getattr(ob, name) for name in FIELDS}


# --- one workflow per kind -------------------------------------------------------------------------


def _conversion(world, user, amount="10000", instrument="preferred"):
    return submit(getattr(world, instrument), amount, user)


def w_share_delivery(world, user):
    _conversion(world, user)


def w_late_payment(world, user):
    conv = _conversion(world, user)
    set_business_date(datetime.date(2000, 6, 13))  # Delivery Date 06-06, grace to 06-09: late from 06-12
    svc.delivery_record(conversion=conv, delivered_date=datetime.date(2000, 6, 13), reference="DWAC 9", user=user)


def w_revocation_right(world, user):
    conv = _conversion(world, user)
    set_business_date(datetime.date(2000, 6, 12))  # the holder may revoke from 06-12
    from deals.services.ledger.sync import conversion_sync

    conversion_sync(conv, as_of=business_date(), user=user)  # what the conversion page refreshes on open


def w_original_notice(world, user):
    _conversion(world, user, "20000", "debenture")


def w_buy_in(world, user):
    conv = _conversion(world, user)
    set_business_date(datetime.date(2000, 6, 8))
    svc.buy_in_record(conversion=conv, buy_in_date=datetime.date(2000, 6, 7), covering_cost=D("11000"), sold_proceeds=D("10000"),
                      user=user)


def w_mandatory_purchase(world, user):
    conv = _conversion(world, user)
    set_business_date(datetime.date(2000, 6, 5))
    svc.conversion_dishonour(conversion=conv, notice_date=datetime.date(2000, 6, 5), user=user)


def w_conversion_cash(world, user):
    _conversion(world, user, "20000", "debenture")


def w_maturity(world, user):
    _conversion(world, user, "50000", "debenture")


def w_warrant_delivery(world, user):
    from deals.services.exercises import exercise_submit

    w = f.WarrantFactory(financing=world.preferred.financing, investor=world.preferred.investor)
    exercise_submit(warrant=w, shares=100, exercise_date=business_date(), payment_amount=w.exercise_price * 100,
                    payment_date=business_date(), idempotency_key=uuid.uuid4().hex, user=user)


w_warrant_expiry = w_warrant_delivery


def w_redemption(world, user):
    from deals.services import redemptions

    set_business_date(datetime.date(2000, 6, 1))
    redemptions.redemption_notice(debenture=world.debenture, notice_date=datetime.date(2000, 6, 1),
                                  received_date=datetime.date(2000, 6, 1), idempotency_key="k", user=user)


def w_cure_period(world, user):
    from deals.services.company import defaults

    defaults.default_record(financing=world.debenture.financing, debenture=world.debenture, kind="c",
                            occurred_date=datetime.date(2000, 5, 24), user=user, as_of=datetime.date(2000, 5, 24))
    set_business_date(datetime.date(2000, 5, 25))


def w_acceleration(world, user):
    from deals.services.company import defaults

    eod = defaults.default_record(financing=world.debenture.financing, debenture=world.debenture, kind="c",
                                  occurred_date=datetime.date(2000, 5, 24), user=user, as_of=datetime.date(2000, 5, 24))
    set_business_date(datetime.date(2000, 6, 5))
    defaults.default_accelerate(eod=eod, accelerated_date=datetime.date(2000, 6, 2), as_of=datetime.date(2000, 6, 5))


def w_indemnification(world, user):
    from deals.services.company import claims

    set_business_date(datetime.date(2008, 1, 10))
    f.price_series(datetime.date(2008, 1, 1), datetime.date(2008, 1, 31))
    claims.claim_record(data={
        "source": "indemnification", "claimant": "Natural Health Trends Corp.", "indemnifying_party": "Terry L. LaCore",
        "conduct": "Conduct before 2006-10-31", "notice_date": datetime.date(2008, 1, 10), "defense_assumed": False,
        "defense_assumed_by": "", "counsel": "", "amount_incurred": D("25000"), "amount_reimbursed": D("0"),
    }, user=user, as_of=datetime.date(2008, 1, 10))


# --- the cap: SPA 4(d)(ii), 4(i) ------------------------------------------------------------------------


def w_cap_redemption(world, user):
    from deals.models import MarketPrice

    MarketPrice.objects.update(closing_price=D("0.0500"), closing_bid=D("0.0500"))  # 400 shares blow the 20% cap
    conv = _conversion(world, user, "400000")
    set_business_date(datetime.date(2000, 6, 15))
    svc.cap_remedy_choose(conversion=conv, remedy="y", shares=conv.unconverted_shares, chosen_date=datetime.date(2000, 6, 15),
                          user=user)


def w_meeting_date(world, user):
    """SPA 4(d)(ii): a conversion moves the issuances that set the Meeting Date (the next
    stockholders' meeting is recorded on the Issuer)."""
    world.issuer.next_stockholders_meeting = datetime.date(2000, 7, 20)
    world.issuer.save(update_fields=["next_stockholders_meeting"])
    _conversion(world, user)


def w_reserve_shortfall(world, user):
    """SPA 3(c), 4(g): the Issuer authorizes only 100,000 shares beyond those issued. A $10,000
    Series J conversion (8,333 shares) fits the authorized shares (SPA 4(i)), but the reserve then
    due -- 150% of the 408,333 shares the $490,000 still outstanding converts into -- is not there:
    the conversion's reserve_sync writes the shortfall row on the conversion day."""
    issuer = world.issuer
    issuer.refresh_from_db()
    issuer.authorized_common_shares = issuer.shares_issued + 100_000
    issuer.save(update_fields=["authorized_common_shares"])
    _conversion(world, user)


# --- registration: RRA 2, 3 (on the Series J financing: Initial Closing 2000-01-14) ---------------------


def _statement(world, **data):
    from deals.services.company import registration

    return registration.registration_statement_save(financing=world.preferred.financing, data={"shares_registered": 0, **data},
                                                    user=None, as_of=business_date())


def w_required_effective(world, user):
    _statement(world, filed_date=datetime.date(2000, 3, 1))  # 90 days after 2000-01-14: 2000-04-13 (passed, not effective)


def w_registration_period_end(world, user):
    _statement(world, filed_date=datetime.date(2000, 3, 1), effective_date=datetime.date(2000, 4, 3), shares_registered=2_000_000)


def w_amendment_due(world, user):
    from deals.services.company import registration

    _statement(world, filed_date=datetime.date(2000, 3, 1), shares_registered=1_000)
    registration.increased_shares_record(financing=world.preferred.financing, user=user, as_of=business_date())


def w_periodic_amount(world, user):
    _statement(world, filed_date=datetime.date(2000, 3, 1), effective_date=datetime.date(2000, 5, 25), shares_registered=2_000_000)


def w_suspension_excess(world, user):
    from deals.services.company import suspensions

    st = _statement(world, filed_date=datetime.date(2000, 3, 1), effective_date=datetime.date(2000, 4, 3), shares_registered=2_000_000)
    suspensions.suspension_record(statement=st, notice_date=datetime.date(2000, 5, 1), start_date=datetime.date(2000, 5, 2),
                                  end_date=datetime.date(2000, 5, 10), reason="merger talks", notice_required=True, user=user,
                                  as_of=business_date())


# --- first refusal: SPA 4(j) ---------------------------------------------------------------------------


def w_rofr(world, user):
    from deals.services.company import rofr
    from deals.terms.rofr import NewTransactionTerms

    _statement(world, filed_date=datetime.date(2000, 3, 1), effective_date=datetime.date(2000, 4, 3), shares_registered=2_000_000)
    today = business_date()
    rofr.offer_create(financing=world.preferred.financing, description="Private placement", amount=D("500000"),
                      terms=NewTransactionTerms(market_price_pct=D("85"), fixed_price=D("2.00")), sent_date=today,
                      received={world.preferred.investor_id: today}, user=user, as_of=today)


# --- closing and transfers: SPA 1(d), 4(b), 5(a); Debenture 7 -------------------------------------------


def w_escrow_deposit(world, user):
    from deals.services import closing

    fin = f.SeriesJFinancingFactory(name="Series K", initial_closing_date=None, issuer=world.issuer)
    closing.closing_room_open(financing=fin, acceptance_date=datetime.date(2000, 5, 31), user=user)


def w_legend_removal(world, user):
    from deals.services import transfers

    today = datetime.date(2001, 1, 16)  # after the Regulation S Restricted Period (Closing 2000-01-14 + 1 year)
    set_business_date(today)
    transfers.legend_removal_request(financing=world.preferred.financing, investor=world.preferred.investor, security="common",
                                     certificate="C-101", quantity=D("5000"), basis="rule_144k", counsel="Smith LLP",
                                     opinion_date=today, opinion_received=today, user=user)


def w_sale_conversion_window(world, user):
    from deals.services import transfers

    today = business_date()
    transfers.sale_event_record(financing=world.debenture.financing, kind="merger", counterparty="Acquirer Inc.", description="",
                                notice_date=today, notice_received=today, user=user)



def w_sale_prepayment(world, user):
    """Debenture 7: notice of the Sale received 2000-05-15, window through 05-30, tender 06-01."""
    from deals.services import transfers

    today = business_date()
    sale = transfers.sale_event_record(financing=world.debenture.financing, kind="merger", counterparty="Acquirer Inc.",
                                       description="", notice_date=datetime.date(2000, 5, 15),
                                       notice_received=datetime.date(2000, 5, 15), user=user)
    transfers.sale_prepayment_record(sale=sale, debenture=world.debenture, tender_date=today, user=user)


# --- price protection reaching past records: SPA 4(j)(v) ------------------------------------------------


def _price_protection(world, user, *, exercise: bool):
    """SPA 4(j)(v) "(whether previously issued and/or converted or not)": a Series J conversion (and,
    for the refund, a warrant exercise at $2.20) on 2000-06-01, then a New Transaction at 75% of market
    / warrants at $1.80 consummated 2000-06-05 and confirmed by a deal admin the same day."""
    from deals.services.company import rofr
    from deals.services.exercises import exercise_submit
    from deals.terms.rofr import NewTransactionTerms

    _statement(world, filed_date=datetime.date(2000, 3, 1), effective_date=datetime.date(2000, 4, 3), shares_registered=2_000_000)
    fin = world.preferred.financing
    if exercise:
        w = f.WarrantFactory(financing=fin, investor=world.preferred.investor, exercise_price=D("2.2000"))
        exercise_submit(warrant=w, shares=100, exercise_date=business_date(), payment_amount=w.exercise_price * 100,
                        payment_date=business_date(), idempotency_key=uuid.uuid4().hex, user=user)
    else:
        _conversion(world, user)
    cheaper = NewTransactionTerms(market_price_pct=D("75"), fixed_price=D("1.00"), warrant_exercise_price=D("1.8000"))
    sent = business_date()
    offer = rofr.offer_create(financing=fin, description="Placement", amount=D("500000"), terms=cheaper, sent_date=sent,
                              received={world.preferred.investor_id: sent}, user=user, as_of=sent)
    for r in offer.responses.all():
        rofr.offer_answer_record(response=r, answer="declined", answered_date=sent, amount_exercised=D(0),
                                 additional_requested=D(0), user=user, as_of=sent)
    day = datetime.date(2000, 6, 5)
    set_business_date(day)
    offer = rofr.offer_consummate(offer=offer, consummated_date=day, final=cheaper, user=user, as_of=day)
    from deals.services.approvals import approval_approve
    from tests.company.test_rofr_service import _user as deal_admin_named

    approval = rofr.price_protection_request(offer=offer, user=user, as_of=day)  # four eyes (issue 12)
    approval_approve(approval=approval, checker=deal_admin_named("pp-checker"))


def w_price_protection_shares(world, user):
    _price_protection(world, user, exercise=False)


def w_price_protection_refund(world, user):
    _price_protection(world, user, exercise=True)


WORKFLOWS = {
    K.SHARE_DELIVERY: w_share_delivery,
    K.LATE_PAYMENT: w_late_payment,
    K.REVOCATION_RIGHT: w_revocation_right,
    K.ORIGINAL_NOTICE: w_original_notice,
    K.BUY_IN: w_buy_in,
    K.MANDATORY_PURCHASE: w_mandatory_purchase,
    K.CONVERSION_CASH: w_conversion_cash,
    K.MATURITY: w_maturity,
    K.WARRANT_DELIVERY: w_warrant_delivery,
    K.WARRANT_EXPIRY: w_warrant_expiry,
    K.REDEMPTION_PAYMENT: w_redemption,
    K.REDEMPTION_CONVERT_WINDOW: w_redemption,
    K.CURE_PERIOD: w_cure_period,
    K.ACCELERATION: w_acceleration,
    K.INDEMNIFICATION_SURVIVAL: w_indemnification,
    K.CAP_REDEMPTION: w_cap_redemption,
    K.MEETING_DATE: w_meeting_date,
    K.RESERVE_SHORTFALL: w_reserve_shortfall,
    K.REQUIRED_EFFECTIVE: w_required_effective,
    K.AMENDMENT_DUE: w_amendment_due,
    K.PERIODIC_AMOUNT: w_periodic_amount,
    K.SUSPENSION_EXCESS: w_suspension_excess,
    K.REGISTRATION_PERIOD_END: w_registration_period_end,
    K.ROFR_ANSWER: w_rofr,
    K.ROFR_CONSUMMATION: w_rofr,
    K.ROFR_PERIOD_END: w_rofr,
    K.ESCROW_DEPOSIT: w_escrow_deposit,
    K.LEGEND_REMOVAL: w_legend_removal,
    K.SALE_CONVERSION_WINDOW: w_sale_conversion_window,
    K.SALE_PREPAYMENT: w_sale_prepayment,
    K.PRICE_PROTECTION_SHARES: w_price_protection_shares,
    K.PRICE_PROTECTION_REFUND: w_price_protection_refund,
}
# What the clause moves on the next business day (everything else must stay as it was).
NEXT_DAY_CHANGES = {
    K.REDEMPTION_PAYMENT: set(),
    K.CURE_PERIOD: set(),
}
ACCRUING = {K.MATURITY, K.MANDATORY_PURCHASE}


def test_every_kind_has_one_builder():
    assert set(BUILDERS) == set(ObligationKind.values)


def test_every_kind_has_a_workflow_setup():
    """Issue 11: the one-author test below covers every kind; a new kind needs its workflow here."""
    assert set(WORKFLOWS) == set(ObligationKind.values), sorted(set(ObligationKind.values) - set(WORKFLOWS))


@pytest.mark.parametrize("kind", sorted(ObligationKind.values))
def test_workflow_row_is_what_the_sweep_writes(kind, deal_admin):
    assert kind in WORKFLOWS, f"no workflow setup for {kind}"
    world = make_world(end=datetime.date(2000, 7, 31))
    WORKFLOWS[kind](world, deal_admin)
    ob = Obligation.objects.filter(kind=kind).order_by("id").first()
    assert ob is not None, f"the workflow wrote no {kind} row"
    before = _row(ob)
    today = business_date()
    run = sweep_run(as_of=today, triggered_by="same day")
    assert run.status == "succeeded", run.errors
    assert sum(r.get("updated", 0) + r.get("voided", 0) for r in run.stats["rules"].values()) == 0, run.stats["rules"]
    assert _row(ob) == before
    # the next business day: only what the clause moves
    nxt = calendars.add_business_days(today, 1)
    amount_today = obligation_amount_on(ob, today)
    sweep_run(as_of=nxt, triggered_by="next day")
    after = _row(ob)
    changed = {k for k in FIELDS if after[k] != before[k]}
    allowed = NEXT_DAY_CHANGES.get(kind, set())
    if before["status"] == "open" and after["status"] != "open":
        allowed = allowed | {"status", "satisfied_date", "description", "details"}  # the deadline passed
    if kind in (K.REVOCATION_RIGHT, K.CURE_PERIOD, K.ORIGINAL_NOTICE):
        allowed = allowed | {"description", "details"}  # "uncured after ..." / "late" the day after the deadline
    assert changed <= allowed, {k: (before[k], after[k]) for k in changed}
    if kind in ACCRUING and after["status"] == "open":
        assert obligation_amount_on(ob, nxt) >= amount_today


# --- no stale figures --------------------------------------------------------------------------------


def test_partial_conversion_refreshes_the_maturity_amount_at_once(deal_admin):
    world = make_world(end=datetime.date(2000, 7, 31))
    deb = world.debenture
    sweep_run(as_of=business_date(), triggered_by="before")
    full = Obligation.objects.get(kind=K.MATURITY, object_id=deb.pk)
    _conversion(world, deal_admin, "50000", "debenture")  # no sweep after this
    half = Obligation.objects.get(kind=K.MATURITY, object_id=deb.pk)
    assert half.details["principal"] == "50000.00"
    # principal + 6% interest to the Maturity Date on what is left: exactly half the full figure
    assert half.amount * 2 == full.amount or abs(half.amount * 2 - full.amount) <= D("0.01")
    assert half.history.first().amount == half.amount  # audited


def test_warrant_exercise_refreshes_shares_exercisable_at_once(deal_admin):
    from deals.services.exercises import exercise_submit

    world = make_world(end=datetime.date(2000, 7, 31))
    w = f.WarrantFactory(financing=world.preferred.financing, investor=world.preferred.investor, shares=21_382, shares_remaining=21_382)
    sweep_run(as_of=business_date(), triggered_by="before")
    assert "21,382 shares exercisable" in Obligation.objects.get(kind=K.WARRANT_EXPIRY, object_id=w.pk).description
    exercise_submit(warrant=w, shares=10_000, exercise_date=business_date(), payment_amount=w.exercise_price * 10_000,
                    payment_date=business_date(), idempotency_key="x", user=deal_admin)
    row = Obligation.objects.get(kind=K.WARRANT_EXPIRY, object_id=w.pk)
    assert "11,382 shares exercisable" in row.description
    w.refresh_from_db()
    assert w.history.first().shares_remaining == 11_382  # the F() update left history


def test_conversion_during_redemption_voids_the_redemption_rows_at_once(deal_admin):
    from deals.services import redemptions

    world = make_world(end=datetime.date(2000, 7, 31))
    set_business_date(datetime.date(2000, 6, 1))
    redemptions.redemption_notice(debenture=world.debenture, notice_date=datetime.date(2000, 6, 1),
                                  received_date=datetime.date(2000, 6, 1), idempotency_key="r", user=deal_admin)
    submit(world.debenture, "100000", deal_admin, day=datetime.date(2000, 6, 1))
    assert set(Obligation.objects.filter(kind__in=[K.REDEMPTION_PAYMENT, K.REDEMPTION_CONVERT_WINDOW])
               .values_list("status", flat=True)) == {"void"}
    assert Obligation.objects.get(kind=K.MATURITY).status == "satisfied"  # fully converted: nothing outstanding


def test_indemnification_claim_row_survives_the_sweep(deal_admin):
    """Issue 11: the claim's $25,000 row used to become amount NULL, details {} after a sweep."""
    world = make_world(end=datetime.date(2000, 7, 31))
    w_indemnification(world, deal_admin)
    ob = Obligation.objects.get(kind=K.INDEMNIFICATION_SURVIVAL, content_type__model="indemnificationclaim")
    sweep_run(as_of=business_date())
    ob.refresh_from_db()
    assert ob.amount == D("25000.00") and ob.details["clause"]


def test_cure_period_working_survives_the_sweep(deal_admin):
    world = make_world(end=datetime.date(2000, 7, 31))
    w_cure_period(world, deal_admin)
    sweep_run(as_of=business_date())
    ob = Obligation.objects.get(kind=K.CURE_PERIOD)
    assert ob.details["working"] and ob.details["cure_by"] == ob.due_date.isoformat()


# --- audit: history matches every row ---------------------------------------------------------------------


def test_history_matches_every_row_after_workflows_and_sweeps(deal_admin):
    world = make_world(end=datetime.date(2000, 7, 31))
    w_maturity(world, deal_admin)  # first: its faxed notice is recorded on its day (Debenture 4(A) fax-date limit)
    w_late_payment(world, deal_admin)
    w_warrant_delivery(world, deal_admin)
    for day in (business_date(), calendars.add_business_days(business_date(), 1), datetime.date(2000, 8, 1)):
        sweep_run(as_of=day)
    Warrant.objects.update()  # no-op: the sweep's own set-based writes are what is checked
    from deals.models import Debenture, Issuer

    for model in (Obligation, Debenture, Warrant, Issuer):
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in ("updated_at",)]
        for obj in model.objects.all():
            last = model.history.filter(id=obj.pk).order_by("-history_date", "-history_id").first()
            assert last is not None, f"{model.__name__} {obj.pk} has no history"
            mismatch = {n: (getattr(obj, n), getattr(last, n)) for n in fields if getattr(obj, n) != getattr(last, n)}
            assert not mismatch, f"{model.__name__} {obj.pk}: {mismatch}"


def test_series_j_conversion_refreshes_the_registration_figures_at_once(deal_admin):
    """Issue 11, RRA 2(a)(ii): registrable shares exceed the 370,000 registered (373,443: a flag the
    sweep raises); converting $100,000 brings them to 363,416 -- the flag is void at once, no sweep."""
    from deals.services.company.registration import registration_overview

    world = make_world(end=datetime.date(2000, 7, 31))
    _statement(world, filed_date=datetime.date(2000, 3, 1), effective_date=datetime.date(2000, 4, 3), shares_registered=370_000)
    sweep_run(as_of=business_date(), triggered_by="before")
    flag = Obligation.objects.get(kind=K.AMENDMENT_DUE, period_key="unrecorded")
    assert flag.status == "open" and flag.details["registrable"] == 373_443 and flag.details["registered"] == 370_000
    _conversion(world, deal_admin, "100000")  # no sweep after this
    assert registration_overview(financing=world.preferred.financing, as_of=business_date()).registrable_now == 363_416
    flag.refresh_from_db()
    assert flag.status == "void" and "no longer exceeds registered" in flag.description
    assert flag.history.first().status == "void"  # audited
    run = sweep_run(as_of=business_date(), triggered_by="after")
    assert run.stats["rules"]["increased_shares"]["updated"] + run.stats["rules"]["increased_shares"]["voided"] == 0


def test_series_j_conversion_raises_the_registration_flag_at_once(deal_admin):
    """The other way round (RRA 2(a)(ii)): registered 365,000 -- below the 373,443 registrable but
    the statement's own figures; a dishonoured conversion restores the holding and the flag stands."""
    world = make_world(end=datetime.date(2000, 7, 31))
    _statement(world, filed_date=datetime.date(2000, 3, 1), effective_date=datetime.date(2000, 4, 3), shares_registered=365_000)
    conv = _conversion(world, deal_admin, "100000")  # registrable 363,416 <= 365,000: no flag
    assert not Obligation.objects.filter(kind=K.AMENDMENT_DUE, period_key="unrecorded").exists()
    set_business_date(datetime.date(2000, 6, 5))
    svc.conversion_dishonour(conversion=conv, notice_date=datetime.date(2000, 6, 5), user=deal_admin)  # SPA 5(f)
    flag = Obligation.objects.get(kind=K.AMENDMENT_DUE, period_key="unrecorded")
    assert flag.status == "open" and flag.details["first_seen"] == "2000-06-05"
    assert flag.details["registered"] == 365_000 and flag.details["registrable"] > 365_000


def test_accruing_periodic_amount_row_is_not_rewritten_the_next_day(deal_admin):
    world = make_world(end=datetime.date(2000, 7, 31))
    w_required_effective(world, deal_admin)  # not effective: the Periodic Amount accrues towards 2000-06-12
    sweep_run(as_of=business_date(), triggered_by="same day")
    ob = Obligation.objects.get(kind=K.PERIODIC_AMOUNT, details__accruing=True)
    before = _row(ob)
    sweep_run(as_of=calendars.add_business_days(business_date(), 1), triggered_by="next day")
    after = _row(ob)
    assert {k for k in FIELDS if after[k] != before[k]} == set()
