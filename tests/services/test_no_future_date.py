"""Issue 15 item 21: one "no future date" rule for the workflows
(``deals.services.calendar.not_after_business_date``)."""

import datetime
import pathlib

import pytest
from django.core.exceptions import ValidationError

from deals.services.calendar import business_date_set, not_after_business_date, refuse_future_date
from deals.services.errors import WorkflowError

ROOT = pathlib.Path(__file__).resolve().parents[2]
TODAY = datetime.date(2000, 6, 1)


def test_on_and_before_the_business_date_pass_the_day_after_is_refused(db):
    business_date_set(day=TODAY)
    assert not_after_business_date(TODAY, what="payment date", field="payment_date") == TODAY
    assert not_after_business_date(TODAY - datetime.timedelta(days=1), what="payment date", field="payment_date") == TODAY
    with pytest.raises(WorkflowError) as err:
        not_after_business_date(TODAY + datetime.timedelta(days=1), what="payment date", field="payment_date")
    assert err.value.code == "future_date" and err.value.field == "payment_date"
    assert err.value.message == "The payment date 2000-06-02 is after the business date 2000-06-01."


def test_an_explicit_today_and_a_follow_up_sentence():
    with pytest.raises(WorkflowError, match=r"2000-06-02 is after the business date 2000-06-01; not ahead of time\.$"):
        not_after_business_date(datetime.date(2000, 6, 2), what="date", field=None, today=TODAY, then="; not ahead of time")


def test_the_company_side_form_refusal_is_keyed_by_field():
    refuse_future_date(TODAY, what="sale date", field="sale_date", today=TODAY)
    with pytest.raises(ValidationError) as err:
        refuse_future_date(datetime.date(2000, 6, 2), what="sale date", field="sale_date", today=TODAY)
    assert err.value.message_dict == {"sale_date": ["The sale date 2000-06-02 is after the business date 2000-06-01."]}


def test_no_service_writes_its_own_future_date_refusal():
    offenders = []
    for path in (ROOT / "deals" / "services").rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel == "deals/services/calendar.py":
            continue
        offenders += [f"{rel}:{n}" for n, line in enumerate(path.read_text().splitlines(), 1)
                      if 'code="future_date"' in line or "is after the business date" in line]
    assert not offenders, offenders
