"""Conversion pages: form -> review -> confirm (idempotent), detail actions, list filters and
query counts."""

import datetime
import json
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deals.models import Conversion, ConversionStatus, MarketPrice
from deals.services import conversions as svc
from tests import factories as f
from tests.services.test_conversions import CONV_DATE, make_world, set_business_date

D = Decimal


def form_data(instrument, amount="20000", **over):
    key = f"{'debenture' if hasattr(instrument, 'number') else 'preferred'}:{instrument.pk}"
    data = {
        "instrument": key,
        "amount": amount,
        "conversion_date": CONV_DATE.isoformat(),
        "notice_method": "facsimile",
        "notice_received_date": CONV_DATE.isoformat(),
        "interest_election": "cash",
        "reference": "fax 12",
        "idempotency_key": uuid.uuid4().hex,
    }
    data.update(over)
    return data


def test_form_shows_a_fresh_idempotency_key_and_business_date(clerk_client, db):
    make_world()
    r = clerk_client.get(reverse("conversion_new"))
    assert r.status_code == 200
    key = r.context["form"].initial["idempotency_key"]
    assert len(key) == 32 and key in r.content.decode()
    assert r.context["form"].initial["conversion_date"] == CONV_DATE


def test_review_shows_engine_figures_with_clauses_and_chart_data(clerk_client, db):
    w = make_world()
    r = clerk_client.post(reverse("conversion_new"), form_data(w.debenture))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-testid="applied-price">$1.2000' in html
    assert 'data-testid="shares">16,667' in html
    assert 'data-testid="delivery-date">2000-06-06' in html
    assert 'data-testid="original-due">2000-06-08' in html
    assert "Debenture 4(A)" in html and "SPA 4(d)(ii), 4(i)" in html and "SPA 3(c), 4(g)" in html
    chart = json.loads(html.split('id="conversion-chart-data" type="application/json">')[1].split("</script>")[0])
    assert sum(chart["lookback"]) == 5
    assert chart["fixed_price"] == "1.4375" and chart["discounted_price"] == "1.2000"
    assert "vendor/chartjs-4.6.1/chart.umd.min.js" in html and "js/conversion_chart.js" in html
    assert Conversion.objects.count() == 0  # review writes nothing


def test_review_says_which_date_started_the_interest(clerk_client, db):
    # Debenture interest paragraph: from the first business day after "the date hereof", never
    # before the date of initial issuance (issue 16 item 3)
    w = make_world()
    html = clerk_client.post(reverse("conversion_new"), form_data(w.debenture)).content.decode()
    assert "Starts 2000-01-18: the first business day after the Debenture&#x27;s date 2000-01-14" in html
    w.debenture.issue_date = datetime.date(2000, 1, 20)
    w.debenture.save(update_fields=["issue_date"])
    html = clerk_client.post(reverse("conversion_new"), form_data(w.debenture)).content.decode()
    assert "Starts 2000-01-20: the date of initial issuance, 2000-01-20" in html


def test_confirm_records_once_even_when_posted_twice(clerk_client, db):
    w = make_world()
    data = form_data(w.debenture)
    r1 = clerk_client.post(reverse("conversion_confirm"), data)
    r2 = clerk_client.post(reverse("conversion_confirm"), data)
    conv = Conversion.objects.get()
    assert r1.status_code == r2.status_code == 302
    assert r1["Location"] == r2["Location"] == reverse("conversion_detail", args=[conv.pk])
    w.debenture.refresh_from_db()
    assert w.debenture.principal_outstanding == D("80000.00")
    follow = clerk_client.get(r2["Location"])
    assert "already recorded" in follow.content.decode()


def test_bad_amount_rerenders_with_values_and_both_numbers(clerk_client, db):
    w = make_world()
    r = clerk_client.post(reverse("conversion_new"), form_data(w.debenture, amount="250000", reference="keep me"))
    html = r.content.decode()
    assert r.status_code == 200
    assert "$250,000.00" in html and "$100,000.00" in html
    assert 'value="keep me"' in html and 'value="250000"' in html


