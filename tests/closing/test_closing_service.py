"""Closing workflows: room, escrow, conditions, Closing Date, recording the closing."""

import datetime
from decimal import Decimal

import pytest

from deals.models import (
    ClosingCondition,
    Debenture,
    DebentureRegisterEntry,
    EscrowDeposit,
    Obligation,
    ObligationKind,
    PreferredHolding,
    Subscription,
    Warrant,
)
from deals.selectors.closing import closing_status, holders_of_record
from deals.services import closing as svc
from deals.services.calendar import business_date_set
from deals.services.conversions import WorkflowError
from notices.models import Notice
from tests import factories as fx

from .conftest import ACCEPTED, fund, meet_all, pdf


def test_room_generates_one_item_per_spa_7_and_8_condition_and_the_escrow_deadline(room):
    assert list(room.conditions.values_list("code", flat=True).order_by("code")) == [
        "7(a)", "7(b)", "7(c)", "7(d)", "7(e)", "8(a)", "8(b)", "8(c)", "8(d)", "8(e)", "8(f)", "8(g)", "8(h)",
    ]  # fmt: skip
    row = Obligation.objects.get(kind=ObligationKind.ESCROW_DEPOSIT)
    assert row.due_date == datetime.date(2000, 1, 18) and row.clause == "SPA 1(d)"
    assert room.financing.acceptance_date == ACCEPTED


def test_second_room_for_a_financing_refused(room, deal_admin):
    with pytest.raises(WorkflowError, match="already has a closing room"):
        svc.closing_room_open(financing=room.financing, acceptance_date=ACCEPTED, user=deal_admin)


def test_subscriptions_over_the_offering_refused_nothing_written(room, deal_admin):
    extra = fx.InvestorFactory()
    with pytest.raises(WorkflowError, match=r"over the total offering of \$1,000,000.00 \(SPA 1\(a\)\(i\)\)"):
        svc.subscription_add(room=room, investor=extra, amount=Decimal("1000"), purchase_price=Decimal("1000"), user=deal_admin)
    assert Subscription.objects.count() == 2


def test_subscription_in_part_shares_refused(series_j, buyers, deal_admin):
    room = svc.closing_room_open(financing=series_j, acceptance_date=ACCEPTED, user=deal_admin)
    with pytest.raises(WorkflowError, match="SPA 1\\(b\\)\\(iv\\)"):
        svc.subscription_add(room=room, investor=buyers[0], amount=Decimal("1500"), purchase_price=Decimal("1500"), user=deal_admin)


@pytest.mark.parametrize(
    ("on", "late"), [(datetime.date(2000, 1, 14), False), (datetime.date(2000, 1, 18), False), (datetime.date(2000, 1, 19), True)]
)
def test_deposit_before_on_after_the_spa_1d_deadline(room, deal_admin, on, late):
    sub = room.subscriptions.first()
    _, warnings = svc.escrow_deposit_record(
        room=room, subscription=sub, amount=Decimal("600000"), deposited_on=on, reference="w1", user=deal_admin
    )
    assert bool(warnings) is late
    if late:
        assert "2000-01-18" in warnings[0]


def test_deposit_over_the_purchase_price_refused(room, deal_admin):
    sub = room.subscriptions.first()
    with pytest.raises(WorkflowError, match=r"exceeds the \$600,000.00 still due"):
        svc.escrow_deposit_record(
            room=room, subscription=sub, amount=Decimal("600001"), deposited_on=datetime.date(2000, 1, 14), reference="w", user=deal_admin
        )
    assert not EscrowDeposit.objects.exists()


def test_full_funding_satisfies_the_escrow_row_and_a_reversal_reopens_it(room, deal_admin):
    fund(room, deal_admin)
    row = Obligation.objects.get(kind=ObligationKind.ESCROW_DEPOSIT)
    assert row.status == "satisfied" and row.satisfied_date == datetime.date(2000, 1, 14)
    dep = EscrowDeposit.objects.first()
    svc.escrow_deposit_reverse(deposit=dep, reason="wrong buyer", user=deal_admin)
    row.refresh_from_db()
    assert row.status == "open"
    assert closing_status(room).total_deposited == Decimal("400000")
    with pytest.raises(WorkflowError, match="already been reversed"):
        svc.escrow_deposit_reverse(deposit=dep, reason="again", user=deal_admin)


def test_7b_needs_full_funding(room, deal_admin):
    c = room.conditions.get(code="7(b)")
    with pytest.raises(WorkflowError, match=r"\$0.00 of \$1,000,000.00"):
        svc.condition_satisfy(condition=c, met_on=datetime.date(2000, 1, 14), evidence=pdf(), user=deal_admin)


