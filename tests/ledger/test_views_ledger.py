"""The books' pages: obligation page and its forms, amount-due JSON, Aging (+ CSV), statement
of account (+ PDF through notices). Permissions: anonymous, clerk, deal admin."""

import datetime
from decimal import Decimal

from django.urls import reverse

from deals.models import AccountStatement, Obligation, ObligationKind, ObligationStatus, Settlement
from deals.views.ledger import csv_cell
from tests.ledger.conftest import DELIVERED

D = Decimal


def _pay_data(**kw):
    data = {"action": "pay", "pay-date": DELIVERED.isoformat(), "pay-amount": "150.00", "pay-method": "wire",
            "pay-reference": "FW 77"}
    data.update(kw)
    return data


def test_anonymous_is_sent_to_login(client, late_payment):
    for url in (reverse("obligation_detail", args=[late_payment.pk]), reverse("aging"),
                reverse("investor_statement", args=[late_payment.investor_id])):
        r = client.get(url)
        assert r.status_code == 302 and "login" in r["Location"]
    r = client.post(reverse("obligation_settle", args=[late_payment.pk]), _pay_data())
    assert r.status_code == 302 and Settlement.objects.count() == 0


def test_clerk_reads_the_books_but_cannot_settle(clerk_client, late_payment):
    r = clerk_client.get(reverse("obligation_detail", args=[late_payment.pk]))
    assert r.status_code == 200
    assert b"Record payment" not in r.content and b"$200.00" in r.content
    r = clerk_client.post(reverse("obligation_settle", args=[late_payment.pk]), _pay_data())
    assert r.status_code == 403 and Settlement.objects.count() == 0


def test_deal_admin_records_part_payment_then_sees_the_balance(deal_admin_client, late_payment):
    url = reverse("obligation_detail", args=[late_payment.pk])
    assert b"Record payment" in deal_admin_client.get(url).content
    r = deal_admin_client.post(reverse("obligation_settle", args=[late_payment.pk]), _pay_data())
    assert r.status_code == 302
    late_payment.refresh_from_db()
    assert late_payment.status == ObligationStatus.PART_PAID
    page = deal_admin_client.get(url).content.decode()
    assert "FW 77" in page and "$50.00" in page


def test_over_balance_re_renders_with_both_numbers_and_writes_nothing(deal_admin_client, late_payment):
    r = deal_admin_client.post(reverse("obligation_settle", args=[late_payment.pk]), _pay_data(**{"pay-amount": "250"}))
    assert r.status_code == 400
    assert "$250.00" in r.content.decode() and "$200.00" in r.content.decode()
    assert Settlement.objects.count() == 0


def test_waiver_through_the_page(deal_admin_client, late_payment):
    r = deal_admin_client.post(reverse("obligation_settle", args=[late_payment.pk]), {
        "action": "waive", "waive-date": DELIVERED.isoformat(), "waive-amount": "200", "waive-waived_by": "Holder",
        "waive-instrument": "Letter 2000-06-13"})
    assert r.status_code == 302
    late_payment.refresh_from_db()
    # issue 12: a waiver waits for a second deal admin; it applies on approval
    assert late_payment.status == ObligationStatus.OPEN and not Settlement.objects.exists()
    from deals.models import Approval
    from deals.services.approvals import approval_approve

    approval = Approval.objects.get(kind="waiver", obligation=late_payment)
    page = deal_admin_client.get(reverse("obligation_detail", args=[late_payment.pk]))
    assert f"approval #{approval.pk}" in page.content.decode()
    from django.contrib.auth.models import Group, User

    other = User.objects.create_user("checker2", password="x", is_staff=True)
    other.groups.add(Group.objects.get(name="Deal admin"))
    approval_approve(approval=approval, checker=other)
    late_payment.refresh_from_db()
    assert late_payment.status == ObligationStatus.WAIVED


def test_reverse_through_the_page(deal_admin_client, late_payment):
    deal_admin_client.post(reverse("obligation_settle", args=[late_payment.pk]), _pay_data(**{"pay-amount": "200"}))
    entry = Settlement.objects.get()
    r = deal_admin_client.post(reverse("settlement_reverse", args=[late_payment.pk, entry.pk]),
                               {"rev-date": DELIVERED.isoformat(), "rev-reason": "wire returned"})
    assert r.status_code == 302
    late_payment.refresh_from_db()
    assert late_payment.status == ObligationStatus.OPEN


def test_amount_due_json_for_a_date(clerk_client, late_payment):
    url = reverse("obligation_amount_due", args=[late_payment.pk])
    r = clerk_client.get(url, {"date": "2000-06-13"})
    assert r.status_code == 200 and r.json()["amount"] == "200.00" and r.json()["balance"] == "200.00"
    assert clerk_client.get(url, {"date": "junk"}).status_code == 400


def test_aging_buckets_and_totals(clerk_client, late_payment):
    from deals.models import BusinessDate

    # due 2000-06-13; on 2000-06-27 it is 10 business days overdue (1-10), on 06-28 eleven (11-30)
    BusinessDate.objects.filter(pk=1).update(business_date=datetime.date(2000, 6, 27))
    r = clerk_client.get(reverse("aging"), {"kind": "late_payment"})
    summary = r.context["summary"]
    assert summary["totals"]["b1_10_amt"] == D("200.00") and summary["totals"]["total_amt"] == D("200.00")
    BusinessDate.objects.filter(pk=1).update(business_date=datetime.date(2000, 6, 28))
    summary = clerk_client.get(reverse("aging"), {"kind": "late_payment"}).context["summary"]
    assert summary["totals"]["b11_30_amt"] == D("200.00") and summary["totals"]["b1_10_amt"] == 0


