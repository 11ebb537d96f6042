"""A closed Series J financing (Closing 2000-01-21: Reg S period to 2001-01-20) and a debenture
financing with one $300,000 D-number, for the transfer tests."""

import datetime
from decimal import Decimal

import pytest

from deals.models import Financing
from deals.services.calendar import business_date_set
from tests import factories as fx

CLOSING = datetime.date(2000, 1, 21)


@pytest.fixture
def deal(db):
    fx.DealTermsVersionFactory(version=1)
    fin = fx.SeriesJFinancingFactory(name="Series J", initial_closing_date=CLOSING)
    a = fx.InvestorFactory(legal_name="Alpha Fund Ltd.", dtc_participant="0352", prime_broker="Offshore Prime")
    us = fx.InvestorFactory(legal_name="US Buyer LLC", reg_s_non_us_attested=False, reg_s_attested_on=None, jurisdiction="New York")
    off = fx.InvestorFactory(legal_name="Gamma Offshore Ltd.")
    holding = fx.PreferredHoldingFactory(financing=fin, investor=a, certificate_number="J-1", shares=600, closing_date=CLOSING)
    warrant = fx.WarrantFactory(
        financing=fin, investor=a, number="W-1", shares=60_000, issue_date=CLOSING, expiry_date=datetime.date(2005, 1, 31)
    )
    deb_fin = fx.FinancingFactory(name="Debentures", kind=Financing.Kind.DEBENTURE)
    deb = fx.DebentureFactory(
        financing=deb_fin, investor=a, number="D-1", principal=Decimal("300000"), issue_date=datetime.date(1999, 11, 22),
        closing_date=datetime.date(1999, 11, 22), maturity_date=datetime.date(2001, 3, 31),
    )  # fmt: skip
    return {"fin": fin, "a": a, "us": us, "off": off, "holding": holding, "warrant": warrant, "deb_fin": deb_fin, "deb": deb}


def on(day):
    business_date_set(day=day)
    return day
