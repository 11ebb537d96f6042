"""Suspensions entered in the admin go through the RRA 3(h) service (verdict recorded)."""

import datetime

import pytest

from deals import models as m

pytestmark = pytest.mark.django_db


@pytest.fixture
def effective(demo):
    rs = demo["registration_statement"]
    rs.effective_date = datetime.date(2000, 5, 1)
    rs.save(update_fields=["effective_date"])
    return rs


def test_admin_add_records_the_verdict_and_user(deal_admin_client, deal_admin, effective):
    response = deal_admin_client.post("/admin/deals/suspensionperiod/add/", {
        "statement": effective.pk, "notice_date": "2000-06-01", "start_date": "2000-06-05", "end_date": "2000-06-30",
        "reason": "Potential Material Event", "notice_required": "on",
    })
    assert response.status_code == 302
    period = m.SuspensionPeriod.objects.get()
    assert period.created_by == deal_admin and period.verdict
    assert period.permitted is False  # 26 days > 20 (RRA 3(h))
    assert deal_admin_client.get(f"/admin/deals/suspensionperiod/{period.pk}/change/").status_code == 200


def test_admin_refuses_a_suspension_before_the_effective_date_in_plain_words(deal_admin_client, effective):
    page = deal_admin_client.post("/admin/deals/suspensionperiod/add/", {
        "statement": effective.pk, "notice_date": "2000-04-01", "start_date": "2000-04-03", "end_date": "2000-04-05",
        "notice_required": "on",
    }).content.decode()
    assert "before the Effective Date 2000-05-01" in page
    assert m.SuspensionPeriod.objects.count() == 0
