"""Debenture 4(A) (issue 16 item 12, second half): "if such Debenture is not delivered within three
(3) business days ..., the Conversion Date shall be the date the original Debenture is delivered".
When the original arrives after the window a deal admin may re-price the conversion: a new quote on
the delivery date, the old figures kept in history, the notice superseded with a reason.

World: $100,000 debenture, fax dated Thursday 2000-06-01 converting $20,000 (closing bids $1.50:
80% = $1.20 -> 16,667 shares). The fax window ends 2000-06-06 (3rd business day). From 2000-06-02
the bids are $1.00, so on 2000-06-07 the 5-day window 05-31..06-06 averages
(1.5 + 1.5 + 1 + 1 + 1) / 5 = $1.20 -> 80% = $0.96 -> 20,000 / 0.96 = 20,833.33 -> 20,833 shares.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from deals.models import Conversion, ConversionStatus, Issuer, MarketPrice
from deals.services import conversions as svc
from deals.services.conversions import WorkflowError
from tests.services.test_conversions import CONV_DATE, make_world, set_business_date, submit

WINDOW_END = datetime.date(2000, 6, 6)
AFTER = datetime.date(2000, 6, 7)


@pytest.fixture
def faxed(db, clerk, django_capture_on_commit_callbacks):
    w = make_world(end=datetime.date(2000, 6, 30))
    MarketPrice.objects.filter(date__gt=CONV_DATE).update(closing_bid=Decimal("1.0000"))
    with django_capture_on_commit_callbacks(execute=True):  # the conversion notice is rendered
        conv = submit(w.debenture, "20000", clerk)
    assert conv.shares_issuable == 16667 and conv.conversion_date == CONV_DATE
    return w, conv


def _receive(conv, day, clerk):
    set_business_date(day)
    return svc.original_notice_receive(conversion=conv, received_date=day, user=clerk)


def test_an_original_on_the_last_day_of_the_window_needs_no_reprice(faxed, clerk):
    w, conv = faxed
    _receive(conv, WINDOW_END, clerk)
    conv.refresh_from_db()
    assert svc.reprice_due(conv) is None and not svc.available_actions(conv, as_of=WINDOW_END)["reprice"]


def test_the_day_after_the_window_offers_a_new_quote_on_the_delivery_date(faxed, clerk):
    w, conv = faxed
    res = _receive(conv, AFTER, clerk)
    assert any("re-price" in m for m in res.warnings)
    conv.refresh_from_db()
    assert svc.reprice_due(conv) == AFTER and svc.available_actions(conv, as_of=AFTER)["reprice"]
    rq = svc.conversion_reprice_quote(conversion=conv)
    assert rq.quote.applied_price == Decimal("0.96") and rq.quote.total_shares == 20833 and rq.shares_delta == 4166
    assert Conversion.objects.get().conversion_date == CONV_DATE  # a quote writes nothing


def test_a_deal_admin_reprices_and_the_old_figures_are_kept(faxed, clerk, deal_admin, django_capture_on_commit_callbacks):
    from notices.models import Notice

    w, conv = faxed
    _receive(conv, AFTER, clerk)
    issued_before = Issuer.objects.get().shares_issued
    with django_capture_on_commit_callbacks(execute=True):
        conv = svc.conversion_reprice(conversion=conv, reason="original couriered late; holder agreed", user=deal_admin)
    conv.refresh_from_db()
    assert conv.conversion_date == AFTER and conv.shares_issuable == 20833
    assert conv.conversion_price == Decimal("0.9600")
    assert Issuer.objects.get().shares_issued == issued_before + 4166
    w.debenture.refresh_from_db()
    assert w.debenture.principal_outstanding == Decimal("80000.00")  # the amount converted does not change
    r = conv.snapshot["repriced"]
    assert r["fax_date"] == "2000-06-01" and r["before"]["shares_issuable"] == 16667 and r["by"] == deal_admin.get_username()
    old = conv.history.order_by("history_date")
    assert old.first().conversion_date == CONV_DATE and old.last().conversion_date == AFTER
    notices = Notice.objects.filter(object_id=conv.pk, kind="conversion").order_by("version")
    assert notices.count() == 2
    assert "original couriered late" in notices.first().superseded_reason
    with pytest.raises(WorkflowError, match="nothing to re-price"):
        svc.conversion_reprice(conversion=conv, reason="again", user=deal_admin)


def test_a_clerk_or_a_missing_reason_is_refused_and_nothing_written(faxed, clerk, deal_admin):
    w, conv = faxed
    _receive(conv, AFTER, clerk)
    with pytest.raises(WorkflowError, match="Only a deal admin"):
        svc.conversion_reprice(conversion=conv, reason="x", user=clerk)
    with pytest.raises(WorkflowError, match="Give the reason"):
        svc.conversion_reprice(conversion=conv, reason="  ", user=deal_admin)
    conv.refresh_from_db()
    assert conv.conversion_date == CONV_DATE and conv.shares_issuable == 16667 and "repriced" not in conv.snapshot


def test_delivered_shares_are_not_repriced_here(faxed, clerk, deal_admin):
    w, conv = faxed
    _receive(conv, AFTER, clerk)
    svc.delivery_record(conversion=conv, delivered_date=AFTER, reference="DWAC 1", user=clerk)
    conv.refresh_from_db()
    assert conv.status == ConversionStatus.DELIVERED and not svc.available_actions(conv, as_of=AFTER)["reprice"]
    with pytest.raises(WorkflowError, match="no longer pending"):
        svc.conversion_reprice(conversion=conv, reason="x", user=deal_admin)


def test_the_page_shows_the_new_quote_to_a_deal_admin_and_why_not_to_a_clerk(faxed, clerk, client, deal_admin):
    w, conv = faxed
    _receive(conv, AFTER, clerk)
    url = reverse("conversion_detail", args=[conv.pk])
    client.force_login(clerk)
    html = client.get(url).content.decode()
    assert "A deal admin can also record: reprice" in html and 'data-testid="reprice-preview"' not in html
    assert client.post(reverse("conversion_reprice", args=[conv.pk]), {"reprice-reason": "x"}).status_code == 403
    client.force_login(deal_admin)
    html = client.get(url).content.decode()
    assert 'data-testid="reprice-preview"' in html and "20,833" in html and "2000-06-07" in html
    assert client.post(reverse("conversion_reprice", args=[conv.pk]), {"reprice-reason": ""}).status_code == 400
