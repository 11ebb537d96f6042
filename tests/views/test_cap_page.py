"""The Cap Regulations page and the stockholders' meeting form (SPA 3(c), 4(d)(ii), 4(g), 4(i))."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from deals.models import Issuer, Obligation, StockholderMeeting
from tests.services.test_conversions import CONV_DATE, make_world

URL = "/cap/"
NEW = "/cap/meetings/new/"


def _post(client, **over):
    data = {"issuer": Issuer.objects.get().pk, "meeting_date": CONV_DATE.isoformat(), "votes_for": "600", "votes_against": "400",
            "votes_abstain": "5", "notes": "annual meeting",
            "document": SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 x", content_type="application/pdf")}
    data.update(over)
    return client.post(NEW, {k: v for k, v in data.items() if v is not None})


def test_clerk_reads_the_page_without_the_form(db, clerk_client):
    make_world()
    r = clerk_client.get(URL)
    assert r.status_code == 200
    body = r.content.decode()
    assert 'data-testid="cap-room"' in body and "1,572,000" in body
    assert 'data-testid="meetings-empty"' in body
    assert "Record a stockholders" not in body


def test_clerk_cannot_record_a_meeting(db, clerk_client):
    make_world()
    assert _post(clerk_client).status_code == 403
    assert StockholderMeeting.objects.count() == 0


def test_deal_admin_records_a_meeting_and_the_cap_is_lifted(db, deal_admin_client):
    make_world()
    r = _post(deal_admin_client)
    assert r.status_code == 302
    m = StockholderMeeting.objects.get()
    assert m.approved and m.votes_abstain == 5
    body = deal_admin_client.get(URL).content.decode()
    assert 'data-testid="cap-approved"' in body and "2000-06-01" in body
    assert 'data-testid="meetings"' in body


@pytest.mark.parametrize("over,text", [
    ({"meeting_date": (CONV_DATE + datetime.timedelta(days=1)).isoformat()}, "after the business date"),
    ({"votes_for": "0", "votes_against": "0", "votes_abstain": "0"}, "no votes"),
    ({"votes_for": "-5"}, "greater than or equal to 0"),
    ({"document": None}, "required"),
])
def test_bad_input_is_a_400_with_the_reason_and_writes_nothing(db, deal_admin_client, over, text):
    make_world()
    r = _post(deal_admin_client, **over)
    assert r.status_code == 400
    assert text in r.content.decode()
    assert StockholderMeeting.objects.count() == 0 and Obligation.objects.count() == 0


def test_admin_shows_meetings_read_only(db, deal_admin_client):
    make_world()
    _post(deal_admin_client)
    m = StockholderMeeting.objects.get()
    assert deal_admin_client.get("/admin/deals/stockholdermeeting/").status_code == 200
    assert deal_admin_client.get("/admin/deals/stockholdermeeting/add/").status_code == 403
    r = deal_admin_client.post(f"/admin/deals/stockholdermeeting/{m.pk}/change/", {"votes_for": "1"})
    assert r.status_code == 403
    assert StockholderMeeting.objects.get().votes_for == 600
