"""settlement_record / settlement_reverse: every money kind paid, part-paid and waived;
reversals; every bad input refused with nothing written; permissions."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from deals.models import (
    Debenture,
    InstrumentStatus,
    Obligation,
    ObligationKind,
    ObligationStatus,
    Redemption,
    RedemptionStatus,
    Settlement,
)
from deals.selectors.settlements import MONEY_KINDS, amount_due_on
from deals.services.conversions import WorkflowError
from deals.services.ledger.settlements import settlement_record, settlement_reverse
from tests.ledger.conftest import DELIVERED, make_obligation
from tests.services.test_conversions import set_business_date

D = Decimal
# Debenture 7 prepayment: the tender is its payment -- the workflow records it paid at once
# (tests/transfers/test_sale_prepayment.py); it is never an open amount to part-pay or waive.
KINDS = sorted(MONEY_KINDS - {ObligationKind.SALE_PREPAYMENT})


def pay(ob, user, amount, *, day=None, kind="payment", **kw):
    from deals.services.calendar import business_date

    extra = {"method": "wire", "reference": "FW 1"} if kind == "payment" else {"waived_by": "Holder (J. Smith)",
                                                                                "instrument": "Letter of 2000-06-13"}
    extra.update(kw)
    return settlement_record(obligation_id=ob.pk, kind=kind, date=day or business_date(), amount=amount, by=user, **extra)


@pytest.mark.parametrize("kind", KINDS)
def test_each_money_kind_part_paid_then_paid(kind, world, deal_admin):
    ob = make_obligation(kind, world, deal_admin)
    from deals.services.calendar import business_date

    due = amount_due_on(ob, business_date()).amount
    assert due > D("1.00")
    pay(ob, deal_admin, D("1.00"))
    ob.refresh_from_db()
    assert ob.status == ObligationStatus.PART_PAID and ob.settled == D("1.00")
    pay(ob, deal_admin, due - D("1.00"))
    ob.refresh_from_db()
    assert ob.status == ObligationStatus.PAID
    assert ob.settled == ob.amount == due
    assert ob.satisfied_date == business_date()
    assert ob.history.first().history_user == deal_admin


@pytest.mark.parametrize("kind", KINDS)
def test_each_money_kind_waived(kind, world, deal_admin):
    ob = make_obligation(kind, world, deal_admin)
    from deals.services.calendar import business_date

    due = amount_due_on(ob, business_date()).amount
    entry = pay(ob, deal_admin, due, kind="waiver")
    ob.refresh_from_db()
    assert ob.status == ObligationStatus.WAIVED
    assert entry.waived_by == "Holder (J. Smith)" and entry.instrument == "Letter of 2000-06-13"


def test_late_payment_worked_example_200_paid_in_two_parts(late_payment, deal_admin):
    assert late_payment.amount == D("200.00")
    pay(late_payment, deal_admin, "150.00")
    with pytest.raises(WorkflowError) as e:
        pay(late_payment, deal_admin, "60.00")
    assert e.value.code == "over_balance"
    assert "$60.00" in str(e.value) and "$50.00" in str(e.value)
    pay(late_payment, deal_admin, "50.00")
    late_payment.refresh_from_db()
    assert late_payment.status == ObligationStatus.PAID


def test_paid_redemption_redeems_the_debenture(world, deal_admin):
    ob = make_obligation(ObligationKind.REDEMPTION_PAYMENT, world, deal_admin)
    # Debenture 4(B): 120% + interest to the payment date (2000-06-15: 149 days) = $122,449.32
    assert amount_due_on(ob, datetime.date(2000, 6, 15)).amount == D("122449.32")
    assert amount_due_on(ob, datetime.date(2000, 6, 14)).amount < D("122449.32")
    pay(ob, deal_admin, "122449.32")
    red = Redemption.objects.get()
    deb = Debenture.objects.get()
    assert red.status == RedemptionStatus.PAID and red.payment_date == datetime.date(2000, 6, 15)
    assert deb.status == InstrumentStatus.REDEEMED and deb.principal_outstanding == 0
    assert Obligation.objects.get(kind=ObligationKind.REDEMPTION_CONVERT_WINDOW).status == ObligationStatus.VOID


def test_maturity_paid_makes_the_debenture_matured(world, deal_admin):
    ob = make_obligation(ObligationKind.MATURITY, world, deal_admin)
    due = amount_due_on(ob, world.debenture.maturity_date).amount
    assert due > D("100000")  # principal + 6% interest to the Maturity Date
    pay(ob, deal_admin, due, method="shares", reference="Cert C-77")
    deb = Debenture.objects.get()
    assert deb.status == InstrumentStatus.MATURED and deb.principal_outstanding == 0


def test_mandatory_purchase_dividends_accrue_through_payment(world, deal_admin):
    ob = make_obligation(ObligationKind.MANDATORY_PURCHASE, world, deal_admin)
    on_due = amount_due_on(ob, datetime.date(2000, 6, 12)).amount
    later = amount_due_on(ob, datetime.date(2000, 6, 20)).amount
    assert later > on_due > D("580000")  # 145% x $400,000 + dividends; 8 more days of dividends
    set_business_date(datetime.date(2000, 6, 20))
    pay(ob, deal_admin, later)
    ob.refresh_from_db()
    assert ob.amount == later and ob.details["fixed_at_payment"] == "2000-06-20"


def test_cap_redemption_m_grows_with_a_new_high_price(world, deal_admin):
    from deals.models import MarketPrice

    ob = make_obligation(ObligationKind.CAP_REDEMPTION, world, deal_admin)
    before = amount_due_on(ob, datetime.date(2000, 6, 20)).amount
    MarketPrice.objects.filter(date=datetime.date(2000, 6, 19)).update(closing_price=D("0.1000"))
    after = amount_due_on(ob, datetime.date(2000, 6, 20)).amount
    assert after == (before * 2).quantize(D("0.01")) or abs(after - before * 2) <= D("0.01")


def test_cap_redemption_missing_price_is_refused_with_the_date(world, deal_admin):
    from deals.models import MarketPrice

    ob = make_obligation(ObligationKind.CAP_REDEMPTION, world, deal_admin)
    MarketPrice.objects.filter(date=datetime.date(2000, 6, 19)).delete()
    with pytest.raises(WorkflowError, match="2000-06-19"):
        pay(ob, deal_admin, "1.00")
    assert Settlement.objects.count() == 0


# --- reversal -----------------------------------------------------------------------------------


def test_reversal_reopens_a_paid_row_as_part_paid_then_open(late_payment, deal_admin):
    first = pay(late_payment, deal_admin, "50.00")
    second = pay(late_payment, deal_admin, "150.00")
    late_payment.refresh_from_db()
    assert late_payment.status == ObligationStatus.PAID
    settlement_reverse(settlement_id=second.pk, date=DELIVERED, reason="wire returned", by=deal_admin)
    late_payment.refresh_from_db()
    assert late_payment.status == ObligationStatus.PART_PAID and late_payment.settled == D("50.00")
    settlement_reverse(settlement_id=first.pk, date=DELIVERED, reason="wire returned", by=deal_admin)
    late_payment.refresh_from_db()
    assert late_payment.status == ObligationStatus.OPEN and late_payment.settled == 0
    # the books keep all four entries; none was edited
    assert list(Settlement.objects.order_by("id").values_list("kind", "amount")) == [
        ("payment", D("50.00")), ("payment", D("150.00")), ("reversal", D("150.00")), ("reversal", D("50.00"))]
    with pytest.raises(WorkflowError, match="already reversed"):
        settlement_reverse(settlement_id=first.pk, date=DELIVERED, reason="again", by=deal_admin)


def test_reversal_needs_a_reason_and_a_date_not_before_the_entry(late_payment, deal_admin):
    entry = pay(late_payment, deal_admin, "50.00")
    with pytest.raises(WorkflowError, match="why"):
        settlement_reverse(settlement_id=entry.pk, date=DELIVERED, reason=" ", by=deal_admin)
    with pytest.raises(WorkflowError, match="before the entry"):
        settlement_reverse(settlement_id=entry.pk, date=DELIVERED - datetime.timedelta(days=1), reason="x", by=deal_admin)
    assert Settlement.objects.count() == 1


def test_reversing_a_redemption_that_redeemed_the_debenture_is_refused(world, deal_admin):
    ob = make_obligation(ObligationKind.REDEMPTION_PAYMENT, world, deal_admin)
    entry = pay(ob, deal_admin, "122449.32")
    with pytest.raises(WorkflowError, match="Debenture's status"):
        settlement_reverse(settlement_id=entry.pk, date=datetime.date(2000, 6, 15), reason="x", by=deal_admin)


# --- bad input: refused, nothing written --------------------------------------------------------


@pytest.mark.parametrize(("amount", "code", "text"), [
    ("0", "not_positive", "more than $0.00"),
    ("-5", "not_positive", "more than $0.00"),
    ("0.001", "sub_cent", "fractions of a cent"),
    ("NaN", "invalid_amount", "finite"),
    ("Infinity", "invalid_amount", "finite"),
    ("abc", "invalid_amount", "not a number"),
    ("200.01", "over_balance", "$200.01"),
])
def test_bad_amounts_are_refused_and_nothing_is_written(late_payment, deal_admin, amount, code, text):
    with pytest.raises(WorkflowError) as e:
        pay(late_payment, deal_admin, amount)
    assert e.value.code == code and text in str(e.value)
    late_payment.refresh_from_db()
    assert Settlement.objects.count() == 0 and late_payment.settled == 0 and late_payment.status == ObligationStatus.OPEN


def test_payment_exactly_the_balance_is_accepted_one_cent_more_is_not(late_payment, deal_admin):
    with pytest.raises(WorkflowError, match="more than the balance of \\$200.00"):
        pay(late_payment, deal_admin, "200.01")
    pay(late_payment, deal_admin, "200.00")


def test_dates_after_the_business_date_or_before_the_amount_arose_are_refused(late_payment, deal_admin):
    # grace period ended 2000-06-09 (Friday): the late payment arose on Monday 2000-06-12
    with pytest.raises(WorkflowError, match="after the business date 2000-06-13"):
        pay(late_payment, deal_admin, "10", day=datetime.date(2000, 6, 14))
    with pytest.raises(WorkflowError, match="before the amount arose on 2000-06-12"):
        pay(late_payment, deal_admin, "10", day=datetime.date(2000, 6, 9))
    pay(late_payment, deal_admin, "10", day=datetime.date(2000, 6, 12))  # the day it arose is fine


def test_closed_rows_are_not_settled_again(late_payment, deal_admin):
    pay(late_payment, deal_admin, "200.00")
    with pytest.raises(WorkflowError) as e:
        pay(late_payment, deal_admin, "1.00")
    assert e.value.code == "closed" and "paid since 2000-06-13" in str(e.value)
    share = Obligation.objects.get(kind=ObligationKind.SHARE_DELIVERY)
    with pytest.raises(WorkflowError) as e:
        pay(share, deal_admin, "1.00")
    assert e.value.code == "not_money"


def test_waiver_needs_who_and_the_written_instrument(late_payment, deal_admin):
    with pytest.raises(WorkflowError, match="written instrument"):
        pay(late_payment, deal_admin, "200", kind="waiver", instrument="")
    with pytest.raises(WorkflowError, match="how it was paid"):
        pay(late_payment, deal_admin, "200", method="")
    assert Settlement.objects.count() == 0


def test_clerk_and_no_role_user_cannot_settle_or_reverse(late_payment, clerk, no_role_user, deal_admin):
    for user in (clerk, no_role_user):
        with pytest.raises(PermissionDenied):
            pay(late_payment, user, "10.00")
    entry = pay(late_payment, deal_admin, "10.00")
    with pytest.raises(PermissionDenied):
        settlement_reverse(settlement_id=entry.pk, date=DELIVERED, reason="x", by=clerk)
    assert Settlement.objects.count() == 1


def test_conversion_cash_is_owed_on_the_delivery_date(world, deal_admin):
    ob = make_obligation(ObligationKind.CONVERSION_CASH, world, deal_admin)
    # Debenture 4(A): 6% on $20,000 from 2000-01-18 to 2000-06-01 (135 days) = $443.84 in cash
    assert ob.amount == D("443.84")
    assert ob.due_date == datetime.date(2000, 6, 6)
    assert ob.clause == "Debenture 4(A)"


def test_acceleration_is_owed_with_interest_accruing_to_payment(world, deal_admin):
    ob = make_obligation(ObligationKind.ACCELERATION, world, deal_admin)
    assert ob.clause == "Debenture 10" and ob.due_date == datetime.date(2000, 6, 2)
    on_day = amount_due_on(ob, datetime.date(2000, 6, 2)).amount
    assert on_day == ob.amount
    # 3 more days of 6% on $100,000 = $49.315; each total is rounded to cents on its own
    assert amount_due_on(ob, datetime.date(2000, 6, 5)).amount - on_day in (D("49.31"), D("49.32"))


def test_conversion_after_the_maturity_payment_is_refused_with_the_reason(world, deal_admin):
    from deals.services import conversions as conv_svc
    from tests import factories as f

    ob = make_obligation(ObligationKind.MATURITY, world, deal_admin)
    maturity = world.debenture.maturity_date
    f.price_series(maturity - datetime.timedelta(days=20), maturity, bid=D("1.5000"))
    # between the Maturity Date and the payment the principal is still outstanding: a quote works
    conv_svc.conversion_quote(instrument=world.debenture, amount=D("1000"), conversion_date=maturity)
    pay(ob, deal_admin, amount_due_on(ob, maturity).amount)
    deb = Debenture.objects.get()
    with pytest.raises(WorkflowError) as e:
        conv_svc.conversion_quote(instrument=deb, amount=D("1000"), conversion_date=maturity)
    assert e.value.code == "instrument_closed"
    assert f"matured on {maturity.isoformat()}" in str(e.value) and "maturity payment was recorded" in str(e.value)


def test_maturity_page_names_the_holder_of_record(world, deal_admin, client):
    from django.urls import reverse

    ob = make_obligation(ObligationKind.MATURITY, world, deal_admin)
    client.force_login(deal_admin)
    r = client.get(reverse("obligation_detail", args=[ob.pk]))
    assert r.status_code == 200
    assert "holder of record" in r.context["payee"] and str(world.debenture.investor) in r.context["payee"]


# --- SPA 5(c) late payments stop growing; revocation and buy-in ----------------------------------


def test_revocation_fixes_the_late_payment_incurred_so_far_without_a_sweep(world, deal_admin):
    from deals.services import conversions as conv_svc
    from tests.services.test_conversions import submit

    conv = submit(world.preferred, "10000", deal_admin)
    # Delivery Date 2000-06-06, grace to 06-09; revoked Tuesday 06-13 = 2 business days late -> $200.00
    set_business_date(datetime.date(2000, 6, 13))
    conv_svc.conversion_revoke(conversion=conv, revoked_date=datetime.date(2000, 6, 13), user=deal_admin)
    late = Obligation.objects.get(kind=ObligationKind.LATE_PAYMENT)
    assert late.amount == D("200.00") and late.status == ObligationStatus.OPEN
    # it no longer grows: the amount due a week later is the same
    assert amount_due_on(late, datetime.date(2000, 6, 20)).amount == D("200.00")


def test_buy_in_leaves_the_late_payment_owed_in_addition(late_payment, deal_admin):
    from deals.models import Conversion
    from deals.services import conversions as conv_svc

    conv = Conversion.objects.get(pk=late_payment.object_id)
    conv_svc.buy_in_record(conversion=conv, buy_in_date=DELIVERED, covering_cost=D("11000"), sold_proceeds=D("10000"),
                           user=deal_admin)
    late_payment.refresh_from_db()
    assert late_payment.amount == D("200.00") and late_payment.status == ObligationStatus.OPEN
    assert Obligation.objects.get(kind=ObligationKind.BUY_IN).amount == D("1000.00")


def test_a_late_payment_paid_while_undelivered_is_not_reopened_by_the_delivery(world, deal_admin):
    from deals.services import conversions as conv_svc
    from deals.services.ledger.writer import Row, ledger_put
    from tests.services.test_conversions import submit

    conv = submit(world.preferred, "10000", deal_admin)
    set_business_date(datetime.date(2000, 6, 13))
    # the sweep's accruing row: 2 business days late so far
    ledger_put(source=conv, rows=[Row(ObligationKind.LATE_PAYMENT, "SPA 5(c)", conv.pk, datetime.date(2000, 6, 12),
                                      investor_id=conv.investor_id, amount=D("200.00"), details={"grace_end": "2000-06-09"})])
    ob = Obligation.objects.get(kind=ObligationKind.LATE_PAYMENT)
    pay(ob, deal_admin, "200.00")
    set_business_date(datetime.date(2000, 6, 15))
    conv_svc.delivery_record(conversion=conv, delivered_date=datetime.date(2000, 6, 15), reference="DWAC", user=deal_admin)
    ob.refresh_from_db()
    assert ob.status == ObligationStatus.PAID and ob.amount == D("200.00") and ob.settled == D("200.00")
