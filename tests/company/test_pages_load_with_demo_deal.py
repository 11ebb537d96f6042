"""Every company page loads with the demo deal, for clerks and deal admins."""

import pytest
from django.urls import reverse

from deals.models import Financing


def _urls():
    """Each company page with the heading only that page prints (the nav prints every clause)."""
    fin = Financing.objects.filter(kind=Financing.Kind.SERIES_J).order_by("id").first()
    inv = fin.preferred_holdings.first().investor
    return [
        (reverse("company_index"), "Company side</h1>"),
        (reverse("company_registration", args=[fin.pk]), "Registration statement <small"),
        (reverse("company_suspensions", args=[fin.pk]), "Suspensions <small"),
        (reverse("company_damages", args=[fin.pk]), "Liquidated damages <small"),
        (reverse("company_damages_investor", args=[fin.pk, inv.pk]), f'Periodic Amounts <small class="text-muted fs-6">{inv}'),
        (reverse("company_offers"), "Right of first refusal &amp; price protection</h1>"),
        (reverse("company_offer_new"), "New Transaction Offer <small"),
        (reverse("company_defaults"), "Events of default <small"),
        (reverse("company_notices"), "Outbound notices &amp; addresses <small"),
        (reverse("company_claims"), "Indemnification claims</h1>"),
    ]


@pytest.mark.django_db
def test_every_company_page_loads_with_the_demo_deal_for_a_deal_admin(demo, deal_admin_client):
    for url, heading in _urls():
        r = deal_admin_client.get(url)
        assert r.status_code == 200, url
        assert heading in r.content.decode(), (url, heading)


@pytest.mark.django_db
def test_every_company_page_loads_read_only_for_a_clerk(demo, clerk_client):
    for url, heading in _urls():
        r = clerk_client.get(url)
        assert r.status_code == 200, url
        assert b"Read-only" in r.content and heading in r.content.decode(), url


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
