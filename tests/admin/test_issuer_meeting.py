"""SPA 4(d)(ii): a deal admin records the next stockholders' meeting on the Issuer; the Meeting
Date row follows at once (no sweep), through the same builder as the sweep."""

import datetime

import pytest
from django.forms.models import model_to_dict

from deals import models as m
from deals.services.calendar import business_date_set

pytestmark = pytest.mark.django_db


def test_setting_the_next_meeting_writes_the_meeting_date_row(deal_admin_client, deal_admin):
    from tests import factories as fx

    business_date_set(day=datetime.date(2000, 6, 1))
    fx.PreferredHoldingFactory()  # a Series J financing: SPA 4(d)(ii) applies
    issuer = m.Issuer.objects.get()
    assert not m.Obligation.objects.filter(kind=m.ObligationKind.MEETING_DATE).exists()
    data = {k: v for k, v in model_to_dict(issuer).items() if v is not None and k != "id"}
    data["next_stockholders_meeting"] = "2000-07-20"
    response = deal_admin_client.post(f"/admin/deals/issuer/{issuer.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    row = m.Obligation.objects.get(kind=m.ObligationKind.MEETING_DATE)
    assert (row.due_date, row.status, row.clause) == (datetime.date(2000, 7, 20), "open", "SPA 4(d)(ii)")
    assert row.history.first().history_user == deal_admin
