"""Warrant exercise pages: form -> review -> confirm (idempotent), detail delivery, list."""

import datetime
import uuid
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deals.models import WarrantExercise
from tests import factories as f
from tests.services.test_conversions import set_business_date

D = Decimal
TODAY = datetime.date(2000, 6, 1)


def setup_warrant():
    set_business_date(TODAY)
    return f.WarrantFactory(shares=50_000, exercise_price=D("1.6500"))


def data(w, **over):
    d = {
        "warrant": w.pk,
        "shares": "1000",
        "exercise_date": TODAY.isoformat(),
        "payment_amount": "1650.00",
        "payment_date": TODAY.isoformat(),
        "idempotency_key": uuid.uuid4().hex,
    }
    d.update(over)
    return d


def test_review_shows_aggregate_and_delivery_date(clerk_client, db):
    w = setup_warrant()
    r = clerk_client.post(reverse("exercise_new"), data(w, payment_amount="1700"))
    html = r.content.decode()
    assert 'data-testid="aggregate">$1,650.00' in html
    assert "2000-06-06" in html
    assert "exceeds the aggregate exercise price" in html  # overpayment warning
    assert WarrantExercise.objects.count() == 0


def test_underpayment_rerenders_form_with_values(clerk_client, db):
    w = setup_warrant()
    r = clerk_client.post(reverse("exercise_new"), data(w, payment_amount="1600"))
    html = r.content.decode()
    assert "short of the aggregate exercise price $1,650.00" in html and 'value="1600"' in html


def test_confirm_twice_records_once(clerk_client, db):
    w = setup_warrant()
    d = data(w)
    a = clerk_client.post(reverse("exercise_confirm"), d)
    b = clerk_client.post(reverse("exercise_confirm"), d)
    assert a["Location"] == b["Location"]
    assert WarrantExercise.objects.count() == 1
    w.refresh_from_db()
    assert w.shares_remaining == 49_000


def test_delivery_from_detail(clerk_client, db):
    w = setup_warrant()
    loc = clerk_client.post(reverse("exercise_confirm"), data(w))["Location"]
    ex = WarrantExercise.objects.get()
    r = clerk_client.post(reverse("exercise_deliver", args=[ex.pk]), {"delivered_date": TODAY.isoformat(), "reference": "W cert 1"})
    assert r.status_code == 302 and r["Location"] == loc
    ex.refresh_from_db()
    assert ex.status == "delivered"


def test_list_query_count_constant(clerk_client, clerk, db, django_assert_num_queries):
    w = setup_warrant()
    tv = w.financing.terms_versions.get()

    def add(n):
        WarrantExercise.objects.bulk_create(
            WarrantExercise(
                warrant=w,
                investor=w.investor,
                terms_version=tv,
                shares=1,
                exercise_date=TODAY,
                exercise_price=D("1.65"),
                aggregate_price=D("1.65"),
                payment_amount=D("1.65"),
                payment_date=TODAY,
                delivery_date=TODAY,
                snapshot={},
                idempotency_key=uuid.uuid4().hex,
                created_by=clerk,
            )
            for _ in range(n)
        )

    add(10)
    url = reverse("exercise_list") + "?status=pending_delivery&q=W-"
    clerk_client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        clerk_client.get(url)
    add(90)
    with django_assert_num_queries(len(ctx.captured_queries)):
        r = clerk_client.get(url)
    assert r.context["page"].paginator.count == 100


def test_empty_list_says_what_to_do(clerk_client, db):
    set_business_date(TODAY)
    assert "No warrant exercises yet" in clerk_client.get(reverse("exercise_list")).content.decode()
