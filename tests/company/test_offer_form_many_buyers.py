"""SPA 4(j)(i) offer form with many Buyers (issue 17): one "received on" date for every Buyer and a
Buyer's own date where it differs; the page's queries do not grow with the Buyers, nor its HTML
beyond one compact row each; the service still gets each Buyer's receipt date."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deals.models import Investor, NewTransactionOffer, PreferredHolding

D = datetime.date


def _more_buyers(financing, n):
    invs = Investor.objects.bulk_create(
        [Investor(legal_name=f"Fictional Buyer {i:04d} (test)", notice_address="x") for i in range(n)]
    )
    PreferredHolding.objects.bulk_create(
        [PreferredHolding(financing=financing, investor=inv, certificate_number=f"JX-{i}", shares=1,
                          liquidation_preference=Decimal("1000"), liquidation_preference_outstanding=Decimal("1000"),
                          purchase_price=Decimal("1000"), closing_date=D(2000, 3, 7)) for i, inv in enumerate(invs)]
    )
    return invs


def _load(client):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(reverse("company_offer_new"))
    assert r.status_code == 200
    return len(ctx.captured_queries), r.content.decode()


@pytest.mark.django_db
def test_the_form_s_queries_are_flat_and_its_html_one_small_row_per_buyer(deal_admin_client, deal):
    few_q, few_html = _load(deal_admin_client)
    _more_buyers(deal["financing"], 150)
    many_q, many_html = _load(deal_admin_client)
    assert many_q == few_q
    assert len(re.findall(r'type="date" name="received_\d+"', many_html)) == 152
    assert (len(many_html) - len(few_html)) / 150 < 400  # bytes per Buyer: no per-field crispy wrapper
    assert not re.search(r'id="div_id_received_\d', many_html)


@pytest.mark.django_db
def test_one_date_for_every_buyer_and_one_buyer_s_own_date(deal_admin_client, deal):
    others = _more_buyers(deal["financing"], 40)
    r = deal_admin_client.post(reverse("company_offer_new"), {
        "description": "PIPE", "amount": "500000", "sent_date": "2000-05-26", "market_price_pct": "85",
        "received_on": "2000-05-26", f"received_{deal['b'].pk}": "2000-05-30",
    })
    assert r.status_code == 302, r.content.decode()[:3000]
    got = dict(NewTransactionOffer.objects.get().responses.values_list("investor_id", "received_date"))
    assert got[deal["b"].pk] == D(2000, 5, 30)
    assert got[deal["a"].pk] == D(2000, 5, 26) and all(got[i.pk] == D(2000, 5, 26) for i in others)
    assert len(got) == 42


@pytest.mark.django_db
def test_an_own_date_before_the_sending_is_shown_on_that_buyer_s_row(deal_admin_client, deal):
    r = deal_admin_client.post(reverse("company_offer_new"), {
        "description": "PIPE", "amount": "500000", "sent_date": "2000-05-26",
        "received_on": "2000-05-26", f"received_{deal['a'].pk}": "2000-05-20",
    })
    html = r.content.decode()
    assert r.status_code == 200 and not NewTransactionOffer.objects.exists()
    row = html.split(f'name="received_{deal["a"].pk}"')[1].split("</tr>")[0]
    assert 'value="2000-05-20"' in row and "Received 2000-05-20, before it was sent 2000-05-26." in row
    assert "<details class=\"mb-3\" open" in html  # the table opens on the error
