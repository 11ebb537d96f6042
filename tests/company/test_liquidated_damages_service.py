"""RRA 2(b): Periodic Amounts per investor, FIFO Held Shares Value, payments and statements."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from deals.models import LiquidatedDamagesStatement, Obligation, ObligationKind, ObligationStatus, PeriodicAmountPayment
from deals.services.calendar import business_date_set
from deals.services.company import liquidated_damages as svc
from deals.services.company import registration as reg_svc
from deals.services.company import suspensions as susp_svc

from .conftest import make_conversion

D = datetime.date


def _statement(deal, as_of, effective=None):
    return reg_svc.registration_statement_save(
        financing=deal["financing"],
        data={"filed_date": D(2000, 3, 20), "effective_date": effective, "shares_registered": 2_000_000},
        user=None,
        as_of=as_of,
    )


@pytest.mark.django_db
def test_rra_example_effective_on_day_165_costs_five_percent(deal):
    # Closing 2000-03-07; day 165 = 2000-08-19. 2% (days 91-120) + 2% (121-150) + 1% (151-165).
    as_of = D(2000, 9, 1)
    _statement(deal, as_of, effective=D(2000, 8, 19))
    alpha = next(d for d in svc.damages_overview(financing=deal["financing"], as_of=as_of) if d.investor == deal["a"])
    (s,) = alpha.schedules
    assert [(r.line.computation_date, r.line.days, r.line.amount) for r in s.rows] == [
        (D(2000, 7, 5), 30, Decimal("12000.00")),
        (D(2000, 8, 4), 30, Decimal("12000.00")),
        (D(2000, 8, 19), 15, Decimal("6000.00")),
    ]
    assert alpha.total_computed == Decimal("30000.00")  # 5% of $600,000
    assert s.base.amount == Decimal("600000")  # Purchase Price before the Effective Date


@pytest.mark.django_db
def test_effective_on_the_required_date_costs_nothing(deal):
    _statement(deal, D(2000, 9, 1), effective=D(2000, 6, 5))
    assert svc.triggers(financing=deal["financing"], as_of=D(2000, 9, 1)) == []


@pytest.mark.django_db
def test_schedule_obligations_are_written_and_closed_when_paid(deal):
    as_of = D(2000, 9, 1)
    business_date_set(day=as_of)
    _statement(deal, as_of, effective=D(2000, 8, 19))
    obs = Obligation.objects.filter(kind=ObligationKind.PERIODIC_AMOUNT, investor=deal["a"])
    assert obs.count() == 3
    p = svc.periodic_amount_mark_paid(
        financing=deal["financing"],
        investor=deal["a"],
        lateness="required_effective_date",
        trigger_date=D(2000, 6, 5),
        computation_date=D(2000, 7, 5),
        paid_date=D(2000, 7, 6),
        reference="wire 1",
        user=_admin(),
        as_of=as_of,
    )
    assert p.amount == Decimal("12000.00") and p.days == 30
    paid = obs.get(due_date=D(2000, 7, 5))
    assert paid.status == ObligationStatus.PAID and paid.settlements.get().amount == Decimal("12000.00")
    with pytest.raises(ValidationError, match="already marked paid"):
        svc.periodic_amount_mark_paid(
            financing=deal["financing"],
            investor=deal["a"],
            lateness="required_effective_date",
            trigger_date=D(2000, 6, 5),
            computation_date=D(2000, 7, 5),
            paid_date=D(2000, 7, 6),
            reference="",
            user=_admin(),
            as_of=as_of,
        )
    # Re-syncing does not reopen it.
    svc.ld_obligations_sync(financing=deal["financing"], as_of=as_of)
    paid.refresh_from_db()
    assert paid.status == ObligationStatus.PAID
    assert PeriodicAmountPayment.objects.count() == 1


@pytest.mark.django_db
def test_marking_an_uncomputed_date_paid_is_refused(deal):
    as_of = D(2000, 9, 1)
    _statement(deal, as_of, effective=D(2000, 8, 19))
    with pytest.raises(ValidationError, match="No Periodic Amount"):
        svc.periodic_amount_mark_paid(
            financing=deal["financing"],
            investor=deal["a"],
            lateness="required_effective_date",
            trigger_date=D(2000, 6, 5),
            computation_date=D(2000, 7, 6),
            paid_date=D(2000, 7, 6),
            reference="",
            user=_admin(),
            as_of=as_of,
        )


@pytest.mark.django_db
def test_held_shares_value_takes_sales_first_in_first_out(deal):
    # Effective 2000-04-03; two conversions by Alpha in the 30 days before the Restricted Sale Date 2000-05-02;
    # 70,000 shares sold: all 50,000 of the first and 20,000 of the second -> 40,000 of 60,000 held = $66,666.67.
    as_of = D(2000, 4, 28)
    business_date_set(day=as_of)
    st = _statement(deal, as_of, effective=D(2000, 4, 3))
    make_conversion(deal["ha"], D(2000, 4, 10), "100000", 50_000)
    make_conversion(deal["ha"], D(2000, 4, 20), "100000", 60_000)
    ha = deal["ha"]
    ha.liquidation_preference_outstanding = Decimal("400000")
    ha.save()
    svc.share_sale_record(financing=deal["financing"], investor=deal["a"], sale_date=D(2000, 4, 25), shares=70_000, user=None, as_of=as_of)
    susp_svc.suspension_record(
        statement=st,
        notice_date=None,
        start_date=D(2000, 5, 2),
        end_date=D(2000, 5, 5),
        reason="",
        notice_required=True,
        user=None,
        as_of=as_of,
    )
    later = D(2000, 5, 20)
    alpha = svc.damages_overview(financing=deal["financing"], as_of=later, investor=deal["a"])[0]
    (s,) = alpha.schedules
    assert s.trigger.trigger_date == D(2000, 5, 2) and s.trigger.cured_on == D(2000, 5, 6)
    held = s.base.held_shares_value
    assert [(line.sold_shares, line.held_shares) for line in held.lines] == [(50_000, 0), (20_000, 40_000)]
    assert held.total == Decimal("66666.67")
    assert s.base.amount == Decimal("466666.67")  # unconverted $400,000 + Held Shares Value
    # Days 2000-05-03..05-06 (the restriction lifted on 05-06): 4 days of 2% / 30
    (row,) = s.rows
    assert row.line.days == 4 and row.line.amount == Decimal("1244.44")


@pytest.mark.django_db
def test_a_sale_above_the_shares_received_is_refused(deal, as_of):
    make_conversion(deal["ha"], D(2000, 3, 20), "100000", 50_000)
    with pytest.raises(ValidationError, match="would exceed"):
        svc.share_sale_record(
            financing=deal["financing"], investor=deal["a"], sale_date=D(2000, 3, 24), shares=50_001, user=None, as_of=as_of
        )


@pytest.mark.django_db
def test_monthly_statement_lists_the_months_computation_dates_and_requests_the_pdf(deal, django_capture_on_commit_callbacks):
    from notices.models import Notice

    as_of = D(2000, 9, 1)
    business_date_set(day=as_of)
    _statement(deal, as_of, effective=D(2000, 8, 19))
    with django_capture_on_commit_callbacks(execute=True):
        stmt = svc.ld_statement_create(financing=deal["financing"], investor=deal["a"], month=D(2000, 8, 1), user=_admin(), as_of=as_of)
    assert stmt.total_due == Decimal("18000.00")  # Computation Dates 08-04 and 08-19
    assert [r["line"]["computation_date"] for r in stmt.snapshot["rows"]] == ["2000-08-04", "2000-08-19"]
    notice = Notice.objects.get(kind="ld_statement", object_id=stmt.pk)
    assert notice.status in ("ready", "failed", "pending", "rendering")
    assert notice.status == "ready", getattr(notice, "error", "")
    assert LiquidatedDamagesStatement.objects.count() == 1


@pytest.mark.django_db
def test_a_statement_for_a_future_month_is_refused(deal, as_of):
    with pytest.raises(ValidationError, match="has not started"):
        svc.ld_statement_create(financing=deal["financing"], investor=deal["a"], month=D(2000, 4, 1), user=_admin(), as_of=as_of)


def _admin(name="ld-admin"):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from deals.services.roles import DEAL_ADMIN, ensure_groups

    ensure_groups()
    user = get_user_model().objects.get_or_create(username=name)[0]
    user.groups.add(Group.objects.get(name=DEAL_ADMIN))  # payments are settlements: deal admins only
    return user


def _pay_july(deal):
    """Mark investor A's $12,000.00 Periodic Amount of 2000-07-05 paid (as of 2000-09-01)."""
    return svc.periodic_amount_mark_paid(
        financing=deal["financing"], investor=deal["a"], lateness="required_effective_date", trigger_date=D(2000, 6, 5),
        computation_date=D(2000, 7, 5), paid_date=D(2000, 7, 6), reference="wire 1", user=_admin(), as_of=D(2000, 9, 1),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("threshold", "needs_approval"),
    [("12000.00", False), ("12000.01", False), ("11999.99", True)],
    ids=["amount-at-threshold", "amount-just-under", "amount-just-over"],
)
def test_periodic_amount_payment_above_the_threshold_waits_for_a_second_deal_admin(deal, settings, threshold,
                                                                                  needs_approval):
    """Issue 12: a $12,000.00 Periodic Amount (RRA 2(b)(iv)) marked paid from the damages page is a payment
    like any other: at or under APPROVAL_PAYMENT_THRESHOLD it is recorded at once; above it, it waits."""
    from deals.models import Approval, Settlement
    from deals.services.approvals import approval_approve

    settings.APPROVAL_PAYMENT_THRESHOLD = threshold
    as_of = D(2000, 9, 1)
    business_date_set(day=as_of)
    _statement(deal, as_of, effective=D(2000, 8, 19))
    result = _pay_july(deal)
    row = Obligation.objects.get(kind=ObligationKind.PERIODIC_AMOUNT, investor=deal["a"], due_date=D(2000, 7, 5))
    if not needs_approval:
        assert isinstance(result, PeriodicAmountPayment) and result.amount == Decimal("12000.00")
        assert Approval.objects.count() == 0 and row.status == ObligationStatus.PAID
        return
    assert isinstance(result, Approval) and result.status == "pending" and result.kind == "settlement"
    assert result.amount == Decimal("12000.00") and result.obligation == row
    assert "above the $11,999.99 approval threshold" in result.summary
    assert Settlement.objects.count() == 0 and PeriodicAmountPayment.objects.count() == 0
    assert row.status == ObligationStatus.OPEN
    with pytest.raises(ValidationError, match=f"already pending approval #{result.pk}"):
        _pay_july(deal)
    assert Approval.objects.count() == 1
    approval_approve(approval=result, checker=_admin("ld-checker"))
    row.refresh_from_db()
    assert row.status == ObligationStatus.PAID and row.settlements.get().amount == Decimal("12000.00")
    p = PeriodicAmountPayment.objects.get()
    assert p.paid_date == D(2000, 7, 6) and p.payment_reference == "wire 1" and p.amount == Decimal("12000.00")


@pytest.mark.django_db
def test_damages_page_says_pending_approval_for_a_payment_above_the_threshold(deal, settings, client):
    from deals.models import Approval

    settings.APPROVAL_PAYMENT_THRESHOLD = "11999.99"
    as_of = D(2000, 9, 1)
    business_date_set(day=as_of)
    _statement(deal, as_of, effective=D(2000, 8, 19))
    client.force_login(_admin())
    resp = client.post(
        f"/company/damages/{deal['financing'].pk}/investors/{deal['a'].pk}/paid/",
        {"lateness": "required_effective_date", "trigger_date": "2000-06-05", "computation_date": "2000-07-05",
         "paid_date": "2000-07-06", "reference": "wire 1"}, follow=True)
    approval = Approval.objects.get()
    text = resp.content.decode()
    assert resp.status_code == 200 and f"pending approval #{approval.pk}" in text
    assert "$12,000.00" in text and "$11,999.99 approval threshold" in text
    assert PeriodicAmountPayment.objects.count() == 0
