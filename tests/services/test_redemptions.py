"""redemption_notice / redemption_payment_record and converting instead (Debenture 4(B))."""

import datetime
import uuid
from decimal import Decimal

import pytest

from deals.models import InstrumentStatus, Obligation, ObligationKind, ObligationStatus, Redemption, RedemptionStatus
from deals.services import conversions as conv_svc
from deals.services import redemptions as svc
from deals.services.conversions import WorkflowError
from tests.services.test_conversions import make_world, set_business_date

D = Decimal
NOTICE = datetime.date(2000, 6, 1)  # Thursday


@pytest.fixture(autouse=True)
def _threshold_above_the_redemption_price(settings, request):
    """These tests are about Debenture 4(B); the $122,449.32 payment is recorded at once under a $1,000,000
    APPROVAL_PAYMENT_THRESHOLD. The four-eyes gate (issue 12) has its own tests below (``four_eyes`` in the name)."""
    if "four_eyes" not in request.node.name:
        settings.APPROVAL_PAYMENT_THRESHOLD = "1000000"


def notice(deb, user, *, day=NOTICE, received=None, key=None):
    return svc.redemption_notice(
        debenture=deb, notice_date=day, received_date=received or day, idempotency_key=key or uuid.uuid4().hex, user=user
    )


def test_notice_prices_120pct_plus_interest_with_deadlines(db, deal_admin):
    w = make_world(end=datetime.date(2000, 6, 30))
    red = notice(w.debenture, deal_admin, received=datetime.date(2000, 6, 2))
    assert red.premium_amount == D("120000.00")
    # due 10 business days after 2000-06-01 -> 2000-06-15; interest 6% from 2000-01-18 to 06-15 (149 days)
    assert red.payment_due_date == datetime.date(2000, 6, 15)
    assert red.interest_amount == D("2449.32")
    assert red.total_amount == D("122449.32")
    # holder may convert instead until 5 business days after receipt (Friday 06-02) -> 06-09
    assert red.convert_until == datetime.date(2000, 6, 9)
    kinds = set(Obligation.objects.values_list("kind", flat=True))
    assert kinds == {ObligationKind.REDEMPTION_PAYMENT, ObligationKind.REDEMPTION_CONVERT_WINDOW}


def test_blocked_while_a_notice_of_conversion_is_pending(db, deal_admin):
    w = make_world()
    conv_svc.conversion_submit(
        instrument=w.debenture,
        amount=D("1000"),
        conversion_date=NOTICE,
        notice_method="facsimile",
        notice_received_date=NOTICE,
        idempotency_key="x",
        user=deal_admin,
    )
    with pytest.raises(WorkflowError) as e:
        notice(w.debenture, deal_admin)
    assert e.value.code == "conversion_submitted" and "4(B)(i)" in str(e.value)
    assert "awaiting delivery" in str(e.value)
    assert Redemption.objects.count() == 0


def test_blocked_after_a_delivered_conversion_4Bi(db, deal_admin):
    """Debenture 4(B)(i): "for which a Notice of Conversion has not theretofore been submitted" --
    a delivered conversion (shares issued, $99,000 still outstanding) still bars redemption."""
    w = make_world()
    conv = conv_svc.conversion_submit(
        instrument=w.debenture, amount=D("1000"), conversion_date=NOTICE, notice_method="facsimile",
        notice_received_date=NOTICE, idempotency_key="x", user=deal_admin,
    )
    conv_svc.delivery_record(conversion=conv, delivered_date=NOTICE, reference="DWAC 1", user=deal_admin)
    with pytest.raises(WorkflowError) as e:
        notice(w.debenture, deal_admin)
    assert e.value.code == "conversion_submitted"
    assert f"conversion #{conv.pk} of 2000-06-01, shares delivered" in str(e.value)
    assert "Debenture 4(B)(i)" in str(e.value)
    assert Redemption.objects.count() == 0


def test_another_debenture_without_a_conversion_can_still_be_redeemed(db, deal_admin):
    w = make_world()
    conv_svc.conversion_submit(
        instrument=w.debenture, amount=D("1000"), conversion_date=NOTICE, notice_method="facsimile",
        notice_received_date=NOTICE, idempotency_key="x", user=deal_admin,
    )
    from tests import factories as f

    other = f.DebentureFactory(financing=w.debenture.financing, investor=w.debenture.investor)
    assert notice(other, deal_admin).debenture_id == other.pk


