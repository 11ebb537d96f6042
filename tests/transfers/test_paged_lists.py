"""Issue 17 (session 2): the restrictions card on /transfers/ and the Debenture register page are paged.
A page holds the same lines as the full lists (Reg S restricted period SPA 2(b)(iv), legend SPA 4(b);
holders of record and the maturity record date, Debenture face), in the same order, and the page's
query count does not grow with the number of instruments."""

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deals.pagination import ListPaginator
from deals.selectors.closing import RegisterLines, RestrictionLines, holders_of_record, restrictions
from deals.services import transfers as svc
from tests import factories as fx

from .conftest import on

D = datetime.date


def _debentures(deal, first, last):
    for i in range(first, last + 1):
        fx.DebentureFactory(
            financing=deal["deb_fin"], investor=deal["a"], number=f"D-{i}", principal=Decimal("100000"), issue_date=D(1999, 11, 22),
            closing_date=D(1999, 11, 22), maturity_date=D(2001, 3, 31),
        )  # fmt: skip


def _transfer_d1(deal, user):
    return svc.transfer_submit(
        source=deal["deb"], transferee=deal["off"], transfer_date=D(2000, 6, 1), notice_to_company_date=D(2000, 6, 1),
        amount=Decimal("100000"), assignee_non_us=True, assignee_accredited=False, counsel_opinion="Opinion of Smith LLP",
        rights_requested=True, written_assignment=True, transferee_bound=True, user=user,
    )  # fmt: skip


def _key(r):
    return (r.kind, type(r.instrument).__name__, r.instrument.pk, r.period, r.inside, r.legend)


def test_restriction_pages_are_the_full_list_in_order(deal):
    day = on(D(2000, 6, 1))
    _debentures(deal, 2, 30)  # 1 certificate + 1 warrant + 30 debentures = 32 lines: pages of 25 and 7
    full = restrictions(day)
    pages = ListPaginator(RestrictionLines(day), 25)
    assert pages.count == 32 and pages.num_pages == 2
    one, two = pages.get_page(1), pages.get_page(2)
    assert len(one.object_list) == 25 and len(two.object_list) == 7 and not two.has_next()
    assert [_key(r) for r in [*one.object_list, *two.object_list]] == [_key(r) for r in full]
    # the Reg S facts: J-1 and W-1 restricted until 2001-01-20 (Closing 2000-01-21 + 1 year), debentures carry their face legend
    first = one.object_list[0]
    assert (first.kind, first.inside, first.period.ends, first.legend) == ("Series J", True, D(2001, 1, 20), "SPA 4(b)")
    assert [r.instrument.number for r in two.object_list][-2:] == ["D-29", "D-30"]  # natural order: D-9 before D-10
    assert {r.legend for r in two.object_list} == {"Debenture face"}
    # the day after the restricted period ends the certificate is not restricted
    assert not ListPaginator(RestrictionLines(D(2001, 1, 21)), 25).get_page(1).object_list[0].inside
    assert ListPaginator(RestrictionLines(D(2001, 1, 20)), 25).get_page(1).object_list[0].inside


def test_transfers_index_pages_restrictions_with_flat_query_count(deal, clerk_client):
    on(D(2000, 6, 1))
    _debentures(deal, 2, 30)
    url = reverse("transfers_index")
    with CaptureQueriesContext(connection) as small:
        page = clerk_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "Restricted until 2001-01-20" in html and "D-23" in html and "D-24" not in html
    assert "Page 1 of 2 (32 in all)" in html and "rpage=2" in html
    html = clerk_client.get(url, {"rpage": "2"}).content.decode()
    assert "D-24" in html and "D-30" in html and "Restricted until" not in html
    html = clerk_client.get(url, {"rpage": "99"}).content.decode()
    assert clerk_client.get(url, {"rpage": "99"}).status_code == 200 and "go to the last page" in html
    assert clerk_client.get(url, {"rpage": "x"}).status_code == 200
    _debentures(deal, 31, 90)
    with CaptureQueriesContext(connection) as big:
        assert clerk_client.get(url).status_code == 200
    assert len(big) == len(small)


def test_register_pages_are_the_holders_of_record_in_order(deal, deal_admin):
    on(D(2000, 6, 1))
    _debentures(deal, 2, 30)
    _transfer_d1(deal, deal_admin)  # D-1 $200,000 stays with Alpha, D-31 $100,000 to Gamma (register entries)
    for day in (D(2000, 5, 31), D(2000, 6, 1)):  # the day before and the day of the transfer
        full = [(ln.number, ln.holder.pk, ln.principal, ln.registered_on, ln.reason) for ln in holders_of_record(deal["deb_fin"], day)]
        pages = ListPaginator(RegisterLines(deal["deb_fin"], day), 25)
        got = [(ln.number, ln.holder.pk, ln.principal, ln.registered_on, ln.reason)
               for n in range(1, pages.num_pages + 1) for ln in pages.get_page(n).object_list]  # fmt: skip
        assert got == full and pages.count == len(full)
    assert len(full) == 31 and full[0][:3] == ("D-1", deal["a"].pk, Decimal("200000.00"))
    assert full[-1][:3] == ("D-31", deal["off"].pk, Decimal("100000.00"))


def test_register_page_pages_lines_and_record_holders(deal, clerk_client):
    on(D(2000, 6, 1))
    _debentures(deal, 2, 30)
    url = reverse("debenture_register")
    q = {"financing": deal["deb_fin"].pk, "on": "2000-06-01"}
    with CaptureQueriesContext(connection) as small:
        html = clerk_client.get(url, q).content.decode()
    assert "D-25</td>" in html and "D-26</td>" not in html and "Page 1 of 2 (30 in all)" in html
    assert f"financing={deal['deb_fin'].pk}&amp;on=2000-06-01&amp;page=2" in html
    # the record date (tenth day before the Maturity Date 2001-03-31, Debenture face) and its holders, paged too
    assert "2001-03-21" in html and "rpage=2" in html
    html = clerk_client.get(url, {**q, "page": "2"}).content.decode()
    assert "D-26</td>" in html and "D-30</td>" in html
    html = clerk_client.get(url, {**q, "page": "9"}).content.decode()
    assert "go to the last page" in html
    _debentures(deal, 31, 90)
    with CaptureQueriesContext(connection) as big:
        assert clerk_client.get(url, q).status_code == 200
    assert len(big) == len(small)
    # the financing's default page (no query string) and a bad date
    assert clerk_client.get(url).status_code == 200
    assert clerk_client.get(url, {"financing": deal["deb_fin"].pk, "on": "nonsense"}).status_code == 400
