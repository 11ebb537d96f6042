"""The approvals pages (issue 12): deal admins only, clerks 403; list with empty state and pagination;
the item shows what it changes (terms diff); approve / reject forms; the nav badge counts pending items
with one query; the API's large payment answers 202 with the approval id."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from deals.models import Approval, DealTermsVersion
from deals.services.approvals import terms_version_request

from .conftest import EFFECTIVE, terms_values

D = Decimal


def _request(series_j, maker, days=7):
    return terms_version_request(financing=series_j.financing, effective_from=EFFECTIVE, reason="fax check",
                                 maker=maker, values=terms_values(series_j.financing, fax_date_max_business_days=days))


def test_clerk_gets_403_everywhere(clerk_client, series_j, deal_admin):
    a = _request(series_j, deal_admin)
    for url in (reverse("approval_list"), reverse("approval_detail", args=[a.pk])):
        assert clerk_client.get(url).status_code == 403
    for url in (reverse("approval_approve", args=[a.pk]), reverse("approval_reject", args=[a.pk])):
        assert clerk_client.post(url, {"confirm": "on", "reason": "x"}).status_code == 403
    assert Approval.objects.get().status == "pending"
    assert "nav-approvals" not in clerk_client.get(reverse("dashboard")).content.decode()


def test_empty_state(deal_admin_client):
    page = deal_admin_client.get(reverse("approval_list")).content.decode()
    assert 'data-testid="approvals-empty"' in page and "Nothing waits for approval" in page
    assert 'data-testid="approvals-badge"' not in page


def test_list_paginates_and_badge_counts(deal_admin_client, series_j, checker):
    for n in range(27):
        _request(series_j, checker, days=10 + n)
    page = deal_admin_client.get(reverse("approval_list")).content.decode()
    assert "Page 1 of 2 (27 in all)" in page
    assert 'data-testid="approvals-badge"' in page and ">27</span>" in page
    assert "Page 2 of 2" in deal_admin_client.get(reverse("approval_list") + "?status=pending&page=2").content.decode()


def test_badge_is_one_count_query(deal_admin, series_j, checker):
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from nhtc.context_processors import app_context

    _request(series_j, checker)
    request = RequestFactory().get("/")
    request.user = deal_admin
    ctx = app_context(request)
    with CaptureQueriesContext(connection) as q:
        assert ctx["pending_approvals"]() == 1
    assert len(q.captured_queries) == 1 and "COUNT" in q.captured_queries[0]["sql"].upper()


def test_item_page_shows_the_terms_diff_and_maker_cannot_decide(client, deal_admin, series_j, checker):
    a = _request(series_j, deal_admin)
    client.force_login(deal_admin)
    page = client.get(reverse("approval_detail", args=[a.pk])).content.decode()
    assert 'data-testid="terms-diff"' in page and "Fax date max business days" in page
    assert 'data-testid="own-request"' in page and 'data-testid="approve-form"' not in page
    r = client.post(reverse("approval_approve", args=[a.pk]), {"confirm": "on"})
    assert r.status_code == 400 and "a different deal admin must approve" in r.content.decode()
    assert not DealTermsVersion.objects.filter(version=2).exists()


def test_second_admin_approves_through_the_page(client, deal_admin, series_j, checker):
    a = _request(series_j, deal_admin)
    client.force_login(checker)
    page = client.get(reverse("approval_detail", args=[a.pk])).content.decode()
    assert 'data-testid="approve-form"' in page and 'data-testid="reject-form"' in page
    assert client.post(reverse("approval_approve", args=[a.pk]), {}).status_code == 400  # the box must be ticked
    r = client.post(reverse("approval_approve", args=[a.pk]), {"confirm": "on"})
    assert r.status_code == 302
    assert DealTermsVersion.objects.get(financing=series_j.financing, version=2).fax_date_max_business_days == 7
    r = client.post(reverse("approval_approve", args=[a.pk]), {"confirm": "on"})
    assert r.status_code == 400 and "already approved and applied" in r.content.decode()
    assert DealTermsVersion.objects.filter(financing=series_j.financing).count() == 2


def test_reject_through_the_page_needs_a_reason(client, deal_admin, series_j, checker):
    a = _request(series_j, deal_admin)
    client.force_login(checker)
    assert client.post(reverse("approval_reject", args=[a.pk]), {"reason": "  "}).status_code == 400
    r = client.post(reverse("approval_reject", args=[a.pk]), {"reason": "not agreed with the holders"})
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.status == "rejected" and a.decision_reason == "not agreed with the holders"
    page = client.get(reverse("approval_detail", args=[a.pk])).content.decode()
    assert "not agreed with the holders" in page and "rejected by checker" in page


@pytest.mark.parametrize("amount, code", [("100.00", 201), ("100.01", 202)])
def test_api_payment_above_threshold_is_202_with_the_approval(world, deal_admin, settings, amount, code):
    from deals.models import Obligation, ObligationKind, Settlement
    from tests.api.conftest import key, token_client

    settings.APPROVAL_PAYMENT_THRESHOLD = "100"
    api = token_client(deal_admin)
    body = {"debenture": world.debenture.pk, "notice_date": "2000-06-01", "received_date": "2000-06-02"}
    assert api.post("/api/redemptions/", body, format="json", **key()).status_code == 201
    ob = Obligation.objects.get(kind=ObligationKind.REDEMPTION_PAYMENT)
    pay = {"kind": "payment", "date": "2000-06-01", "amount": amount, "method": "wire", "reference": "W1"}
    r = api.post(f"/api/obligations/{ob.pk}/settlements/", pay, format="json", **key())
    assert r.status_code == code, r.content
    if code == 202:
        approval = Approval.objects.get()
        assert r.json()["approval_id"] == approval.pk and approval.kind == "settlement"
        assert not Settlement.objects.exists()
    else:
        assert Settlement.objects.count() == 1 and not Approval.objects.exists()


@pytest.fixture
def world(db):
    from tests.services.test_conversions import make_world

    return make_world(end=datetime.date(2000, 6, 30))


def test_list_query_count_does_not_grow_with_rows(deal_admin_client, series_j, checker):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (2, 20):
        while Approval.objects.count() < n:
            _request(series_j, checker, days=10 + Approval.objects.count())
        with CaptureQueriesContext(connection) as q:
            assert deal_admin_client.get(reverse("approval_list")).status_code == 200
        counts.append(len(q.captured_queries))
    assert counts[0] == counts[1], counts


def test_waiver_and_price_correction_pages_say_what_they_change(client, deal_admin, checker, settings):
    from deals.services.approvals import price_import_submit, settlement_submit
    from tests.ledger.conftest import DELIVERED
    from tests.services.test_conversions import make_world, set_business_date, submit

    w = make_world(end=datetime.date(2000, 7, 31))
    conv = submit(w.preferred, "10000", deal_admin)
    from deals.models import Obligation
    from deals.services import conversions as svc

    set_business_date(DELIVERED)
    svc.delivery_record(conversion=conv, delivered_date=DELIVERED, reference="DWAC 9", user=deal_admin)
    ob = Obligation.objects.get(kind="late_payment")
    waiver = settlement_submit(obligation_id=ob.pk, kind="waiver", date=DELIVERED, amount="200", waived_by="Holder A",
                               instrument="Letter 2000-06-13", by=deal_admin)
    _result, fix = price_import_submit(file_name="fix.csv", user=deal_admin, replace=True,
                                       content="date,closing_bid,closing_price,source\n2000-05-31,1.1000,,fix\n")
    client.force_login(checker)
    page = client.get(reverse("approval_detail", args=[waiver.pk])).content.decode()
    assert "waiver of <strong>$200.00</strong>" in page and "Holder A (Letter 2000-06-13)" in page and "SPA 5(c)" in page
    page = client.get(reverse("approval_detail", args=[fix.pk])).content.decode()
    assert "2000-05-31" in page and f"#{conv.pk}" in page
    obligation_page = client.get(reverse("obligation_detail", args=[ob.pk])).content.decode()
    assert f"approval #{waiver.pk}" in obligation_page


def test_api_lists_and_decides_approvals(series_j, deal_admin, checker):
    from tests.api.conftest import key, token_client

    a = _request(series_j, deal_admin)
    maker_api, checker_api = token_client(deal_admin), token_client(checker)
    listed = checker_api.get("/api/approvals/?status=pending").json()["results"]
    assert [x["id"] for x in listed] == [a.pk] and listed[0]["maker"] == "dealadmin"
    assert checker_api.get("/api/approvals/?status=bogus").status_code == 400
    r = maker_api.post(f"/api/approvals/{a.pk}/approve/", {}, format="json", **key())
    assert r.status_code == 400 and r.json()["code"] == "own_request"
    r = checker_api.post(f"/api/approvals/{a.pk}/reject/", {"reason": ""}, format="json", **key())
    assert r.status_code == 400 and r.json()["field"] == "reason"
    r = checker_api.post(f"/api/approvals/{a.pk}/approve/", {}, format="json", **key())
    assert r.status_code == 200 and r.json()["status"] == "approved" and r.json()["checker"] == "checker"
    assert DealTermsVersion.objects.filter(financing=series_j.financing, version=2).exists()
    r = checker_api.post(f"/api/approvals/{a.pk}/reject/", {"reason": "late"}, format="json", **key())
    assert r.status_code == 400 and r.json()["code"] == "already_decided"
    assert checker_api.get(f"/api/approvals/{a.pk}/").json()["result_id"] is not None
