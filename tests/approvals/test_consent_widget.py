"""The terms admin's "Holders who signed" (RRA 10 / SPA 9(i)) is chosen by name through the admin's
autocomplete (issue 17): the page does not list every investor, and a chosen holder still counts."""

from django.core.files.uploadedfile import SimpleUploadedFile

from deals.models import Approval, Investor
from tests.approvals.test_terms_admin import _data, _errors


def _others(n):
    return Investor.objects.bulk_create(
        [Investor(legal_name=f"Fictional Bystander {i:04d} (test)", notice_address="x") for i in range(n)]
    )


def _add_page(client, financing):
    return client.get(f"/admin/deals/dealtermsversion/add/?financing={financing.pk}").content.decode()


def test_the_add_page_lists_no_investor_however_many_there_are(deal_admin_client, series_j):
    _others(200)
    page = _add_page(deal_admin_client, series_j.financing)
    assert 'name="consenting_investors"' in page and "admin-autocomplete" in page
    assert "Fictional Bystander" not in page
    assert not any(inv.legal_name in page for inv in series_j.investors)  # holders too: found by typing


def test_the_autocomplete_finds_a_holder_by_part_of_its_name(deal_admin_client, series_j):
    _others(30)
    holder = series_j.investors[1]
    r = deal_admin_client.get("/admin/autocomplete/", {"app_label": "deals", "model_name": "approvalconsent",
                                                        "field_name": "investor", "term": holder.legal_name[2:12]})
    assert r.status_code == 200
    assert {"id": str(holder.pk), "text": str(holder)} in r.json()["results"]


def test_chosen_holders_are_shown_again_and_still_counted(deal_admin_client, series_j):
    _others(50)
    v1 = series_j.financing.terms_versions.get()
    few = [series_j.investors[0].pk]
    r = deal_admin_client.post(f"/admin/deals/dealtermsversion/add/?financing={v1.financing_id}", _data(
        v1, preferred_fixed_price="1.2500", instrument=SimpleUploadedFile("a.pdf", b"x"), instrument_date="2000-06-30",
        company_consents="on", consenting_investors=few))
    assert "50.00% of the liquidation preference; 67% is required" in str(_errors(r)["consenting_investors"])
    page = r.content.decode()
    # the re-shown form keeps the one chosen holder selected, and offers no other investor
    assert f'value="{few[0]}" selected' in page and "Fictional Bystander" not in page
    assert series_j.investors[1].legal_name not in page
    r = deal_admin_client.post(f"/admin/deals/dealtermsversion/add/?financing={v1.financing_id}", _data(
        v1, preferred_fixed_price="1.2500", instrument=SimpleUploadedFile("a.pdf", b"x"), instrument_date="2000-06-30",
        company_consents="on", consenting_investors=[i.pk for i in series_j.investors[:2]]))
    assert r.status_code == 302 and Approval.objects.count() == 1
