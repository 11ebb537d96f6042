"""Every company page loads with the demo deal, for clerks and deal admins."""

import pytest
from django.urls import reverse

from deals.models import Financing


def _urls():
    fin = Financing.objects.filter(kind=Financing.Kind.SERIES_J).order_by("id").first()
    inv = fin.preferred_holdings.first().investor
    return [
        reverse("company_index"),
        reverse("company_registration", args=[fin.pk]),
        reverse("company_suspensions", args=[fin.pk]),
        reverse("company_damages", args=[fin.pk]),
        reverse("company_damages_investor", args=[fin.pk, inv.pk]),
        reverse("company_offers"),
        reverse("company_offer_new"),
        reverse("company_defaults"),
        reverse("company_notices"),
        reverse("company_claims"),
    ]


@pytest.mark.django_db
def test_every_company_page_loads_with_the_demo_deal_for_a_deal_admin(demo, deal_admin_client):
    for url in _urls():
        r = deal_admin_client.get(url)
        assert r.status_code == 200, url
        assert b"RRA" in r.content or b"SPA" in r.content or b"Debenture" in r.content or b"Indemnification" in r.content, url


@pytest.mark.django_db
def test_every_company_page_loads_read_only_for_a_clerk(demo, clerk_client):
    for url in _urls():
        r = clerk_client.get(url)
        assert r.status_code == 200, url
        assert b"Read-only" in r.content, url


@pytest.mark.django_db
def test_home_redirects_go_to_the_series_j_financing(demo, clerk_client):
    fin = Financing.objects.filter(kind=Financing.Kind.SERIES_J).first()
    r = clerk_client.get(reverse("company_registration_home"))
    assert r.status_code == 302 and r.url == reverse("company_registration", args=[fin.pk])
    r = clerk_client.get(reverse("company_damages_home"))
    assert r.url == reverse("company_damages", args=[fin.pk])


@pytest.mark.django_db
def test_the_registration_page_shows_required_and_registered_shares_of_the_demo(demo, clerk_client):
    fin = Financing.objects.filter(kind=Financing.Kind.SERIES_J).first()
    r = clerk_client.get(reverse("company_registration", args=[fin.pk]))
    ov = r.context["ov"]
    assert ov.required is not None, ov.errors
    assert ov.required.total > 0
    assert b'data-testid="shares-required"' in r.content
