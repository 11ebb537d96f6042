"""Investor pages: holdings and history; constant queries."""

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deals.services import conversions as svc
from tests import factories as f
from tests.services.test_conversions import CONV_DATE, make_world


def test_investor_page_lists_holdings_and_conversions(clerk_client, clerk, db):
    w = make_world()
    inv = w.debenture.investor
    f.WarrantFactory(investor=inv, number="W-77")
    svc.conversion_submit(
        instrument=w.debenture,
        amount=Decimal("5000"),
        conversion_date=CONV_DATE,
        notice_method="original",
        notice_received_date=CONV_DATE,
        idempotency_key="inv",
        user=clerk,
    )
    html = clerk_client.get(reverse("investor_detail", args=[inv.pk])).content.decode()
    assert w.debenture.label in html and "W-77" in html
    assert "$95,000.00" in html  # outstanding after conversion
    assert 'data-testid="investor-conversions"' in html
    assert "Share delivery" in html  # open obligation


def test_investor_page_queries_do_not_grow(clerk_client, clerk, db, django_assert_num_queries):
    w = make_world()
    inv = w.debenture.investor
    url = reverse("investor_detail", args=[inv.pk])
    clerk_client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        clerk_client.get(url)
    for i in range(5):
        f.DebentureFactory(investor=inv, number=f"X-{i}")
        f.WarrantFactory(investor=inv, number=f"WX-{i}")
    with django_assert_num_queries(len(ctx.captured_queries)):
        clerk_client.get(url)


def test_investor_list_search(clerk_client, db):
    make_world(end=datetime.date(2000, 6, 1))
    f.InvestorFactory(legal_name="Alpha Capital AG")
    r = clerk_client.get(reverse("investor_list"), {"q": "alpha"})
    assert [i.legal_name for i in r.context["page"].object_list] == ["Alpha Capital AG"]
