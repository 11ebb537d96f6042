"""Debenture 4(A) (issue 16 item 12, second half): the screen on which a deal admin confirms an old
fax date, and on which a clerk is told why they can't. The Conversion Date of a faxed notice is "the
date set forth in such facsimile delivery"; a fax dated more than ``fax_date_max_business_days``
(default 5) business days before it is recorded needs a deal admin's confirmation."""

import datetime

from django.urls import reverse

from deals.models import Conversion
from tests.services.test_conversions import make_world
from tests.views.test_conversions import form_data

FAX = datetime.date(2000, 6, 1)  # Thursday
FIFTH = datetime.date(2000, 6, 8)  # 5th business day after it
SIXTH = datetime.date(2000, 6, 9)


def _data(w, **over):
    return form_data(w.debenture, amount="1000", conversion_date=FAX.isoformat(), notice_received_date=FAX.isoformat(), **over)


def test_on_the_fifth_business_day_no_confirmation_is_asked(clerk_client, db):
    w = make_world(today=FIFTH)
    html = clerk_client.post(reverse("conversion_new"), _data(w)).content.decode()
    assert 'data-testid="confirm"' in html and 'data-testid="fax-confirm"' not in html


def test_a_clerk_sees_why_they_cannot_confirm_and_nothing_is_written(clerk_client, db):
    w = make_world(today=SIXTH)
    html = clerk_client.post(reverse("conversion_new"), _data(w)).content.decode()
    assert "6 business days before it is recorded on 2000-06-09" in html
    assert 'data-testid="fax-confirm"' in html and "Only a deal admin can confirm it" in html
    assert 'name="confirm_fax_date"' not in html.split('data-testid="fax-confirm"')[1]  # no checkbox for a clerk
    # ticking the box by hand does not help: the service takes only a deal admin's confirmation
    r = clerk_client.post(reverse("conversion_confirm"), _data(w, confirm_fax_date="on"))
    assert r.status_code == 200 and "needs a deal admin" in r.content.decode()
    assert not Conversion.objects.exists()


def test_a_deal_admin_confirms_on_the_screen_and_the_confirmation_is_kept(deal_admin_client, deal_admin, db):
    w = make_world(today=SIXTH)
    html = deal_admin_client.post(reverse("conversion_new"), _data(w)).content.decode()
    assert 'name="confirm_fax_date"' in html and "Only a deal admin can confirm it" not in html
    data = _data(w, confirm_fax_date="on")
    review = deal_admin_client.post(reverse("conversion_new"), data).content.decode()
    assert 'data-testid="fax-confirmed"' in review and 'data-testid="confirm"' in review
    assert 'name="confirm_fax_date" value="True"' in review  # carried to the confirm step
    r = deal_admin_client.post(reverse("conversion_confirm"), {**data, "confirm_fax_date": "True"})
    assert r.status_code == 302
    conv = Conversion.objects.get()
    assert conv.conversion_date == FAX and conv.snapshot["fax_date_confirmed_by"] == deal_admin.get_username()


def test_a_deal_admin_without_the_tick_is_asked_again(deal_admin_client, db):
    w = make_world(today=SIXTH)
    r = deal_admin_client.post(reverse("conversion_confirm"), _data(w, confirm_fax_date="False"))
    assert r.status_code == 200 and 'data-testid="fax-confirm"' in r.content.decode()
    assert not Conversion.objects.exists()
