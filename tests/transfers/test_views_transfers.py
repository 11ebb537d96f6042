"""Transfer pages: clerks read and instruct share delivery; deal admins record transfers."""

import datetime

from django.urls import reverse

from deals.models import LegendRemoval, Transfer, TransferAgentInstruction

from .conftest import on


def test_index_shows_restricted_periods(deal, clerk_client):
    on(datetime.date(2000, 6, 1))
    page = clerk_client.get(reverse("transfers_index"))
    assert page.status_code == 200
    assert b"Restricted until 2001-01-20" in page.content
    assert b"Record a transfer" not in page.content


def test_clerk_cannot_record_a_transfer(deal, clerk_client):
    assert clerk_client.get(reverse("transfer_new")).status_code == 403
    assert clerk_client.post(reverse("legend_new"), {}).status_code == 403


def test_transfer_to_us_person_inside_reg_s_refused_on_the_page(deal, deal_admin_client):
    on(datetime.date(2000, 6, 1))
    data = {
        "source": deal["holding"].certificate_number, "transferee": deal["us"].pk, "amount": "100000", "transfer_date": "2000-06-01",
        "notice_to_company_date": "2000-06-01", "assignee_accredited": "on", "counsel_opinion": "Smith LLP",
    }  # fmt: skip
    resp = deal_admin_client.post(reverse("transfer_new"), data)
    assert resp.status_code == 400 and b"2001-01-20" in resp.content and b"SPA 2(b)(iv)" in resp.content
    assert not Transfer.objects.exists()
    data.update(transferee=deal["off"].pk, assignee_non_us="on")
    resp = deal_admin_client.post(reverse("transfer_new"), data)
    t = Transfer.objects.get()
    assert resp.status_code == 302 and resp.url == reverse("transfer_detail", args=[t.pk])
    assert b"J-2" in deal_admin_client.get(resp.url).content


def test_exchange_bad_denominations_refused(deal, deal_admin_client):
    on(datetime.date(2000, 6, 1))
    resp = deal_admin_client.post(
        reverse("exchange_new"), {"debenture": deal["deb"].pk, "denominations": "150000, 150000", "exchange_date": "2000-06-01"}
    )
    assert resp.status_code == 400 and b"Debenture 1" in resp.content and not Transfer.objects.exists()


def test_register_page_and_record_date(deal, clerk_client):
    on(datetime.date(2000, 6, 1))
    page = clerk_client.get(reverse("debenture_register"), {"financing": deal["deb_fin"].pk, "on": "2000-06-01"})
    assert page.status_code == 200 and b"D-1" in page.content and b"2001-03-21" in page.content


def test_legend_removal_page_flow(deal, deal_admin_client):
    on(datetime.date(2001, 2, 1))
    resp = deal_admin_client.post(reverse("legend_new"), {
        "financing": deal["fin"].pk, "investor": deal["a"].pk, "security": "common", "certificate": "C-9", "quantity": "1000",
        "basis": "rule_144k", "counsel": "Smith LLP", "opinion_date": "2001-02-01", "opinion_received": "2001-02-01",
    })  # fmt: skip
    r = LegendRemoval.objects.get()
    assert resp.status_code == 302
    page = deal_admin_client.get(reverse("legend_detail", args=[r.pk]))
    assert b"2001-02-06" in page.content
    resp = deal_admin_client.post(reverse("legend_instructed", args=[r.pk]), {"instructed_on": "2001-02-01"})
    r.refresh_from_db()
    assert r.status == "instructed"


def test_clerk_prepares_share_delivery_instruction(deal, clerk_client):
    from decimal import Decimal

    from tests.company.conftest import make_conversion

    conv = make_conversion(deal["holding"], datetime.date(2000, 5, 1), Decimal("100000"), 80_000, status="pending_delivery")
    on(datetime.date(2000, 5, 2))
    url = reverse("ta_new") + f"?conversion={conv.pk}"
    assert clerk_client.get(url).status_code == 200
    resp = clerk_client.post(
        url, {"registered_name": "Alpha Fund Ltd.", "instruction_date": "2000-05-02", "dwac": "on", "fast_participant": "on"}
    )
    assert resp.status_code == 400 and b"SPA 5(e)" in resp.content and not TransferAgentInstruction.objects.exists()
    resp = clerk_client.post(url, {"registered_name": "Alpha Fund Ltd.", "instruction_date": "2000-05-02", "fast_participant": "on"})
    assert resp.status_code == 302


def test_index_query_count_does_not_grow_with_transfers(deal, deal_admin, clerk_client):
    from decimal import Decimal

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from deals.services import transfers as svc

    on(datetime.date(2000, 6, 1))

    def one():
        svc.transfer_submit(
            source=deal["holding"], transferee=deal["off"], transfer_date=datetime.date(2000, 6, 1),
            notice_to_company_date=datetime.date(2000, 6, 1), amount=Decimal("1000"), assignee_non_us=True,
            assignee_accredited=False, counsel_opinion="Smith LLP", rights_requested=False, written_assignment=False,
            transferee_bound=False, user=deal_admin,
        )  # fmt: skip

    one()
    clerk_client.get(reverse("transfers_index"))  # warm-up: first-request session/lockout bookkeeping
    with CaptureQueriesContext(connection) as few:
        assert clerk_client.get(reverse("transfers_index")).status_code == 200
    for _ in range(4):
        one()
    with CaptureQueriesContext(connection) as many:
        assert clerk_client.get(reverse("transfers_index")).status_code == 200
    assert len(many) == len(few), [q["sql"][:80] for q in many.captured_queries]