def test_satisfy_needs_evidence_and_waiver_needs_party(room, deal_admin):
    c = room.conditions.get(code="8(f)")
    with pytest.raises(WorkflowError, match="Upload"):
        svc.condition_satisfy(condition=c, met_on=datetime.date(2000, 1, 14), evidence=None, user=deal_admin)
    with pytest.raises(WorkflowError, match="each Buyer"):
        svc.condition_waive(condition=c, met_on=datetime.date(2000, 1, 14), waived_by=" ", note="x", user=deal_admin)
    with pytest.raises(WorkflowError, match="after the business date"):
        svc.condition_satisfy(condition=c, met_on=datetime.date(2000, 2, 2), evidence=pdf(), user=deal_admin)
    c.refresh_from_db()
    assert c.status == "open" and not c.evidence


def test_closing_date_computed_live_with_what_is_missing(room, deal_admin):
    fund(room, deal_admin)
    meet_all(room, deal_admin, on=datetime.date(2000, 1, 14))
    c = room.conditions.get(code="8(f)")
    svc.condition_reopen(condition=c, reason="opinion not dated the Closing Date", user=deal_admin)
    st = closing_status(room)
    assert st.closing.closing_date is None and st.closing.missing == ("SPA 8(f)",)
    svc.condition_satisfy(condition=room.conditions.get(code="8(f)"), met_on=datetime.date(2000, 1, 20), evidence=pdf(), user=deal_admin)
    assert closing_status(room).closing.closing_date == datetime.date(2000, 1, 21)


def test_closing_with_a_condition_open_refused_nothing_written(room, deal_admin):
    fund(room, deal_admin)
    meet_all(room, deal_admin)
    svc.condition_reopen(condition=room.conditions.get(code="8(c)"), reason="certificates not delivered", user=deal_admin)
    with pytest.raises(WorkflowError, match=r"SPA 8\(c\) still open"):
        svc.closing_record(room=room, bring_down_confirmed=True, user=deal_admin)
    assert not PreferredHolding.objects.exists() and not Warrant.objects.exists()
    room.refresh_from_db()
    assert room.status == "open"


@pytest.mark.parametrize(
    ("today", "ok"), [(datetime.date(2000, 1, 20), False), (datetime.date(2000, 1, 21), True), (datetime.date(2000, 1, 24), True)]
)
def test_closing_recorded_before_on_after_the_closing_date(room, deal_admin, today, ok):
    fund(room, deal_admin)
    meet_all(room, deal_admin, on=datetime.date(2000, 1, 20))
    business_date_set(day=today)
    if not ok:
        with pytest.raises(WorkflowError, match="The Closing Date is 2000-01-21"):
            svc.closing_record(room=room, bring_down_confirmed=True, user=deal_admin)
        return
    svc.closing_record(room=room, bring_down_confirmed=True, user=deal_admin)
    room.refresh_from_db()
    assert room.closing_date == datetime.date(2000, 1, 21)


def test_recording_the_closing_issues_holdings_and_spa_4h_warrants(room, deal_admin):
    from deals.models import MarketPrice

    MarketPrice.objects.filter(date=datetime.date(2000, 1, 20)).update(closing_bid=Decimal("1.2500"))
    fund(room, deal_admin)
    meet_all(room, deal_admin, on=datetime.date(2000, 1, 20))
    svc.closing_record(room=room, bring_down_confirmed=True, user=deal_admin)
    room.refresh_from_db()
    a = PreferredHolding.objects.get(investor__legal_name="Alpha Fund Ltd.")
    assert (a.certificate_number, a.shares, a.liquidation_preference, a.closing_date) == (
        "J-1", 600, Decimal("600000.00"), datetime.date(2000, 1, 21),
    )  # fmt: skip
    w = Warrant.objects.get(investor=a.investor)
    # SPA 4(h): 20% x $600,000 / (110% x $1.25 on Thu 2000-01-20) = 120,000 / 1.375 = 87,272.7 -> 87,272
    assert (w.shares, w.exercise_price, w.expiry_date) == (87_272, Decimal("1.3750"), datetime.date(2005, 1, 31))
    assert room.snapshot["issued"][0]["allocable_share"] == "0.600000"
    # SPA 4(b): each certificate carries the legend of the terms in force on the Closing Date (kept as issued)
    from deals.terms.params import SPA_LEGEND

    assert room.snapshot["legend"] == SPA_LEGEND and {i["legend"] for i in room.snapshot["issued"]} == {SPA_LEGEND}
    assert room.escrow_released_on == datetime.date(2000, 1, 21)
    assert room.financing.initial_closing_date == datetime.date(2000, 1, 21)
    red = Obligation.objects.get(kind=ObligationKind.REQUIRED_EFFECTIVE)
    assert red.due_date == datetime.date(2000, 4, 20)  # 90 days after the Initial Closing Date
    assert Notice.objects.filter(kind="closing_memo", object_id=room.pk).exists()
    with pytest.raises(WorkflowError, match="room is closed"):
        svc.closing_record(room=room, bring_down_confirmed=True, user=deal_admin)