def test_missing_prices_lists_dates_and_links_the_price_import_for_a_deal_admin_only(client, clerk, deal_admin, db):
    """Issue 15 item 17: a clerk never gets a link to a page that answers 403."""
    w = make_world()
    MarketPrice.objects.filter(date=datetime.date(2000, 5, 31)).delete()
    import_url = reverse("admin:deals_marketprice_import")
    client.force_login(clerk)
    assert client.get(import_url).status_code in (302, 403)  # the admin is for deal admins
    html = client.post(reverse("conversion_new"), form_data(w.debenture)).content.decode()
    assert "2000-05-31" in html
    assert import_url not in html and "/admin/" not in html and "Open the price import" not in html
    assert "Ask a deal admin to import the prices" in html
    client.force_login(deal_admin)
    assert client.get(import_url).status_code == 200
    html = client.post(reverse("conversion_new"), form_data(w.debenture)).content.decode()
    assert f'href="{import_url}">Open the price import' in html


def test_an_engine_refusal_shows_once_not_as_page_alert_and_form_error(clerk_client, db):
    """Issue 15 item 17: the page's alert is the one place a form-level refusal is shown."""
    w = make_world()
    html = clerk_client.post(reverse("conversion_new"), form_data(w.debenture, amount="250000")).content.decode()
    assert html.count("exceeds the outstanding") == 1, html.count("exceeds the outstanding")
    MarketPrice.objects.filter(date=datetime.date(2000, 5, 31)).delete()
    html = clerk_client.post(reverse("conversion_new"), form_data(w.debenture)).content.decode()
    assert html.count("No closing bid is recorded for") == 1


def test_edit_from_review_keeps_values_and_key(clerk_client, db):
    w = make_world()
    data = form_data(w.debenture, amount="12345")
    r = clerk_client.post(reverse("conversion_new"), {**data, "_edit": "1"})
    html = r.content.decode()
    assert 'value="12345"' in html and data["idempotency_key"] in html


def test_detail_offers_only_allowed_actions(clerk_client, db, clerk):
    w = make_world()
    conv = svc.conversion_submit(
        instrument=w.preferred,
        amount=D("10000"),
        conversion_date=CONV_DATE,
        notice_method="facsimile",
        notice_received_date=CONV_DATE,
        idempotency_key="a",
        user=clerk,
    )
    r = clerk_client.get(reverse("conversion_detail", args=[conv.pk]))
    forms = r.context["forms"]
    assert "deliver" in forms and "revoke" not in forms  # revocation opens 2000-06-10
    assert "dishonour" not in forms  # deal admins only
    assert "Delivery Date" in r.content.decode()


def test_delivery_action_and_bad_input_keeps_the_form(clerk_client, db, clerk):
    w = make_world()
    conv = svc.conversion_submit(
        instrument=w.debenture,
        amount=D("10000"),
        conversion_date=CONV_DATE,
        notice_method="facsimile",
        notice_received_date=CONV_DATE,
        idempotency_key="b",
        user=clerk,
    )
    url = reverse("conversion_deliver", args=[conv.pk])
    bad = clerk_client.post(url, {"deliver-delivered_date": "2000-07-01", "deliver-reference": "Cert 7"})
    assert bad.status_code == 400
    assert "after the business date" in bad.content.decode() and 'value="Cert 7"' in bad.content.decode()
    ok = clerk_client.post(url, {"deliver-delivered_date": "2000-06-01", "deliver-reference": "Cert 7"})
    assert ok.status_code == 302
    conv.refresh_from_db()
    assert conv.status == ConversionStatus.DELIVERED and conv.delivery_reference == "Cert 7"