def test_aging_current_on_the_due_date(clerk_client, late_payment):
    summary = clerk_client.get(reverse("aging"), {"kind": "late_payment"}).context["summary"]
    assert summary["totals"]["current_amt"] == D("200.00")


def test_aging_csv_neutralises_formulas(clerk_client, late_payment):
    Obligation.objects.filter(pk=late_payment.pk).update(description="=HYPERLINK(\"http://x\")")
    r = clerk_client.get(reverse("aging"), {"format": "csv"})
    body = b"".join(r.streaming_content if r.streaming else [r.content]).decode()
    assert r["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK" in body and "200.00" in body
    assert csv_cell("-1") == "'-1" and csv_cell("abc") == "abc"


def test_aging_and_statement_query_counts_do_not_grow_with_the_ledger(clerk_client, late_payment):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from deals.services.ledger.writer import Row, ledger_put
    from tests import factories as f

    urls = [reverse("aging"), reverse("investor_statement", args=[late_payment.investor_id])]

    def counts():
        out = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert clerk_client.get(url).status_code == 200
            out.append(len(ctx.captured_queries))
        return out

    counts()  # the first request of a session also saves the session
    before = counts()
    investors = [f.InvestorFactory() for _ in range(4)]
    for i in range(12):  # 12 more amounts owed, to 4 more investors and the first one
        inv = investors[i % 4]
        ledger_put(source=inv, rows=[Row(ObligationKind.BUY_IN, "SPA 5(d)", inv.pk, datetime.date(2000, 6, 1), period_key=str(i),
                                         investor_id=(inv if i % 2 else late_payment.investor).pk, amount=D("10.00"))])
    assert counts() == before


def test_statement_pdf_is_requested_and_rendered(clerk_client, late_payment, deal_admin, django_capture_on_commit_callbacks):
    from deals.services.ledger.settlements import settlement_record

    settlement_record(obligation_id=late_payment.pk, kind="payment", date=DELIVERED, amount="50", method="check",
                      reference="Chk 12", by=deal_admin)
    url = reverse("investor_statement", args=[late_payment.investor_id])
    page = clerk_client.get(url)
    # $150.00 left of the SPA 5(c) late payment + $228.49 of dividends the holder took in cash on conversion
    # + the RRA 2(b) Periodic Amount for 2000-04-14..05-13 (2% of the $400,000 Purchase Price: no statement
    # effective by 2000-04-13), written by the conversion's registration refresh (no sweep needed)
    assert page.context["data"]["totals"]["balance"] == D("150.00") + D("228.49") + D("8000.00")
    with django_capture_on_commit_callbacks(execute=True):
        r = clerk_client.post(url, {"as_of": DELIVERED.isoformat()})
    assert r.status_code == 302
    stmt = AccountStatement.objects.get()
    assert stmt.balance == D("8378.49") and stmt.total_settled == D("50.00")
    from notices.models import Notice

    notice = Notice.objects.get(kind="account_statement")
    assert notice.status == "ready"
    dl = clerk_client.get(reverse("notices:download", args=[notice.pk]))
    assert dl.status_code == 200
    pdf = b"".join(dl.streaming_content) if dl.streaming else dl.content
    assert pdf.startswith(b"%PDF")


def test_statement_in_the_future_is_refused(clerk_client, late_payment):
    url = reverse("investor_statement", args=[late_payment.investor_id])
    r = clerk_client.post(url, {"as_of": "2000-07-01"})
    assert r.status_code == 400 and AccountStatement.objects.count() == 0


def test_aging_pages_investors_and_counts_rows_without_a_second_count(clerk_client, db):
    """Issue 17: the row pager's count is the summary's (no COUNT over the ledger); the by-investor
    table is paged (25 a page) while its totals cover every investor; bucket filters count right."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from deals.models import BusinessDate
    from deals.services.ledger.writer import Row, ledger_put
    from tests import factories as f

    BusinessDate.objects.update_or_create(pk=1, defaults={"business_date": datetime.date(2000, 6, 30)})
    investors = [f.InvestorFactory(legal_name=f"Aging Fund {i:02d}") for i in range(27)]
    for i, inv in enumerate(investors):
        due = datetime.date(2000, 6, 1) if i % 3 else datetime.date(2000, 7, 10)  # 18 overdue (11-30), 9 current
        ledger_put(source=inv, rows=[Row(ObligationKind.BUY_IN, "SPA 5(d)", inv.pk, due, investor_id=inv.pk,
                                         amount=D("100.00"), description="Buy-In Adjustment Amount")], as_of=due)
    with CaptureQueriesContext(connection) as ctx:
        r = clerk_client.get(reverse("aging"))
    assert not [q for q in ctx.captured_queries if 'COUNT(*) AS "__count"' in q["sql"] and "deals_obligation" in q["sql"]]
    assert r.context["page"].paginator.count == 27 and len(r.context["page"].object_list) == 27
    assert len(r.context["investors_page"].object_list) == 25
    assert r.context["summary"]["totals"]["total_amt"] == D("2700.00")
    html = r.content.decode()
    assert "Investors 1–25 of 27" in html and 'data-testid="aging-investor-pages"' in html
    r = clerk_client.get(reverse("aging"), {"ipage": "2"})
    assert [x["investor__legal_name"] for x in r.context["investors_page"].object_list] == ["Aging Fund 25", "Aging Fund 26"]
    r = clerk_client.get(reverse("aging"), {"bucket": "b11_30"})
    assert r.context["page"].paginator.count == 18 == len(r.context["page"].object_list)
    r = clerk_client.get(reverse("aging"), {"bucket": "current", "ipage": "99"})
    assert r.context["page"].paginator.count == 9 and r.status_code == 200
