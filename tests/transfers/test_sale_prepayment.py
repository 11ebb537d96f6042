"""Debenture 7: the Company's prepayment to a Holder who elected not to convert before a Sale --
principal + interest through the tender, less amounts required by law to be deducted; the right
of conversion terminates on the tender. Edges: the day before / on / after the window, the
Holder's written election, deductions, bad input, permissions."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from deals.models import Debenture, Obligation, ObligationKind, SalePrepayment, Settlement
from deals.services import transfers as svc
from deals.services.conversions import WorkflowError

from .conftest import on

D = datetime.date
RECEIVED = D(2000, 2, 1)  # window: 15 days after receipt -> through 2000-02-16; prepay from 02-17


@pytest.fixture
def sale(deal, deal_admin):
    on(D(2000, 2, 2))
    return svc.sale_event_record(
        financing=deal["deb_fin"], kind="merger", counterparty="Acquirer Inc.", description="", notice_date=D(2000, 1, 31),
        notice_received=RECEIVED, user=deal_admin,
    )  # fmt: skip


def _prepay(sale, deal, user, tender, **kw):
    return svc.sale_prepayment_record(sale=sale, debenture=deal["deb"], tender_date=tender, user=user, **kw)


def _nothing_written():
    return not SalePrepayment.objects.exists() and not Settlement.objects.exists() and not Obligation.objects.filter(
        kind=ObligationKind.SALE_PREPAYMENT).exists()


@pytest.mark.parametrize(("tender", "ok"), [(D(2000, 2, 16), False), (D(2000, 2, 17), True)])
def test_tender_on_the_last_day_of_the_window_is_refused_the_day_after_accepted(sale, deal, deal_admin, tender, ok):
    on(tender)
    if not ok:
        with pytest.raises(WorkflowError, match="only from 2000-02-17.*ends 2000-02-16.*Debenture 7") as e:
            _prepay(sale, deal, deal_admin, tender)
        assert e.value.code == "too_early" and _nothing_written()
        assert Debenture.objects.get(pk=deal["deb"].pk).principal_outstanding == Decimal("300000")
        return
    p = _prepay(sale, deal, deal_admin, tender, reference="Wire 77")
    # 6% on $300,000 from 1999-11-23 (the first business day after the Debenture's date) to 2000-02-17: 86 days
    assert (p.principal, p.interest, p.gross_amount, p.net_amount) == (
        Decimal("300000.00"), Decimal("4241.10"), Decimal("304241.10"), Decimal("304241.10"))
    assert p.snapshot["interest"]["days"] == 86
    row = Obligation.objects.get(kind=ObligationKind.SALE_PREPAYMENT)
    assert (row.status, row.amount, row.settled, row.clause, row.due_date) == ("paid", p.gross_amount, p.gross_amount, "Debenture 7",
                                                                               tender)
    assert row.settlements.get().reference == "Wire 77"
    deb = Debenture.objects.get(pk=deal["deb"].pk)
    assert (deb.status, deb.principal_outstanding, deb.interest_paid_through) == ("redeemed", Decimal("0"), tender)
    window = Obligation.objects.get(kind=ObligationKind.SALE_CONVERSION_WINDOW)
    assert window.status == "satisfied" and "right of conversion terminated" in window.description
    assert Obligation.objects.get(kind=ObligationKind.MATURITY).status == "satisfied"  # nothing outstanding
    assert deb.history.first().principal_outstanding == 0  # audited


def test_after_the_holders_written_election_the_company_may_tender_the_next_day(sale, deal, deal_admin):
    on(D(2000, 2, 6))
    with pytest.raises(WorkflowError, match="only from 2000-02-06"):
        _prepay(sale, deal, deal_admin, D(2000, 2, 5), holder_declined_on=D(2000, 2, 5))  # the election day itself
    p = _prepay(sale, deal, deal_admin, D(2000, 2, 6), holder_declined_on=D(2000, 2, 5))
    assert p.holder_declined_on == D(2000, 2, 5) and p.tender_date == D(2000, 2, 6)


def test_amounts_required_by_law_are_deducted_and_settled_as_a_set_off(sale, deal, deal_admin):
    on(D(2000, 2, 17))
    p = _prepay(sale, deal, deal_admin, D(2000, 2, 17), deducted=Decimal("1272.33"), deduction_basis="IRC 1441 withholding on interest",
                method="check")
    assert p.net_amount == Decimal("302968.77") and p.deducted == Decimal("1272.33")
    row = Obligation.objects.get(kind=ObligationKind.SALE_PREPAYMENT)
    entries = sorted(row.settlements.values_list("method", "amount"))
    assert entries == [("check", Decimal("302968.77")), ("set_off", Decimal("1272.33"))]
    assert row.status == "paid" and row.settled == row.amount == Decimal("304241.10")


@pytest.mark.parametrize(("kw", "match"), [
    ({"deducted": Decimal("10")}, "Name the law"),
    ({"deducted": Decimal("400000"), "deduction_basis": "x"}, "more than the prepayment of 304241.10"),
    ({"deducted": Decimal("0.005"), "deduction_basis": "x"}, "whole cents"),
    ({"deducted": Decimal("-1"), "deduction_basis": "x"}, r"\$0.00 or more"),
    ({"holder_declined_on": D(2000, 2, 18)}, "after the business date"),
])
def test_bad_deductions_and_dates_are_refused_nothing_written(sale, deal, deal_admin, kw, match):
    on(D(2000, 2, 17))
    with pytest.raises(WorkflowError, match=match):
        _prepay(sale, deal, deal_admin, D(2000, 2, 17), **kw)
    assert _nothing_written()


def test_tender_in_the_future_or_twice_is_refused(sale, deal, deal_admin):
    on(D(2000, 2, 17))
    with pytest.raises(WorkflowError, match="after the business date"):
        _prepay(sale, deal, deal_admin, D(2000, 2, 18))
    _prepay(sale, deal, deal_admin, D(2000, 2, 17))
    with pytest.raises(WorkflowError, match="already recorded"):
        _prepay(sale, deal, deal_admin, D(2000, 2, 17))


def test_a_clerk_cannot_record_a_prepayment(sale, deal, clerk):
    on(D(2000, 2, 17))
    with pytest.raises(PermissionDenied):
        _prepay(sale, deal, clerk, D(2000, 2, 17))
    assert _nothing_written()


def test_a_conversion_after_the_tender_is_refused_with_the_reason(sale, deal, deal_admin):
    from deals.services import conversions

    on(D(2000, 2, 17))
    _prepay(sale, deal, deal_admin, D(2000, 2, 17))
    with pytest.raises(WorkflowError, match="prepaid on 2000-02-17 .* right of conversion terminated \\(Debenture 7\\)"):
        conversions.conversion_submit(
            instrument=Debenture.objects.get(pk=deal["deb"].pk), amount=Decimal("1000"), conversion_date=D(2000, 2, 17),
            notice_method="facsimile", notice_received_date=D(2000, 2, 17), interest_election="cash", reference="r",
            idempotency_key="k", user=deal_admin,
        )  # fmt: skip


def test_the_prepayment_row_is_what_the_sweep_keeps(sale, deal, deal_admin):
    from deals.services.sweeps import sweep_run

    on(D(2000, 2, 17))
    _prepay(sale, deal, deal_admin, D(2000, 2, 17))
    row = Obligation.objects.get(kind=ObligationKind.SALE_PREPAYMENT)
    before = (row.status, row.amount, row.settled, row.description)
    sweep_run(as_of=D(2000, 2, 17))
    row.refresh_from_db()
    assert (row.status, row.amount, row.settled, row.description) == before


# --- the page (deal admins) --------------------------------------------------------------------------


def _post(client, sale, deal, **over):
    data = {"sale": sale.pk, "debenture": deal["deb"].pk, "tender_date": "2000-02-17", "deducted": "", "deduction_basis": "",
            "method": "wire", "reference": "Wire 9", "holder_declined_on": ""}
    data.update(over)
    return client.post(reverse("sale_prepay"), data)


def test_page_records_the_prepayment_and_the_index_shows_it(sale, deal, deal_admin_client):
    on(D(2000, 2, 17))
    page = deal_admin_client.get(reverse("sale_prepay") + f"?sale={sale.pk}")
    assert page.status_code == 200 and b"Debenture 7" in page.content
    resp = _post(deal_admin_client, sale, deal)
    assert resp.status_code == 302 and resp.url == reverse("transfers_index")
    index = deal_admin_client.get(resp.url).content.decode()
    assert "D-1 prepaid 2000-02-17: $304,241.10" in index
    assert Settlement.objects.get().reference == "Wire 9"


def test_page_refuses_a_tender_inside_the_window_with_the_dates(sale, deal, deal_admin_client):
    on(D(2000, 2, 16))
    resp = _post(deal_admin_client, sale, deal, tender_date="2000-02-16")
    assert resp.status_code == 400
    body = resp.content.decode()
    assert "2000-02-17" in body and "2000-02-16" in body and "Debenture 7" in body and "Nothing was recorded" in body
    assert _nothing_written()


def test_clerks_see_sales_but_cannot_prepay(sale, deal, clerk_client):
    on(D(2000, 2, 17))
    assert b"Record prepayment" not in clerk_client.get(reverse("transfers_index")).content
    assert clerk_client.get(reverse("sale_prepay")).status_code == 403
    assert _post(clerk_client, sale, deal).status_code == 403
    assert _nothing_written()


@pytest.mark.parametrize(("day", "status"), [(D(2000, 2, 15), "open"), (D(2000, 2, 16), "open"), (D(2000, 2, 17), "satisfied")])
def test_the_window_row_passes_after_its_last_day(sale, deal, day, status):
    """Debenture 7: the holder may convert through 2000-02-16; the sweep closes the row the day after."""
    from deals.services.sweeps import sweep_run

    on(day)
    sweep_run(as_of=day)
    row = Obligation.objects.get(kind=ObligationKind.SALE_CONVERSION_WINDOW)
    assert row.status == status and row.due_date == D(2000, 2, 16)
    assert row.satisfied_date == (D(2000, 2, 16) if status == "satisfied" else None)
