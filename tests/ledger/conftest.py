"""Obligations of every money kind, written by the real workflows where one exists."""

import datetime
from decimal import Decimal

import pytest

from deals.models import Obligation, ObligationKind
from deals.services import conversions as svc
from deals.services.ledger.writer import Row, ledger_put
from tests.services.test_conversions import make_world, set_business_date, submit

D = Decimal
DELIVERED = datetime.date(2000, 6, 13)  # Delivery Date 2000-06-06, grace to 06-09: 2 business days late


@pytest.fixture
def world(db):
    return make_world(end=datetime.date(2000, 7, 31))


@pytest.fixture
def late_payment(world, deal_admin):
    """SPA 5(c): $10,000 of Series J delivered 2 business days late -> $200.00."""
    conv = submit(world.preferred, "10000", deal_admin)
    set_business_date(DELIVERED)
    svc.delivery_record(conversion=conv, delivered_date=DELIVERED, reference="DWAC 9", user=deal_admin)
    return Obligation.objects.get(kind=ObligationKind.LATE_PAYMENT)


def make_obligation(kind: str, world, deal_admin):
    """One open obligation of ``kind`` with the business date set to a day it may be paid."""
    if kind == ObligationKind.LATE_PAYMENT:
        conv = submit(world.preferred, "10000", deal_admin)
        set_business_date(DELIVERED)
        svc.delivery_record(conversion=conv, delivered_date=DELIVERED, reference="DWAC 9", user=deal_admin)
    elif kind == ObligationKind.BUY_IN:
        conv = submit(world.preferred, "10000", deal_admin)
        set_business_date(datetime.date(2000, 6, 8))
        svc.buy_in_record(conversion=conv, buy_in_date=datetime.date(2000, 6, 7), covering_cost=D("11000"),
                          sold_proceeds=D("10000"), user=deal_admin)
    elif kind == ObligationKind.MANDATORY_PURCHASE:
        conv = submit(world.preferred, "10000", deal_admin)
        set_business_date(datetime.date(2000, 6, 5))
        svc.conversion_dishonour(conversion=conv, notice_date=datetime.date(2000, 6, 5), user=deal_admin)
        set_business_date(datetime.date(2000, 6, 12))
    elif kind == ObligationKind.CONVERSION_CASH:
        submit(world.debenture, "20000", deal_admin, election="cash")
        set_business_date(datetime.date(2000, 6, 6))
    elif kind == ObligationKind.REDEMPTION_PAYMENT:
        from deals.services import redemptions

        redemptions.redemption_notice(debenture=world.debenture, notice_date=datetime.date(2000, 6, 1),
                                      received_date=datetime.date(2000, 6, 1), idempotency_key="k", user=deal_admin)
        set_business_date(datetime.date(2000, 6, 15))
    elif kind == ObligationKind.MATURITY:
        deb = world.debenture
        set_business_date(deb.maturity_date)
        ledger_put(source=deb, rows=[Row(kind, "Debenture (Maturity Date)", deb.pk, deb.maturity_date, investor_id=deb.investor_id,
                                         amount=D("100000"), description="Maturity")], as_of=deb.maturity_date)
    elif kind == ObligationKind.PERIODIC_AMOUNT:
        fin = world.debenture.financing
        ledger_put(source=fin, rows=[Row(kind, "RRA 2(b)", fin.pk, datetime.date(2000, 6, 1), period_key="p1",
                                         investor_id=world.debenture.investor_id, amount=D("2000.00"), description="Periodic Amount")],
                   as_of=datetime.date(2000, 6, 1))
        set_business_date(datetime.date(2000, 6, 2))
    elif kind == ObligationKind.PRICE_PROTECTION_REFUND:
        # SPA 4(j)(v): exercise price repaid on a past exercise (as price_protection_apply writes it)
        fin = world.preferred.financing
        ledger_put(source=fin, rows=[Row(kind, "SPA 4(j)(v)", fin.pk, datetime.date(2000, 6, 1), period_key="r1",
                                         investor_id=world.preferred.investor_id, amount=D("4000.00"),
                                         description="Exercise price repaid")],
                   as_of=datetime.date(2000, 6, 1))
        set_business_date(datetime.date(2000, 6, 2))
    elif kind == ObligationKind.ACCELERATION:
        from deals.services.company import defaults

        # Debenture 10(c): share delivery failure 2000-05-24, five business days to cure (to 06-01)
        eod = defaults.default_record(financing=world.debenture.financing, debenture=world.debenture, kind="c",
                                      occurred_date=datetime.date(2000, 5, 24), user=deal_admin, as_of=datetime.date(2000, 5, 24))
        set_business_date(datetime.date(2000, 6, 5))
        defaults.default_accelerate(eod=eod, accelerated_date=datetime.date(2000, 6, 2), as_of=datetime.date(2000, 6, 5))
    elif kind == ObligationKind.CAP_REDEMPTION:
        from deals.models import MarketPrice

        MarketPrice.objects.update(closing_price=D("0.0500"), closing_bid=D("0.0500"))
        conv = submit(world.preferred, "400000", deal_admin)
        set_business_date(datetime.date(2000, 6, 15))
        svc.cap_remedy_choose(conversion=conv, remedy="y", shares=conv.unconverted_shares,
                              chosen_date=datetime.date(2000, 6, 15), user=deal_admin)
        set_business_date(datetime.date(2000, 6, 20))
    return Obligation.objects.get(kind=kind)