def test_closing_refused_without_the_bid_of_the_trading_day_before(room, deal_admin):
    from deals.models import MarketPrice

    fund(room, deal_admin)
    meet_all(room, deal_admin, on=datetime.date(2000, 1, 20))
    MarketPrice.objects.filter(date=datetime.date(2000, 1, 20)).delete()
    with pytest.raises(WorkflowError, match="2000-01-20") as err:
        svc.closing_record(room=room, bring_down_confirmed=True, user=deal_admin)
    assert err.value.missing_dates == (datetime.date(2000, 1, 20),)
    assert not PreferredHolding.objects.exists()


def test_closing_refused_without_bring_down_or_with_escrow_short(room, deal_admin):
    meet_all_but_7b = [c for c in room.conditions.all() if c.code != "7(b)"]
    for c in meet_all_but_7b:
        svc.condition_satisfy(condition=c, met_on=datetime.date(2000, 1, 20), evidence=pdf(), user=deal_admin)
    with pytest.raises(WorkflowError, match=r"SPA 7\(b\) still open"):
        svc.closing_record(room=room, bring_down_confirmed=True, user=deal_admin)
    fund(room, deal_admin)
    svc.condition_satisfy(condition=room.conditions.get(code="7(b)"), met_on=datetime.date(2000, 1, 20), evidence=pdf(), user=deal_admin)
    with pytest.raises(WorkflowError, match="Closing Date"):
        svc.closing_record(room=room, bring_down_confirmed=False, user=deal_admin)


def test_debenture_closing_issues_d_numbers_in_100k_denominations_and_the_register(debenture_fin, buyers, deal_admin):
    room = svc.closing_room_open(financing=debenture_fin, acceptance_date=ACCEPTED, user=deal_admin)
    svc.subscription_add(
        room=room, investor=buyers[0], amount=Decimal("500000"), purchase_price=Decimal("500000"), denominations=2, user=deal_admin
    )
    with pytest.raises(WorkflowError, match="Debenture 1"):
        svc.subscription_add(room=room, investor=buyers[1], amount=Decimal("150000"), purchase_price=Decimal("150000"), user=deal_admin)
    svc.subscription_add(room=room, investor=buyers[1], amount=Decimal("800000"), purchase_price=Decimal("800000"), user=deal_admin)
    fund(room, deal_admin)
    meet_all(room, deal_admin)
    with pytest.raises(WorkflowError, match="Maturity Date"):
        svc.closing_record(room=room, bring_down_confirmed=True, user=deal_admin)
    svc.closing_record(room=room, bring_down_confirmed=True, maturity_date=datetime.date(2000, 12, 31), user=deal_admin)
    debs = list(Debenture.objects.order_by("number").values_list("number", "principal", "closing_date"))
    assert debs == [
        ("D-1", Decimal("300000.00"), datetime.date(2000, 1, 21)),
        ("D-2", Decimal("200000.00"), datetime.date(2000, 1, 21)),
        ("D-3", Decimal("800000.00"), datetime.date(2000, 1, 21)),
    ]
    room.refresh_from_db()
    assert room.snapshot["convertibility"]["first_tranche_from"] == "2000-04-20"
    assert room.snapshot["convertibility"]["full_from"] == "2000-05-20"
    assert DebentureRegisterEntry.objects.count() == 3
    assert {ln.number for ln in holders_of_record(debenture_fin, datetime.date(2000, 12, 21))} == {"D-1", "D-2", "D-3"}
    assert holders_of_record(debenture_fin, datetime.date(2000, 1, 20)) == []


def test_condition_history_records_who_and_when(room, deal_admin):
    c = room.conditions.get(code="8(a)")
    svc.condition_satisfy(condition=c, met_on=datetime.date(2000, 1, 14), evidence=pdf(), note="filed with Florida", user=deal_admin)
    c = ClosingCondition.objects.get(pk=c.pk)
    assert c.decided_by == deal_admin and c.decided_at is not None
    assert c.history.count() == 2