def test_late_payment_ends_the_right_to_redeem_4Bii(db, deal_admin):
    """Debenture 4(B)(ii): paid a day late -> the notice is void and "any rights of the Company to
    redeem the Debenture shall terminate": a new notice is refused with the reason; nothing written."""
    w = make_world(end=datetime.date(2000, 7, 31))
    red = notice(w.debenture, deal_admin)
    set_business_date(datetime.date(2000, 6, 16))
    svc.redemption_payment_record(redemption=red, payment_date=datetime.date(2000, 6, 16), user=deal_admin)
    obligations = Obligation.objects.count()
    with pytest.raises(WorkflowError) as e:
        notice(w.debenture, deal_admin, day=datetime.date(2000, 6, 16))
    msg = str(e.value)
    assert e.value.code == "redemption_right_ended"
    assert "dated 2000-06-01 was due by 2000-06-15 and paid on 2000-06-16" in msg and "Debenture 4(B)(ii)" in msg
    assert Redemption.objects.count() == 1 and Obligation.objects.count() == obligations


def test_paid_on_the_due_date_redeems_so_a_new_notice_finds_nothing_left(db, deal_admin):
    """At the limit: paid on the due date -> redeemed (not void); the right did not end by lateness."""
    w = make_world(end=datetime.date(2000, 6, 30))
    red = notice(w.debenture, deal_admin)
    set_business_date(datetime.date(2000, 6, 15))
    red = svc.redemption_payment_record(redemption=red, payment_date=datetime.date(2000, 6, 15), user=deal_admin)
    assert red.status == RedemptionStatus.PAID
    with pytest.raises(WorkflowError) as e:
        notice(w.debenture, deal_admin, day=datetime.date(2000, 6, 15))
    assert e.value.code == "closed"  # redeemed: nothing left, not "right ended"


def test_payment_on_the_due_date_redeems(db, deal_admin):
    w = make_world(end=datetime.date(2000, 6, 30))
    red = notice(w.debenture, deal_admin)
    set_business_date(datetime.date(2000, 6, 15))
    red = svc.redemption_payment_record(redemption=red, payment_date=datetime.date(2000, 6, 15), user=deal_admin)
    w.debenture.refresh_from_db()
    assert red.status == RedemptionStatus.PAID
    assert w.debenture.status == InstrumentStatus.REDEEMED and w.debenture.principal_outstanding == 0
    # issue 11: the payment is a Settlement of the row (one entry point), and the books balance
    row = Obligation.objects.get(kind=ObligationKind.REDEMPTION_PAYMENT)
    assert row.status == ObligationStatus.PAID and row.satisfied_date == datetime.date(2000, 6, 15)
    (entry,) = row.settlements.all()
    assert (entry.kind, entry.date, entry.amount, entry.method, entry.recorded_by) == (
        "payment", datetime.date(2000, 6, 15), red.total_amount, "wire", deal_admin)
    assert row.amount == row.settled == red.total_amount == D("122449.32")  # 120% + interest through 06-15
    assert row.history.first().status == ObligationStatus.PAID


def test_payment_before_the_due_date_fixes_interest_at_payment(db, deal_admin):
    """Debenture 4(B): interest runs to the payment date, so paying 06-08 costs less than on 06-15."""
    w = make_world(end=datetime.date(2000, 6, 30))
    red = notice(w.debenture, deal_admin)
    set_business_date(datetime.date(2000, 6, 8))
    red = svc.redemption_payment_record(redemption=red, payment_date=datetime.date(2000, 6, 8), user=deal_admin,
                                        method="check", reference="Chk 7")
    row = Obligation.objects.get(kind=ObligationKind.REDEMPTION_PAYMENT)
    # 6% from 2000-01-18 to 06-08: 142 days -> $2,334.25 (149 days to 06-15 were $2,449.32)
    assert red.interest_amount == D("2334.25") and red.total_amount == D("122334.25")
    assert row.settled == row.amount == D("122334.25") and row.settlements.get().reference == "Chk 7"


