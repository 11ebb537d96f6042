"""Admin edits are recorded in the history with the user, and the history page shows them."""

import pytest
from django.forms.models import model_to_dict

from deals import models as m

pytestmark = pytest.mark.django_db


def _form_data(obj, fields):
    data = model_to_dict(obj, fields=fields)
    return {k: ("" if v is None else v) for k, v in data.items()}


def test_admin_change_creates_a_history_row_with_the_user(deal_admin_client, deal_admin, demo):
    issuer = demo["issuer"]
    url = f"/admin/deals/issuer/{issuer.pk}/change/"
    fields = ["name", "state_of_incorporation", "address", "fax", "counsel", "authorized_common_shares",
              "shares_outstanding_at_signing", "shares_issued", "par_value", "next_stockholders_meeting"]
    data = _form_data(issuer, fields)
    data["shares_issued"] = 7_900_000
    response = deal_admin_client.post(url, data)
    assert response.status_code == 302
    latest = issuer.history.latest()
    assert latest.history_user == deal_admin and latest.history_type == "~"
    assert latest.shares_issued == 7_900_000
    delta = latest.diff_against(latest.prev_record)
    assert [c.field for c in delta.changes] == ["shares_issued"]

    page = deal_admin_client.get(f"/admin/deals/issuer/{issuer.pk}/history/").content.decode()
    assert "dealadmin" in page and "Shares issued" in page


def test_debenture_outstanding_cannot_be_edited_in_the_admin(deal_admin_client, demo):
    deb = demo["debentures"][0]
    url = f"/admin/deals/debenture/{deb.pk}/change/"
    data = _form_data(deb, ["financing", "investor", "number", "principal", "dated_date", "issue_date", "closing_date",
                            "maturity_date", "interest_paid_through"])
    data["principal_outstanding"] = "1"
    assert deal_admin_client.post(url, data).status_code == 302
    deb.refresh_from_db()
    assert deb.principal_outstanding == deb.principal  # the posted value is ignored (read-only field)


def test_admin_form_errors_are_plain_words(deal_admin_client, demo):
    deb = demo["debentures"][0]
    url = f"/admin/deals/debenture/{deb.pk}/change/"
    data = _form_data(deb, ["financing", "investor", "number", "principal", "dated_date", "issue_date", "closing_date",
                            "maturity_date", "interest_paid_through"])
    data["principal"] = "150000"
    page = deal_admin_client.post(url, data).content.decode()
    assert "Principal must be a multiple of $100,000" in page
    assert m.Debenture.objects.get(pk=deb.pk).principal == deb.principal


def test_business_date_is_changed_by_deal_admins_through_the_service(deal_admin_client, deal_admin, clerk, demo):
    from django.test import Client

    from deals.services.calendar import business_date

    clerk_client = Client()
    clerk_client.force_login(clerk)

    response = deal_admin_client.get("/admin/deals/businessdate/")
    assert response.status_code == 302 and response["Location"].endswith("/admin/deals/businessdate/1/change/")
    assert deal_admin_client.post("/admin/deals/businessdate/1/change/", {"business_date": "2000-04-03"}).status_code \
        == 302
    assert business_date().isoformat() == "2000-04-03"
    row = m.BusinessDate.objects.get()
    assert row.changed_by == deal_admin and row.history.latest().history_user == deal_admin
    assert clerk_client.post("/admin/deals/businessdate/1/change/", {"business_date": "2000-05-01"}).status_code == 403
    assert business_date().isoformat() == "2000-04-03"


def test_workflow_records_are_view_only(deal_admin_client, demo_with_records):
    conv = m.Conversion.objects.get()
    page = deal_admin_client.get(f"/admin/deals/conversion/{conv.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert deal_admin_client.post(f"/admin/deals/conversion/{conv.pk}/change/", {"amount": "1"}).status_code == 403
    assert deal_admin_client.get("/admin/deals/conversion/add/").status_code == 403
