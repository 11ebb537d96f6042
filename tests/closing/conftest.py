"""A Series J financing not yet closed, two Buyers, prices, the business date in January 2000."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from deals.models import Financing
from deals.services import closing as svc
from deals.services.calendar import business_date_set
from tests import factories as fx

ACCEPTED = datetime.date(2000, 1, 12)  # Wednesday; escrow due Tue 2000-01-18 (MLK day 17th)


def pdf(name="evidence.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 evidence", content_type="application/pdf")


@pytest.fixture
def today():
    day = datetime.date(2000, 2, 1)
    business_date_set(day=day)
    return day


@pytest.fixture
def series_j(db, today):
    fx.price_series(datetime.date(1999, 12, 1), datetime.date(2000, 3, 31), bid=Decimal("2.0000"))
    return fx.SeriesJFinancingFactory(name="Series J", initial_closing_date=None, escrow_agent="Krieger & Prager LLP")


@pytest.fixture
def buyers(db):
    return fx.InvestorFactory(legal_name="Alpha Fund Ltd."), fx.InvestorFactory(legal_name="Beta Capital Ltd.")


@pytest.fixture
def room(series_j, buyers, deal_admin):
    room = svc.closing_room_open(financing=series_j, acceptance_date=ACCEPTED, user=deal_admin)
    svc.subscription_add(room=room, investor=buyers[0], amount=Decimal("600000"), purchase_price=Decimal("600000"), user=deal_admin)
    svc.subscription_add(room=room, investor=buyers[1], amount=Decimal("400000"), purchase_price=Decimal("400000"), user=deal_admin)
    return room


def fund(room, user, on=datetime.date(2000, 1, 14)):
    for s in room.subscriptions.all():
        svc.escrow_deposit_record(room=room, subscription=s, amount=s.purchase_price, deposited_on=on, reference=f"wire {s.pk}", user=user)


def meet_all(room, user, on=datetime.date(2000, 1, 20)):
    for c in room.conditions.order_by("code"):
        if c.code in ("7(e)", "8(h)"):
            svc.condition_waive(condition=c, met_on=on, waived_by="Company and each Buyer", note="waiver letter", user=user)
        else:
            svc.condition_satisfy(condition=c, met_on=on, evidence=pdf(), note="", user=user)


@pytest.fixture
def debenture_fin(db, today):
    return fx.FinancingFactory(name="Debentures", kind=Financing.Kind.DEBENTURE, initial_closing_date=None)