def test_settling_the_redemption_row_from_the_books_redeems_the_same_way(db, deal_admin):
    """One entry point: a part payment leaves the notice pending; the rest, recorded on the
    obligation's page (settlement_record), redeems the Debenture exactly as the redemption page does."""
    from deals.services.ledger.settlements import settlement_record

    w = make_world(end=datetime.date(2000, 6, 30))
    red = notice(w.debenture, deal_admin)
    set_business_date(datetime.date(2000, 6, 15))
    row = Obligation.objects.get(kind=ObligationKind.REDEMPTION_PAYMENT)
    settlement_record(obligation_id=row.pk, kind="payment", date=datetime.date(2000, 6, 15), amount="100000", method="wire",
                      reference="w1", by=deal_admin)
    red.refresh_from_db()
    w.debenture.refresh_from_db()
    assert red.status == RedemptionStatus.PENDING and w.debenture.principal_outstanding == D("100000")
    settlement_record(obligation_id=row.pk, kind="payment", date=datetime.date(2000, 6, 15), amount="22449.32", method="wire",
                      reference="w2", by=deal_admin)
    red.refresh_from_db()
    w.debenture.refresh_from_db()
    row.refresh_from_db()
    assert red.status == RedemptionStatus.PAID and red.payment_date == datetime.date(2000, 6, 15)
    assert w.debenture.status == InstrumentStatus.REDEEMED and w.debenture.principal_outstanding == 0
    assert row.status == ObligationStatus.PAID and row.settled == D("122449.32")
    with pytest.raises(WorkflowError, match="already paid"):
        svc.redemption_payment_record(redemption=red, payment_date=datetime.date(2000, 6, 15), user=deal_admin)


def test_a_clerk_cannot_record_the_redemption_payment(db, deal_admin, clerk):
    from django.core.exceptions import PermissionDenied

    w = make_world(end=datetime.date(2000, 6, 30))
    red = notice(w.debenture, deal_admin)
    set_business_date(datetime.date(2000, 6, 15))
    with pytest.raises(PermissionDenied):
        svc.redemption_payment_record(redemption=red, payment_date=datetime.date(2000, 6, 15), user=clerk)
    red.refresh_from_db()
    assert red.status == RedemptionStatus.PENDING and not Obligation.objects.filter(settled__gt=0).exists()


def test_payment_a_day_late_voids_the_notice(db, deal_admin):
    w = make_world(end=datetime.date(2000, 6, 30))
    red = notice(w.debenture, deal_admin)
    set_business_date(datetime.date(2000, 6, 16))
    red = svc.redemption_payment_record(redemption=red, payment_date=datetime.date(2000, 6, 16), user=deal_admin)
    w.debenture.refresh_from_db()
    assert red.status == RedemptionStatus.VOID
    assert w.debenture.status == InstrumentStatus.OUTSTANDING and w.debenture.principal_outstanding == D("100000")
    assert set(Obligation.objects.values_list("status", flat=True)) == {ObligationStatus.VOID}


def test_holder_converts_instead_within_five_business_days(db, deal_admin, clerk):
    w = make_world(end=datetime.date(2000, 6, 30))
    red = notice(w.debenture, deal_admin)
    set_business_date(datetime.date(2000, 6, 8))
    conv_svc.conversion_submit(
        instrument=w.debenture,
        amount=D("100000"),
        conversion_date=datetime.date(2000, 6, 8),
        notice_method="facsimile",
        notice_received_date=datetime.date(2000, 6, 8),
        idempotency_key="y",
        user=clerk,
    )
    red.refresh_from_db()
    assert red.status == RedemptionStatus.CONVERTED


def test_conversion_after_the_window_is_refused(db, deal_admin, clerk):
    w = make_world(end=datetime.date(2000, 6, 30))
    notice(w.debenture, deal_admin)
    set_business_date(datetime.date(2000, 6, 9))
    with pytest.raises(WorkflowError) as e:
        conv_svc.conversion_quote(instrument=w.debenture, amount=D("1000"), conversion_date=datetime.date(2000, 6, 9))
    assert e.value.code == "redemption_pending" and "2000-06-08" in str(e.value)


