"""Debenture 4(A): the Conversion Date of a faxed notice is "the date set forth in such facsimile
delivery"; a fax dated more than ``fax_date_max_business_days`` (default 5) business days before
it is recorded needs a deal admin's confirmation (issue 16 item 12)."""

import datetime

import pytest

from deals.models import Conversion
from deals.services.conversions import WorkflowError
from tests.services.test_conversions import make_world, submit

FAX = datetime.date(2000, 6, 1)  # Thursday
# 5 business days after Thu 2000-06-01: Fri 2, Mon 5, Tue 6, Wed 7, Thu 8
FIFTH = datetime.date(2000, 6, 8)
SIXTH = datetime.date(2000, 6, 9)


def test_a_fax_recorded_on_the_fifth_business_day_after_its_date_is_accepted(db, clerk):
    w = make_world(today=FIFTH)
    conv = submit(w.debenture, "1000", clerk, day=FAX, received=FAX)
    assert conv.conversion_date == FAX and "fax_date_confirmed_by" not in conv.snapshot


def test_on_the_sixth_business_day_a_clerk_is_refused_and_nothing_is_written(db, clerk):
    w = make_world(today=SIXTH)
    with pytest.raises(WorkflowError, match="6 business days before it is recorded on 2000-06-09") as err:
        submit(w.debenture, "1000", clerk, day=FAX, received=FAX)
    assert err.value.code == "fax_date_unconfirmed" and err.value.field == "conversion_date"
    assert not Conversion.objects.exists()


def test_a_clerk_cannot_confirm_the_fax_date_for_themselves(db, clerk):
    w = make_world(today=SIXTH)
    with pytest.raises(WorkflowError, match="deal admin"):
        _submit_confirmed(w, clerk, clerk)


def test_a_deal_admins_confirmation_is_kept_with_the_conversion(db, clerk, deal_admin):
    w = make_world(today=SIXTH)
    conv = _submit_confirmed(w, clerk, deal_admin)
    assert conv.snapshot["fax_date_confirmed_by"] == deal_admin.get_username()


def test_the_limit_is_a_deal_term(db, clerk):
    from deals.models import DealTermsVersion

    w = make_world(today=SIXTH)
    DealTermsVersion.objects.update(fax_date_max_business_days=6)
    assert submit(w.debenture, "1000", clerk, day=FAX, received=FAX).conversion_date == FAX


def test_the_limit_does_not_apply_to_an_original_delivered_by_hand(db, clerk):
    w = make_world(today=SIXTH)
    conv = submit(w.debenture, "1000", clerk, day=FAX, received=FAX, method="original")
    assert conv.conversion_date == FAX


def _submit_confirmed(w, clerk, confirmer):
    import uuid
    from decimal import Decimal

    from deals.services import conversions as svc

    return svc.conversion_submit(
        instrument=w.debenture, amount=Decimal("1000"), conversion_date=FAX, notice_method="facsimile",
        notice_received_date=FAX, idempotency_key=uuid.uuid4().hex, user=clerk, fax_date_confirmed_by=confirmer,
    )
