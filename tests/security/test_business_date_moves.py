"""Issue 15 item 10: the business date moves only with an explicit date; a move of more than
BUSINESS_DATE_CONFIRM_DAYS business days forward asks for confirmation and says what the sweep
would act on."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from deals import models as m
from deals.selectors.business_date import sweep_preview
from deals.services.calendar import business_date, business_date_set

pytestmark = pytest.mark.django_db
URL = "/admin/deals/businessdate/1/change/"
MON = datetime.date(2000, 3, 27)  # the demo business date


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.BUSINESS_DATE_CONFIRM_DAYS = 5


def _history():
    return m.BusinessDate.history.count()


def test_an_empty_form_never_means_today(deal_admin_client, demo):
    before = _history()
    response = deal_admin_client.post(URL, {"business_date": ""})
    assert response.status_code == 200
    assert "an empty date never means today" in response.content.decode()
    assert business_date() == MON and _history() == before


def test_the_service_refuses_no_date_and_out_of_range_dates(demo, deal_admin):
    with pytest.raises(ValidationError, match="explicit date"):
        business_date_set(day=None, user=deal_admin)
    with pytest.raises(ValidationError, match="outside the supported dates"):
        business_date_set(day=datetime.date(2036, 1, 2), user=deal_admin)
    assert business_date() == MON


@pytest.mark.parametrize(("day", "needs_confirmation"), [
    (datetime.date(2000, 4, 3), False),   # 5 business days forward: the limit
    (datetime.date(2000, 4, 4), True),    # 6 business days forward
    (datetime.date(2000, 3, 1), False),   # backward never asks
])
def test_forward_moves_beyond_the_limit_ask_for_confirmation(deal_admin_client, demo, day, needs_confirmation):
    response = deal_admin_client.post(URL, {"business_date": day.isoformat()})
    if needs_confirmation:
        assert response.status_code == 200
        assert "6 business days forward (more than 5)" in response.content.decode()
        assert business_date() == MON
        response = deal_admin_client.post(URL, {"business_date": day.isoformat(), "confirm_forward": "on"})
    assert response.status_code == 302
    assert business_date() == day
    assert m.BusinessDate.history.latest().business_date == day


def test_the_confirmation_says_what_the_sweep_would_do(deal_admin_client, demo):
    far = datetime.date(2006, 1, 3)
    preview = sweep_preview(from_day=MON, to_day=far)
    assert preview.warrants_expiring == m.Warrant.objects.filter(status="outstanding").count() > 0
    assert preview.debentures_maturing == m.Debenture.objects.filter(status="outstanding").count() > 0
    body = deal_admin_client.post(URL, {"business_date": far.isoformat()}).content.decode()
    assert f"{preview.warrants_expiring} warrant(s) past their SPA 4(h) expiry would be marked expired" in body
    assert f"{preview.debentures_maturing} debenture(s) would reach their Maturity Date" in body
    assert "could be voided" in body and "would fall due" in body
    assert business_date() == MON


def test_the_form_refuses_a_date_outside_the_calendars(deal_admin_client, demo):
    body = deal_admin_client.post(URL, {"business_date": "9999-12-31", "confirm_forward": "on"}).content.decode()
    assert "outside the supported dates, 1999-01-01 to 2035-12-31" in body
    assert business_date() == MON
