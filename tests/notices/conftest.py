"""Records with notices: a debenture conversion, a Series J conversion, a warrant exercise and a
redemption, built from the engine's own quotes so the snapshots have the real shape."""

import datetime
import os
import uuid
from decimal import Decimal

import pytest

from deals import models as m
from deals.terms import calendars
from deals.terms.conversion import PaymentForm, quote_debenture_conversion, quote_preferred_conversion
from deals.terms.params import NHTC_DEFAULTS
from deals.terms.redemption import redemption_quote
from deals.terms.warrants import exercise_cost
from tests import factories as f

CONVERSION_DAY = datetime.date(2000, 5, 15)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Notices are written under a throwaway MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _prices(end: datetime.date, start=datetime.date(2000, 3, 1)) -> dict:
    days = calendars.trading_days_between(start, end)
    return {d: Decimal("1.2500") + Decimal("0.0125") * (i % 7) for i, d in enumerate(days)}


@pytest.fixture
def terms_version(db):
    return f.DealTermsVersionFactory()


@pytest.fixture
def investor(db):
    return f.InvestorFactory(legal_name="Fictional Fund <A> & Co. Ltd.", notice_address="12 Bay Street\nNassau, Bahamas")


@pytest.fixture
def debenture(investor):
    return f.DebentureFactory(number="D-7", investor=investor)


def _conversion(*, debenture, terms_version, user, amount=Decimal("50000.00")):
    quote = quote_debenture_conversion(
        terms=NHTC_DEFAULTS,
        amount=amount,
        conversion_date=CONVERSION_DAY,
        principal=debenture.principal,
        closing_date=debenture.closing_date,
        prices=_prices(CONVERSION_DAY),
    )
    return m.Conversion.objects.create(
        debenture=debenture,
        investor=debenture.investor,
        terms_version=terms_version,
        amount=amount,
        conversion_date=CONVERSION_DAY,
        notice_method=m.NoticeMethod.FACSIMILE,
        notice_received_date=CONVERSION_DAY,
        market_price=quote.market_price.price,
        conversion_price=quote.applied_price,
        shares_for_amount=quote.shares,
        interest_amount=quote.accrual.amount,
        shares_issuable=quote.total_shares,
        delivery_date=quote.delivery_date,
        original_due_date=quote.original_notice_due,
        snapshot=quote.as_dict(),
        idempotency_key=uuid.uuid4().hex,
        created_by=user,
    )


@pytest.fixture
def conversion(debenture, terms_version, clerk):
    return _conversion(debenture=debenture, terms_version=terms_version, user=clerk)


@pytest.fixture
def make_conversion(terms_version, clerk):
    def make(**kwargs):
        return _conversion(debenture=kwargs.pop("debenture", None) or f.DebentureFactory(), terms_version=terms_version, user=clerk)

    return make


@pytest.fixture
def preferred_conversion(investor, terms_version, clerk):
    holding = f.PreferredHoldingFactory(certificate_number="J-3", investor=investor, shares=400)
    day = datetime.date(2000, 6, 1)
    amount = Decimal("25000.00")
    quote = quote_preferred_conversion(
        terms=NHTC_DEFAULTS,
        amount=amount,
        conversion_date=day,
        liquidation_preference=holding.liquidation_preference,
        closing_date=holding.closing_date,
        prices=_prices(day),
        dividend_payment=PaymentForm.SHARES,
    )
    return m.Conversion.objects.create(
        preferred=holding,
        investor=investor,
        terms_version=terms_version,
        amount=amount,
        conversion_date=day,
        notice_method=m.NoticeMethod.ORIGINAL,
        notice_received_date=day,
        interest_election=m.InterestElection.SHARES,
        conversion_price=quote.applied_price,
        shares_for_amount=quote.shares,
        interest_amount=quote.accrual.amount,
        interest_shares=quote.accrual_shares,
        shares_issuable=quote.total_shares,
        delivery_date=quote.delivery_date,
        snapshot=quote.as_dict(),
        idempotency_key=uuid.uuid4().hex,
        created_by=clerk,
    )


@pytest.fixture
def exercise(investor, terms_version, clerk):
    warrant = f.WarrantFactory(number="W-4", investor=investor)
    shares = 12_500
    aggregate = exercise_cost(shares, warrant.exercise_price)
    return m.WarrantExercise.objects.create(
        warrant=warrant,
        investor=investor,
        terms_version=terms_version,
        shares=shares,
        exercise_date=datetime.date(2000, 7, 10),
        exercise_price=warrant.exercise_price,
        aggregate_price=aggregate,
        payment_amount=aggregate,
        payment_date=datetime.date(2000, 7, 10),
        delivery_date=datetime.date(2000, 7, 13),
        snapshot={"shares": shares, "exercise_price": str(warrant.exercise_price), "aggregate_price": str(aggregate), "clause": "SPA 4(h)"},
        idempotency_key=uuid.uuid4().hex,
        created_by=clerk,
    )


@pytest.fixture
def redemption(debenture, terms_version, deal_admin):
    notice_day = datetime.date(2000, 8, 1)
    quote = redemption_quote(
        terms=NHTC_DEFAULTS,
        principal=debenture.principal,
        dated_date=debenture.dated_date,
        notice_date=notice_day,
        received_on=datetime.date(2000, 8, 2),
    )
    return m.Redemption.objects.create(
        debenture=debenture,
        terms_version=terms_version,
        notice_date=notice_day,
        notice_received_date=quote.received_on,
        principal=quote.principal,
        premium_amount=quote.premium_amount,
        interest_amount=quote.interest.amount,
        total_amount=quote.amount,
        payment_due_date=quote.payment_due,
        convert_until=quote.convert_deadline,
        snapshot=quote.as_dict(),
        idempotency_key=uuid.uuid4().hex,
        created_by=deal_admin,
    )


@pytest.fixture
def request_notice(django_capture_on_commit_callbacks):
    """Request a notice the way a workflow does and run the after-commit render."""
    from notices.services import notice_request

    def request(record, kind, user):
        with django_capture_on_commit_callbacks(execute=True):
            notice = notice_request(record=record, kind=kind, user=user)
        notice.refresh_from_db()
        return notice

    return request


@pytest.fixture
def send_to_redis():
    """This process publishes to the test Redis, as the web process does in production."""
    from nhtc.celery import app

    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    _drop_broker_connections(app)  # a pool made earlier in the session still points at the old broker
    yield app
    app.conf.task_always_eager, app.conf.broker_url = saved
    _drop_broker_connections(app)


def _drop_broker_connections(app) -> None:
    """Forget the app's cached broker connection and producer pools, so the next publish connects to
    ``app.conf.broker_url`` as it is now (``.delay`` reuses them for the life of the process). The old
    pools are not closed: code that still holds one (an on_commit publish of another test) keeps working."""
    app._pool = None
    app.amqp._producer_pool = None
