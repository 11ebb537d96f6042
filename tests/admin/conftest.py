"""Admin test helpers: the demo deal plus one row of each workflow record."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from deals import models as m
from deals.demo import load_demo_deal


@pytest.fixture
def demo(db):
    return load_demo_deal()


@pytest.fixture
def demo_with_records(demo, deal_admin):
    """The demo deal with one conversion, exercise, redemption, obligation, sweep run,
    amendment and suspension, so every change page has a row to show."""
    v1 = demo["terms_version"]  # the Series J financing's; debenture records use their issue's own
    deb_v1 = demo["terms_versions"][m.Financing.Kind.DEBENTURE]
    deb = demo["debentures"][0]
    warrant = demo["warrants"][0]
    day = demo["business_date"]
    conv = m.Conversion.objects.create(
        debenture=deb, investor=deb.investor, terms_version=deb_v1, amount=Decimal("50000"), conversion_date=day,
        notice_method="facsimile", notice_received_date=day, conversion_price=Decimal("1.4375"),
        shares_for_amount=34783, shares_issuable=34783, delivery_date=day + datetime.timedelta(days=3),
        snapshot={"demo": True}, idempotency_key="conv-1", created_by=deal_admin,
    )
    m.WarrantExercise.objects.create(
        warrant=warrant, investor=warrant.investor, terms_version=v1, shares=100, exercise_date=day,
        exercise_price=warrant.exercise_price, aggregate_price=Decimal("200"), payment_amount=Decimal("200"),
        payment_date=day, delivery_date=day, snapshot={}, idempotency_key="ex-1", created_by=deal_admin,
    )
    m.Redemption.objects.create(
        debenture=demo["debentures"][1], terms_version=deb_v1, notice_date=day, notice_received_date=day,
        principal=Decimal("100000"), premium_amount=Decimal("120000"), interest_amount=Decimal("2000"),
        total_amount=Decimal("122000"), payment_due_date=day, convert_until=day, snapshot={},
        idempotency_key="red-1", created_by=deal_admin,
    )
    m.Obligation.objects.create(
        kind="share_delivery", clause="Debenture 4(A)", content_type=ContentType.objects.get_for_model(conv),
        object_id=conv.pk, investor=conv.investor, due_date=conv.delivery_date,
    )
    m.SweepRun.objects.create(as_of=day, triggered_by="test")
    rs = demo["registration_statement"]
    m.RegistrationAmendment.objects.create(statement=rs, filed_date=day, shares_added=1000)
    m.SuspensionPeriod.objects.create(statement=rs, notice_date=day, start_date=day, end_date=day)
    return demo
