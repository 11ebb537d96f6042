"""The closing and transfer pages load with the demo deal (closed before the rooms existed)."""

import pytest
from django.urls import reverse


@pytest.fixture
def demo(db):
    from deals.demo import load_demo_deal

    return load_demo_deal()


@pytest.mark.parametrize("name", ["closing_index", "transfers_index", "debenture_register"])
def test_pages_load_with_demo_deal(demo, clerk_client, name):
    page = clerk_client.get(reverse(name))
    assert page.status_code == 200


def test_demo_series_j_holdings_show_their_restricted_period(demo, clerk_client):
    html = clerk_client.get(reverse("transfers_index")).content.decode()
    assert "Series J" in html and ("Restricted until" in html or "Not restricted" in html)


def test_demo_register_lists_debentures_issued_before_the_register(demo, clerk_client):
    html = clerk_client.get(reverse("debenture_register")).content.decode()
    assert "D-" in html and "before the register" in html
