"""Instrument numbers sort naturally: D-2 before D-10 (issue 15 item 18)."""

import pytest
from django.urls import reverse

from deals import models as m
from deals.ordering import natural, natural_key
from tests import factories as f


def test_natural_key_orders_numbers_numerically():
    assert sorted(["D-10", "D-2", "D-1", "D-21"], key=natural_key) == ["D-1", "D-2", "D-10", "D-21"]


@pytest.mark.django_db
def test_debentures_list_d2_before_d10_everywhere():
    fin = f.FinancingFactory()
    inv = f.InvestorFactory()
    for number in ("D-10", "D-2", "D-1"):
        f.DebentureFactory(number=number, financing=fin, investor=inv)
    assert list(m.Debenture.objects.values_list("number", flat=True)) == ["D-1", "D-2", "D-10"]  # Meta ordering
    assert list(m.Debenture.objects.order_by(*natural("number")).values_list("number", flat=True)) == ["D-1", "D-2", "D-10"]


@pytest.mark.django_db
def test_investor_page_lists_d2_before_d10(clerk_client):
    inv = f.InvestorFactory()
    fin = f.FinancingFactory()
    for number in ("D-10", "D-2"):
        f.DebentureFactory(number=number, financing=fin, investor=inv)
    page = clerk_client.get(reverse("investor_detail", args=[inv.pk])).content.decode()
    assert page.index("D-2") < page.index("D-10")