def test_same_key_is_one_redemption_and_second_notice_refused(db, deal_admin):
    w = make_world()
    a = notice(w.debenture, deal_admin, key="k")
    b = notice(w.debenture, deal_admin, key="k")
    assert a.pk == b.pk and b.replayed
    with pytest.raises(WorkflowError, match="already has a Notice of Redemption"):
        notice(w.debenture, deal_admin)


@pytest.mark.parametrize(
    ("threshold", "needs_approval"),
    [("122449.32", False), ("122449.33", False), ("122449.31", True)],
    ids=["amount-at-threshold", "amount-just-under", "amount-just-over"],
)
def test_four_eyes_redemption_payment_above_the_threshold_waits_for_a_second_deal_admin(
        db, deal_admin, settings, django_user_model, threshold, needs_approval):
    """Issue 12: the $122,449.32 redemption payment (Debenture 4(B)) is recorded at once at or under
    APPROVAL_PAYMENT_THRESHOLD; above it, a pending approval -- the notice stays pending, the Debenture
    outstanding -- until a second deal admin approves; then it is redeemed as of the payment date."""
    from django.contrib.auth.models import Group

    from deals.models import Approval, Settlement
    from deals.services.approvals import approval_approve
    from deals.services.roles import DEAL_ADMIN

    settings.APPROVAL_PAYMENT_THRESHOLD = threshold
    w = make_world(end=datetime.date(2000, 6, 30))
    red = notice(w.debenture, deal_admin)
    set_business_date(datetime.date(2000, 6, 15))
    result = svc.redemption_payment_record(redemption=red, payment_date=datetime.date(2000, 6, 15), user=deal_admin)
    if not needs_approval:
        assert isinstance(result, Redemption) and result.status == RedemptionStatus.PAID
        assert Approval.objects.count() == 0
        return
    assert isinstance(result, Approval) and result.status == "pending" and result.amount == D("122449.32")
    assert "above the $122,449.31 approval threshold" in result.summary
    red.refresh_from_db()
    w.debenture.refresh_from_db()
    assert red.status == RedemptionStatus.PENDING and w.debenture.principal_outstanding == D("100000")
    assert Settlement.objects.count() == 0
    # while it waits, a second payment -- even a late one that would void the notice -- is refused naming it
    set_business_date(datetime.date(2000, 6, 16))
    for day in (datetime.date(2000, 6, 15), datetime.date(2000, 6, 16)):
        with pytest.raises(WorkflowError, match=f"already pending approval #{result.pk}") as e:
            svc.redemption_payment_record(redemption=red, payment_date=day, user=deal_admin)
        assert e.value.code == "pending_approval"
    red.refresh_from_db()
    assert red.status == RedemptionStatus.PENDING and Approval.objects.count() == 1
    checker = django_user_model.objects.create_user(username="red-checker", password="x")
    checker.groups.add(Group.objects.get(name=DEAL_ADMIN))
    approval_approve(approval=result, checker=checker)
    red.refresh_from_db()
    w.debenture.refresh_from_db()
    assert red.status == RedemptionStatus.PAID and red.payment_date == datetime.date(2000, 6, 15)
    assert w.debenture.status == InstrumentStatus.REDEEMED and w.debenture.principal_outstanding == 0
    assert Settlement.objects.get().recorded_by == deal_admin


def test_four_eyes_redemption_page_says_pending_approval(db, deal_admin, settings, client):
    from deals.models import Approval

    settings.APPROVAL_PAYMENT_THRESHOLD = "100000"
    w = make_world(end=datetime.date(2000, 6, 30))
    red = notice(w.debenture, deal_admin)
    set_business_date(datetime.date(2000, 6, 15))
    client.force_login(deal_admin)
    resp = client.post(f"/redemptions/{red.pk}/pay/", {"payment_date": "2000-06-15", "method": "wire", "reference": "w"},
                       follow=True)
    approval = Approval.objects.get()
    text = resp.content.decode()
    assert resp.status_code == 200 and f"pending approval #{approval.pk}" in text and "$100,000.00 approval threshold" in text
    assert 'data-testid="pending-approval"' in text and "Record payment</button>" not in text
    red.refresh_from_db()
    assert red.status == RedemptionStatus.PENDING
