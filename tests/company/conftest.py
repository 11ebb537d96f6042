"""A small Series J deal built with factories (two Buyers, 600 + 400 shares,
warrants, prices) and the business date set, for the company-side tests."""

import datetime
from decimal import Decimal

import pytest

from deals.models import Financing
from deals.services.calendar import business_date_set
from tests import factories as fx

CLOSING = datetime.date(2000, 3, 7)


@pytest.fixture
def as_of():
    return datetime.date(2000, 3, 27)


@pytest.fixture
def deal(db, as_of):
    """Series J closing 2000-03-07 (Anticipated Initial Effective Date 2000-06-05),
    buyers A (600 shares, $600,000) and B (400 shares, $400,000), one debenture."""
    fin = fx.SeriesJFinancingFactory(name="Series J", initial_closing_date=CLOSING)
    a = fx.InvestorFactory(legal_name="Alpha Fund Ltd.")
    b = fx.InvestorFactory(legal_name="Beta Capital Ltd.")
    ha = fx.PreferredHoldingFactory(financing=fin, investor=a, shares=600, closing_date=CLOSING)
    hb = fx.PreferredHoldingFactory(financing=fin, investor=b, shares=400, closing_date=CLOSING)
    wa = fx.WarrantFactory(financing=fin, investor=a, shares=60_000, exercise_price=Decimal("2.2000"), issue_date=CLOSING)
    wb = fx.WarrantFactory(financing=fin, investor=b, shares=40_000, exercise_price=Decimal("2.2000"), issue_date=CLOSING)
    deb_fin = fx.FinancingFactory(name="Debentures", kind=Financing.Kind.DEBENTURE)
    deb = fx.DebentureFactory(
        financing=deb_fin,
        investor=a,
        number="D-1",
        principal=Decimal("300000"),
        issue_date=datetime.date(1999, 11, 22),
        dated_date=datetime.date(1999, 11, 22),
        closing_date=datetime.date(1999, 11, 22),
    )
    fx.price_series(datetime.date(1999, 12, 1), datetime.date(2001, 6, 30), bid=Decimal("2.0000"))
    business_date_set(day=as_of)
    return {"financing": fin, "a": a, "b": b, "ha": ha, "hb": hb, "wa": wa, "wb": wb, "debenture": deb}


@pytest.fixture
def demo(db):
    from deals.demo import load_demo_deal

    return load_demo_deal()


def make_conversion(holding, on, amount, shares, version=None, status="delivered"):
    """A Series J conversion record as the clerk workflow would leave it (only the fields we read)."""
    import uuid

    from deals.models import Conversion, DealTermsVersion

    version = version or DealTermsVersion.objects.filter(financing=holding.financing).order_by("version").first()
    return Conversion.objects.create(
        preferred=holding,
        investor=holding.investor,
        terms_version=version,
        amount=Decimal(amount),
        conversion_date=on,
        notice_method="facsimile",
        notice_received_date=on,
        conversion_price=Decimal("2.0000"),
        shares_for_amount=shares,
        shares_issuable=shares,
        delivery_date=on,
        status=status,
        snapshot={},
        idempotency_key=uuid.uuid4().hex,
        created_by=_user(),
    )


def _user():
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username="fixture-user")
    return user
