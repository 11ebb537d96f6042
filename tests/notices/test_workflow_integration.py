"""The workflows' own services request their notices; after commit each has a ready, hashed PDF
that reads like its form (the issue's "done when")."""

import datetime
import hashlib
import uuid
from decimal import Decimal

import pytest

from deals.models import Conversion
from notices import formatting as fmt
from notices.models import Notice, NoticeStatus
from tests import factories as f

from .helpers import page_count, pdf_text, stored_bytes

conversions = pytest.importorskip("deals.services.conversions")
exercises = pytest.importorskip("deals.services.exercises")
redemptions = pytest.importorskip("deals.services.redemptions")

DAY = datetime.date(2000, 6, 1)


@pytest.fixture
def world(db):
    from deals.models import BusinessDate

    BusinessDate.objects.update_or_create(pk=1, defaults={"business_date": DAY})
    f.price_series(datetime.date(1999, 12, 1), DAY, bid=Decimal("1.5000"))
    return f.DebentureFactory(number="D-7", investor=f.InvestorFactory(legal_name="Holder & Sons")), f.WarrantFactory(number="W-2")


def _only_notice(record) -> Notice:
    notice = Notice.objects.for_record(record).get()
    assert notice.status == NoticeStatus.READY, notice.error
    assert hashlib.sha256(stored_bytes(notice)).hexdigest() == notice.sha256
    return notice


def test_conversion_submit_produces_the_exhibit_a_notice(world, clerk, django_capture_on_commit_callbacks):
    debenture, _ = world
    with django_capture_on_commit_callbacks(execute=True):
        conversion = conversions.conversion_submit(
            instrument=debenture, amount=Decimal("20000"), conversion_date=DAY, notice_method="facsimile",
            notice_received_date=DAY, idempotency_key=uuid.uuid4().hex, user=clerk,
        )  # fmt: skip
    notice = _only_notice(conversion)
    assert notice.file_name == "notice-of-conversion-D-7-2000-06-01.pdf"
    data = stored_bytes(notice)
    text = pdf_text(data)
    conversion = Conversion.objects.get(pk=conversion.pk)
    for value in ("$20,000.00", "D-7", "June 1, 2000", fmt.price(conversion.conversion_price), "Holder & Sons"):
        assert value in text, value
    if conversion.original_due_date:
        assert fmt.long_date(conversion.original_due_date) in text
    assert page_count(data) <= 3


def test_exercise_submit_produces_the_notice_of_exercise(world, clerk, django_capture_on_commit_callbacks):
    _, warrant = world
    with django_capture_on_commit_callbacks(execute=True):
        exercise = exercises.exercise_submit(
            warrant=warrant, shares=1000, exercise_date=DAY, payment_amount=Decimal("1650.00"), payment_date=DAY,
            idempotency_key=uuid.uuid4().hex, user=clerk,
        )  # fmt: skip
    text = pdf_text(stored_bytes(_only_notice(exercise)))
    for value in ("W-2", "1,000", "$1.6500", "$1,650.00", "June 1, 2000"):
        assert value in text, value


def test_redemption_notice_produces_the_notice_of_redemption(world, deal_admin, django_capture_on_commit_callbacks):
    debenture, _ = world
    with django_capture_on_commit_callbacks(execute=True):
        redemption = redemptions.redemption_notice(
            debenture=debenture, notice_date=DAY, received_date=DAY, idempotency_key=uuid.uuid4().hex, user=deal_admin
        )
    text = pdf_text(stored_bytes(_only_notice(redemption)))
    for value in ("$120,000.00", fmt.money(redemption.total_amount), fmt.long_date(redemption.payment_due_date),
                  fmt.long_date(redemption.convert_until), "Holder & Sons"):  # fmt: skip
        assert value in text, value
