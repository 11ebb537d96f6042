"""Admin list pages run the same number of queries for 10 rows as for 1,000."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals import models as m
from deals.terms import calendars
from tests.factories import DealTermsVersionFactory, FinancingFactory, IssuerFactory, SeriesJFinancingFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2000, 3, 7)


def _investors(n):
    return m.Investor.objects.bulk_create(
        [m.Investor(legal_name=f"Fictional Investor {i} (test)", jurisdiction=f"J{i % 7}", notice_address="x")
         for i in range(n)]
    )


def _debentures(n):
    fin = FinancingFactory()
    return m.Debenture.objects.bulk_create(
        [m.Debenture(financing=fin, investor=inv, number=f"D-{i}", principal=Decimal("100000"),
                     principal_outstanding=Decimal("100000"), dated_date=DAY, issue_date=DAY, closing_date=DAY,
                     maturity_date=datetime.date(2000, 3, 31)) for i, inv in enumerate(_investors(n))]
    )


def _holdings(n):
    fin = SeriesJFinancingFactory()
    m.PreferredHolding.objects.bulk_create(
        [m.PreferredHolding(financing=fin, investor=inv, certificate_number=f"J-{i}", shares=1,
                            liquidation_preference=Decimal("1000"), liquidation_preference_outstanding=Decimal("1000"),
                            purchase_price=Decimal("1000"), closing_date=DAY) for i, inv in enumerate(_investors(n))]
    )


def _warrants(n):
    fin = SeriesJFinancingFactory()
    m.Warrant.objects.bulk_create(
        [m.Warrant(financing=fin, investor=inv, number=f"W-{i}", shares=10, shares_remaining=10,
                   exercise_price=Decimal("2"), issue_date=DAY, expiry_date=datetime.date(2005, 3, 31))
         for i, inv in enumerate(_investors(n))]
    )


def _prices(n):
    imp = m.PriceImport.objects.create(file_name="x.csv", sha256="0" * 64, status="applied")
    days = calendars.trading_days_between(datetime.date(1999, 1, 4), datetime.date(2010, 1, 1))[:n]
    m.MarketPrice.objects.bulk_create(
        [m.MarketPrice(date=d, closing_bid=Decimal("1.5"), source="test", imported_by=imp) for d in days]
    )


def _imports(n, user):
    m.PriceImport.objects.bulk_create(
        [m.PriceImport(file_name=f"{i}.csv", sha256="0" * 64, status="applied", uploaded_by=user) for i in range(n)]
    )


def _terms(n, user):
    fin = SeriesJFinancingFactory(terms=False)
    for i in range(n):
        DealTermsVersionFactory(financing=fin, version=i + 1, created_by=user)


def _conversions(n, user):
    v1 = DealTermsVersionFactory(version=1)
    debs = _debentures(n)
    convs = m.Conversion.objects.bulk_create(
        [m.Conversion(debenture=d, investor_id=d.investor_id, terms_version=v1, amount=Decimal("1000"),
                      conversion_date=DAY, notice_method="facsimile", notice_received_date=DAY,
                      conversion_price=Decimal("1.4"), shares_for_amount=714, shares_issuable=714, delivery_date=DAY,
                      snapshot={}, idempotency_key=f"k{i}", created_by=user) for i, d in enumerate(debs)]
    )
    ct = ContentType.objects.get_for_model(m.Conversion)
    m.Obligation.objects.bulk_create(
        [m.Obligation(kind="share_delivery", clause="SPA 5(c)", content_type=ct, object_id=c.pk,
                      investor_id=c.investor_id, due_date=DAY) for c in convs]
    )


def _financings(n):
    issuer = IssuerFactory()
    m.Financing.objects.bulk_create(
        [m.Financing(issuer=issuer, kind="debenture", name=f"F{i}", total_offering=Decimal("1")) for i in range(n)]
    )


CASES = {
    "investor": lambda n, u: _investors(n),
    "debenture": lambda n, u: _debentures(n),
    "preferredholding": lambda n, u: _holdings(n),
    "warrant": lambda n, u: _warrants(n),
    "marketprice": lambda n, u: _prices(n),
    "priceimport": _imports,
    "dealtermsversion": _terms,
    "conversion": _conversions,
    "obligation": _conversions,
    "financing": lambda n, u: _financings(n),
}


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.slow
@pytest.mark.parametrize("model_name", sorted(CASES))
def test_list_page_query_count_is_constant(deal_admin_client, deal_admin, model_name, django_db_blocker):
    from django.db import transaction

    url = f"/admin/deals/{model_name}/"
    counts = []
    for n in (10, 1000):
        sid = transaction.savepoint()
        CASES[model_name](n, deal_admin)
        counts.append(_count(deal_admin_client, url))
        transaction.savepoint_rollback(sid)
    assert counts[0] == counts[1], f"{model_name}: {counts[0]} queries for 10 rows, {counts[1]} for 1,000"
