"""Redemption pages (Debenture 4(B)): deal admins give notice and record payment."""

import datetime
import uuid

from django.urls import reverse

from deals.models import Redemption, RedemptionStatus
from tests.services.test_conversions import make_world, set_business_date

NOTICE = datetime.date(2000, 6, 1)


def data(deb, **over):
    d = {"debenture": deb.pk, "notice_date": NOTICE.isoformat(), "received_date": NOTICE.isoformat(), "idempotency_key": uuid.uuid4().hex}
    d.update(over)
    return d


def test_review_shows_price_and_deadlines(deal_admin_client, db):
    w = make_world(end=datetime.date(2000, 6, 30))
    html = deal_admin_client.post(reverse("redemption_new"), data(w.debenture)).content.decode()
    assert 'data-testid="premium">$120,000.00' in html
    assert 'data-testid="due">2000-06-15' in html
    assert 'data-testid="convert-until">2000-06-08' in html
    assert Redemption.objects.count() == 0


def test_confirm_then_late_payment_voids(deal_admin_client, db):
    w = make_world(end=datetime.date(2000, 6, 30))
    d = data(w.debenture)
    loc = deal_admin_client.post(reverse("redemption_confirm"), d)["Location"]
    assert deal_admin_client.post(reverse("redemption_confirm"), d)["Location"] == loc
    red = Redemption.objects.get()
    set_business_date(datetime.date(2000, 6, 20))
    r = deal_admin_client.post(reverse("redemption_pay", args=[red.pk]), {"payment_date": "2000-06-20", "method": "wire"},
                             follow=True)
    assert "void" in r.content.decode()
    red.refresh_from_db()
    assert red.status == RedemptionStatus.VOID


def test_payment_on_time_from_the_page_is_a_settlement(deal_admin_client, db, settings):
    from deals.models import Obligation, ObligationKind

    # at the threshold: recorded at once (above it, four eyes: tests/services/test_redemptions.py "four_eyes")
    settings.APPROVAL_PAYMENT_THRESHOLD = "122449.32"
    w = make_world(end=datetime.date(2000, 6, 30))
    deal_admin_client.post(reverse("redemption_confirm"), data(w.debenture))
    red = Redemption.objects.get()
    set_business_date(datetime.date(2000, 6, 15))
    r = deal_admin_client.post(reverse("redemption_pay", args=[red.pk]),
                               {"payment_date": "2000-06-15", "method": "check", "reference": "Chk 55"}, follow=True)
    assert "Redemption paid: $122,449.32" in r.content.decode()
    row = Obligation.objects.get(kind=ObligationKind.REDEMPTION_PAYMENT)
    entry = row.settlements.get()
    assert (row.status, entry.method, entry.reference, entry.amount) == ("paid", "check", "Chk 55", row.amount)


def test_future_notice_date_is_explained(deal_admin_client, db):
    w = make_world()
    html = deal_admin_client.post(reverse("redemption_new"), data(w.debenture, notice_date="2000-06-05")).content.decode()
    assert "after the business date 2000-06-01" in html


def test_clerk_sees_list_but_no_new_button(clerk_client, db):
    set_business_date(NOTICE)
    html = clerk_client.get(reverse("redemption_list")).content.decode()
    assert "No redemptions" in html and reverse("redemption_new") not in html