def test_clerk_cannot_dishonour_but_deal_admin_can(client, clerk, deal_admin, db):
    w = make_world()
    conv = svc.conversion_submit(
        instrument=w.preferred,
        amount=D("10000"),
        conversion_date=CONV_DATE,
        notice_method="facsimile",
        notice_received_date=CONV_DATE,
        idempotency_key="c",
        user=clerk,
    )
    url = reverse("conversion_dishonour", args=[conv.pk])
    client.force_login(clerk)
    assert client.post(url, {"dishonour-notice_date": "2000-06-01"}).status_code == 403
    client.force_login(deal_admin)
    assert client.post(url, {"dishonour-notice_date": "2000-06-01"}).status_code == 302
    conv.refresh_from_db()
    assert conv.status == ConversionStatus.DISHONOURED


def _many(n, user):
    inv = f.InvestorFactory()
    deb = f.DebentureFactory(investor=inv, principal=D("100000000"))
    rows = [
        Conversion(
            debenture=deb,
            investor=inv,
            terms_version=deb.financing.terms_versions.get(),
            amount=D("1000"),
            conversion_date=CONV_DATE - datetime.timedelta(days=i % 30),
            notice_method="facsimile",
            notice_received_date=CONV_DATE,
            conversion_price=D("1.2"),
            shares_for_amount=833,
            shares_issuable=833,
            delivery_date=CONV_DATE,
            snapshot={},
            idempotency_key=uuid.uuid4().hex,
            created_by=user,
        )
        for i in range(n)
    ]
    Conversion.objects.bulk_create(rows)


@pytest.mark.parametrize("query", ["", "?status=pending_delivery&q=Fund&date_from=2000-05-01"])
def test_list_query_count_is_constant(clerk_client, clerk, db, django_assert_num_queries, query):
    make_world()
    _many(10, clerk)
    url = reverse("conversion_list") + query
    clerk_client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as ctx:
        clerk_client.get(url)
    n10 = len(ctx.captured_queries)
    _many(90, clerk)
    with django_assert_num_queries(n10):
        r = clerk_client.get(url)
    assert len(r.context["page"].object_list) == 25
    assert r.context["page"].paginator.count >= 100


def test_list_filters_and_search(clerk_client, clerk, db):
    w = make_world()
    svc.conversion_submit(
        instrument=w.debenture,
        amount=D("1000"),
        conversion_date=CONV_DATE,
        notice_method="facsimile",
        notice_received_date=CONV_DATE,
        reference="FAX-ALPHA",
        idempotency_key="d",
        user=clerk,
    )
    svc.conversion_submit(
        instrument=w.preferred,
        amount=D("1000"),
        conversion_date=CONV_DATE,
        notice_method="facsimile",
        notice_received_date=CONV_DATE,
        reference="FAX-BETA",
        idempotency_key="e",
        user=clerk,
    )
    r = clerk_client.get(reverse("conversion_list"), {"q": "alpha"})
    assert [c.reference for c in r.context["page"].object_list] == ["FAX-ALPHA"]
    r = clerk_client.get(reverse("conversion_list"), {"instrument": f"preferred:{w.preferred.pk}"})
    assert [c.reference for c in r.context["page"].object_list] == ["FAX-BETA"]
    r = clerk_client.get(reverse("conversion_list"), {"date_from": "2000-06-02"})
    assert "No conversion matches these filters" in r.content.decode()


def test_empty_list_explains_what_to_do(clerk_client, db):
    set_business_date(CONV_DATE)
    r = clerk_client.get(reverse("conversion_list"))
    assert "No conversions recorded yet" in r.content.decode()


def test_detail_lists_the_conversions_notice_with_download(clerk_client, db, clerk, django_capture_on_commit_callbacks):
    w = make_world()
    with django_capture_on_commit_callbacks(execute=True):
        conv = svc.conversion_submit(
            instrument=w.debenture,
            amount=D("10000"),
            conversion_date=CONV_DATE,
            notice_method="facsimile",
            notice_received_date=CONV_DATE,
            idempotency_key="notice-card",
            user=clerk,
        )
    html = clerk_client.get(reverse("conversion_detail", args=[conv.pk])).content.decode()
    assert 'data-testid="record-notices"' in html
    assert "Download PDF" in html
