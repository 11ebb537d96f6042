"""factory_boy factories for the deal models, NHTC-shaped by default."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from deals import models as m
from deals.terms import calendars
from deals.terms.params import NHTC_DEFAULTS

CLOSING = datetime.date(2000, 1, 14)


class IssuerFactory(DjangoModelFactory):
    class Meta:
        model = m.Issuer
        django_get_or_create = ("name",)

    name = "Natural Health Trends Corp."
    state_of_incorporation = "Florida"
    address = "Test address"
    authorized_common_shares = 50_000_000
    shares_outstanding_at_signing = 7_860_000
    shares_issued = 7_860_000
    par_value = Decimal("0.001")


class FinancingFactory(DjangoModelFactory):
    """A financing with its terms version 1 (NHTC defaults, effective 1999-01-01) unless
    ``terms=False`` -- terms belong to a financing (issue 18)."""

    class Meta:
        model = m.Financing
        skip_postgeneration_save = True

    issuer = factory.SubFactory(IssuerFactory)
    kind = m.Financing.Kind.DEBENTURE
    name = factory.Sequence(lambda n: f"Financing {n}")
    total_offering = Decimal("1300000")
    initial_closing_date = CLOSING

    @factory.post_generation
    def terms(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            DealTermsVersionFactory(financing=obj, **kwargs)


class SeriesJFinancingFactory(FinancingFactory):
    kind = m.Financing.Kind.SERIES_J
    name = factory.Sequence(lambda n: f"Series J financing {n}")  # a holding's label names its series (issue 18)
    total_offering = Decimal("1000000")


class InvestorFactory(DjangoModelFactory):
    class Meta:
        model = m.Investor

    legal_name = factory.Sequence(lambda n: f"Fictional Fund {n} Ltd.")
    jurisdiction = "Bahamas"
    notice_address = factory.Sequence(lambda n: f"{n} Bay Street, Nassau")
    reg_s_non_us_attested = True
    reg_s_attested_on = CLOSING
    accredited_investor = True


class DealTermsVersionFactory(DjangoModelFactory):
    """A terms version of ``financing`` with the NHTC defaults; ``version`` defaults to the
    financing's next number."""

    class Meta:
        model = m.DealTermsVersion

    financing = factory.SubFactory(SeriesJFinancingFactory, terms=False)
    effective_from = datetime.date(1999, 1, 1)
    reason = "NHTC defaults"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        values = m.DealTermsVersion.values_from_terms(NHTC_DEFAULTS, kind=kwargs["financing"].terms_kind)
        values.update(kwargs)
        if values.get("version") is None:
            last = m.DealTermsVersion.objects.filter(financing=values["financing"]).order_by("-version").first()
            values["version"] = (last.version if last else 0) + 1
        return super()._create(model_class, *args, **values)


class DebentureFactory(DjangoModelFactory):
    class Meta:
        model = m.Debenture

    financing = factory.SubFactory(FinancingFactory)
    investor = factory.SubFactory(InvestorFactory)
    number = factory.Sequence(lambda n: f"D-{n + 1}")
    principal = Decimal("100000")
    principal_outstanding = factory.LazyAttribute(lambda o: o.principal)
    issue_date = CLOSING
    dated_date = factory.LazyAttribute(lambda o: o.issue_date)  # dated and issued the same day unless a test says
    closing_date = CLOSING
    maturity_date = datetime.date(2002, 3, 31)


class PreferredHoldingFactory(DjangoModelFactory):
    class Meta:
        model = m.PreferredHolding

    financing = factory.SubFactory(SeriesJFinancingFactory)
    investor = factory.SubFactory(InvestorFactory)
    certificate_number = factory.Sequence(lambda n: f"J-{n + 1}")
    shares = 400
    liquidation_preference = factory.LazyAttribute(lambda o: Decimal(o.shares) * 1000)
    liquidation_preference_outstanding = factory.LazyAttribute(lambda o: o.liquidation_preference)
    purchase_price = factory.LazyAttribute(lambda o: o.liquidation_preference)
    closing_date = CLOSING


class WarrantFactory(DjangoModelFactory):
    class Meta:
        model = m.Warrant

    financing = factory.SubFactory(SeriesJFinancingFactory)
    investor = factory.SubFactory(InvestorFactory)
    number = factory.Sequence(lambda n: f"W-{n + 1}")
    shares = 50_000
    shares_remaining = factory.LazyAttribute(lambda o: o.shares)
    exercise_price = Decimal("1.6500")
    issue_date = CLOSING
    expiry_date = datetime.date(2005, 1, 31)


def price_series(start: datetime.date, end: datetime.date, bid=Decimal("2.0000"), step=Decimal("0")) -> list:
    """Create one MarketPrice per trading day from start to end (bid + step * n)."""
    rows = [
        m.MarketPrice(date=d, closing_bid=bid + step * i, closing_price=bid + step * i + Decimal("0.0625"), source="test")
        for i, d in enumerate(calendars.trading_days_between(start, end))
    ]
    return m.MarketPrice.objects.bulk_create(rows)
