"""Lists at any size (issue 17): every list page's query count is the same at 10 and at 1,000
rows, for a clerk and for a deal admin; counts that don't scan; a page past the end; investor
counts; instrument choice by search (endpoint, form field, form size at 10,000 instruments)."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals import models as m
from deals.forms.conversions import ConversionForm
from deals.pagination import ListPaginator
from deals.selectors.instruments import instrument_resolve
from deals.selectors.investors import with_counts
from notices.models import Notice
from tests.factories import DealTermsVersionFactory, FinancingFactory, SeriesJFinancingFactory
from tests.services.test_conversions import set_business_date

pytestmark = pytest.mark.django_db
DAY = datetime.date(2000, 3, 7)


class Book:
    """A deal grown a batch at a time: each ``grow(n)`` adds n investors, each with a debenture,
    a Series J holding and a warrant, and n conversions, exercises, redemptions, open and
    satisfied obligations and notices -- the conversions, exercises and open obligations all
    of the first investor (the "hub"), so the investor page's lists grow too."""

    def __init__(self, user):
        self.user = user
        self.deb_fin = FinancingFactory()
        self.pref_fin = SeriesJFinancingFactory()
        self.terms = (m.DealTermsVersion.objects.filter(financing=self.deb_fin).first()
                      or DealTermsVersionFactory(financing=self.deb_fin, version=1))
        self.n = 0
        self.hub_grows = False
        self.hub = None
        self.hub_deb = self.hub_warrant = None

    def grow(self, n: int) -> None:
        start, self.n = self.n, self.n + n
        investors = m.Investor.objects.bulk_create(
            [m.Investor(legal_name=f"Fictional Fund {i:05d} (test)", jurisdiction="DE", notice_address="x")
             for i in range(start, self.n)]
        )
        debs = m.Debenture.objects.bulk_create(
            [m.Debenture(financing=self.deb_fin, investor=inv, number=f"D-{start + i}", principal=Decimal("100000"),
                         principal_outstanding=Decimal("100000"), dated_date=DAY, issue_date=DAY, closing_date=DAY,
                         maturity_date=datetime.date(2003, 3, 31)) for i, inv in enumerate(investors)]
        )
        m.PreferredHolding.objects.bulk_create(
            [m.PreferredHolding(financing=self.pref_fin, investor=inv, certificate_number=f"J-{start + i}", shares=1,
                                liquidation_preference=Decimal("1000"), liquidation_preference_outstanding=Decimal("1000"),
                                purchase_price=Decimal("1000"), closing_date=DAY) for i, inv in enumerate(investors)]
        )
        warrants = m.Warrant.objects.bulk_create(
            [m.Warrant(financing=self.pref_fin, investor=inv, number=f"W-{start + i}", shares=10, shares_remaining=10,
                       exercise_price=Decimal("2"), issue_date=DAY, expiry_date=datetime.date(2005, 3, 31))
             for i, inv in enumerate(investors)]
        )
        if self.hub is None:
            self.hub, self.hub_deb, self.hub_warrant = investors[0], debs[0], warrants[0]
        # the hub's holdings grow too, if asked (the admin's investor page lists them inline)
        m.Debenture.objects.bulk_create(
            [m.Debenture(financing=self.deb_fin, investor=self.hub, number=f"D-H{start}-{k}", principal=Decimal("100000"),
                         principal_outstanding=Decimal("100000"), dated_date=DAY, issue_date=DAY, closing_date=DAY,
                         maturity_date=datetime.date(2003, 3, 31)) for k in range(max(1, n // 100) if self.hub_grows else 0)]
        )
        convs = m.Conversion.objects.bulk_create(
            [m.Conversion(debenture=self.hub_deb, investor=self.hub, terms_version=self.terms, amount=Decimal("1000"),
                          conversion_date=DAY + datetime.timedelta(days=i % 300), notice_method="facsimile",
                          notice_received_date=DAY, conversion_price=Decimal("1.4"), shares_for_amount=714,
                          shares_issuable=714, delivery_date=DAY, reference=f"FAX-{start + i}",
                          snapshot={"big": "x" * 200}, idempotency_key=uuid.uuid4().hex, created_by=self.user)
             for i in range(n)]
        )
        m.WarrantExercise.objects.bulk_create(
            [m.WarrantExercise(warrant=self.hub_warrant, investor=self.hub, terms_version=self.terms, shares=1,
                               exercise_date=DAY, exercise_price=Decimal("2"), aggregate_price=Decimal("2"),
                               payment_amount=Decimal("2"), payment_date=DAY, delivery_date=DAY, snapshot={},
                               idempotency_key=uuid.uuid4().hex, created_by=self.user) for _ in range(n)]
        )
        m.Redemption.objects.bulk_create(
            [m.Redemption(debenture=d, terms_version=self.terms, notice_date=DAY, notice_received_date=DAY,
                          principal=Decimal("100000"), premium_amount=Decimal("120000"), interest_amount=Decimal("1"),
                          total_amount=Decimal("120001"), payment_due_date=DAY, convert_until=DAY, snapshot={},
                          idempotency_key=uuid.uuid4().hex, created_by=self.user) for d in debs]
        )
        ct = ContentType.objects.get_for_model(m.Conversion)
        m.Obligation.objects.bulk_create(
            [m.Obligation(kind="share_delivery", clause="SPA 5(c)", content_type=ct, object_id=c.pk,
                          investor=self.hub, due_date=DAY, description=f"Deliver {c.reference}") for c in convs]
            + [m.Obligation(kind="original_notice", clause="Debenture Exhibit A", content_type=ct, object_id=c.pk,
                            investor_id=c.investor_id, due_date=DAY, status="satisfied") for c in convs]
        )
        Notice.objects.bulk_create(
            [Notice(kind="conversion", content_type=ct, object_id=c.pk, investor=self.hub, subject=f"Conversion {c.pk}",
                    file_name=f"n{c.pk}.pdf", requested_by=self.user) for c in convs]
        )


# forms that took an investor or an instrument from a <select> of every one (issue 17, session 2)
FORM_PAGES = ("/transfers/new/", "/transfers/legends/new/", "/company/notices/", "/transfers/exchange/",
              "/transfers/sales/prepay/", "/company/defaults/")


def _count(client, url: str) -> int:
    client.get(url)  # warm: session stamp, content types, business date
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return len(ctx.captured_queries)


def _urls(book: Book, *, admin: bool) -> list[str]:
    hub = book.hub.pk
    urls = [
        "/investors/", "/investors/?q=Fund", f"/investors/{hub}/",
        "/conversions/", "/conversions/?status=pending_delivery", "/conversions/?q=Fund", "/conversions/?q=FAX-1",
        "/conversions/?instrument=D-0", "/conversions/?page=99999", "/conversions/new/",
        "/exercises/", "/exercises/?warrant=W-0", "/exercises/?q=W-0", "/exercises/new/",
        "/redemptions/",
        "/deadlines/", "/deadlines/?status=satisfied", "/deadlines/?page=99999",
        "/notices/",
        "/instruments/search/?q=D-1", "/instruments/search/?q=Fund&kind=warrant&page=2",
    ]
    if admin:
        urls += [
            "/redemptions/new/",
            "/admin/deals/conversion/", "/admin/deals/conversion/?q=Fund", "/admin/deals/conversion/?year=2000&p=2",
            "/admin/deals/obligation/", "/admin/deals/obligation/?q=FAX", "/admin/deals/warrantexercise/",
            f"/admin/deals/investor/{hub}/change/", f"/admin/deals/debenture/{book.hub_deb.pk}/change/",
            *FORM_PAGES, f"/company/damages/{book.pref_fin.pk}/",
        ]
    return urls


@pytest.mark.slow
@pytest.mark.parametrize("role", ["clerk", "deal_admin"])
def test_every_list_page_runs_the_same_queries_at_10_and_1000_rows(request, client, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    set_business_date(DAY)
    book = Book(user)
    book.hub_grows = True
    book.grow(10)
    urls = _urls(book, admin=role == "deal_admin")
    at_10 = {url: _count(client, url) for url in urls}
    book.grow(990)
    at_1000 = {url: _count(client, url) for url in urls}
    grew = {url: (at_10[url], at_1000[url]) for url in urls if at_10[url] != at_1000[url]}
    assert not grew, f"query counts (10 rows, 1,000 rows) not flat: {grew}"
    # a deep page (there only at 1,000 rows) costs what page 1 costs
    deep = {f"/investors/{book.hub.pk}/?cpage=40&opage=40&epage=40": f"/investors/{book.hub.pk}/",
            "/conversions/?page=39": "/conversions/", "/redemptions/?page=39": "/redemptions/",
            "/notices/?page=39": "/notices/", "/deadlines/?status=satisfied&page=39": "/deadlines/?status=satisfied"}
    for url, first in deep.items():
        assert _count(client, url) == at_1000[first], url
    # and a page is a handful of queries, not one per row
    heavy = {url: n for url, n in at_1000.items() if url.startswith("/company/damages/")}
    assert all(n <= 30 for n in heavy.values()), heavy  # RRA 2(b) figures for the page's investors: 28 measured
    assert max(n for url, n in at_1000.items() if url not in heavy) <= 25, at_1000


def test_list_pages_show_the_right_rows_at_1000(clerk_client, clerk):
    set_business_date(DAY)
    book = Book(clerk)
    book.grow(1000)
    html = clerk_client.get("/conversions/?page=2").content.decode()
    assert "Page 2 of 40 (1,000 in all)" in html
    newest = m.Conversion.objects.order_by("-conversion_date", "-id")
    second_page = [c.pk for c in newest[25:50]]
    r = clerk_client.get("/conversions/?page=2")
    assert [c.pk for c in r.context["page"].object_list] == second_page
    # a page past the end: an empty page at once, with the way back
    r = clerk_client.get("/conversions/?page=99999")
    assert r.status_code == 200 and r.context["page"].past_end
    assert 'data-testid="past-end"' in r.content.decode() and "page=40" in r.content.decode()
    # the deadlines' satisfied rows page like the open ones
    r = clerk_client.get("/deadlines/?status=satisfied&page=40")
    assert len(r.context["page"].object_list) == 25
    # investor page: conversions and obligations 20 a page
    r = clerk_client.get(f"/investors/{book.hub.pk}/?cpage=50&opage=2")
    p = r.context["p"]
    assert len(p.conversions.object_list) == 20 and p.conversions.number == 50 and not p.conversions.has_next()
    assert len(p.open_obligations.object_list) == 20 and p.open_obligations.number == 2
    assert "cpage=50" in r.content.decode()  # the obligations pager keeps the conversions page


def test_paginator_counts_exactly_up_to_the_limit_then_says_more_than(clerk):
    set_business_date(DAY)
    Book(clerk).grow(30)
    qs = m.Conversion.objects.order_by("-conversion_date", "-id")
    exact = ListPaginator(qs, 10, exact_limit=30)
    assert exact.count == 30 and exact.num_pages == 3 and not exact.count_is_floor
    capped = ListPaginator(qs.filter(amount__gt=0), 10, exact_limit=29)  # 30 rows: just over
    assert capped.count == 30 and capped.count_is_floor  # "more than 29"
    page = capped.get_page(3)
    assert len(page.object_list) == 10 and page.has_next()  # full page: there may be more
    assert not capped.get_page(4).object_list
    # bad page numbers: page 1 for text, an empty page past the end, never an error
    assert exact.get_page("x").number == 1 and exact.get_page("-3").number == 1
    assert exact.get_page(4).past_end and list(exact.get_page(4).object_list) == []


def test_past_the_end_reads_no_rows(clerk, django_assert_num_queries):
    set_business_date(DAY)
    Book(clerk).grow(5)
    paginator = ListPaginator(m.Conversion.objects.order_by("-conversion_date", "-id"), 25)
    with django_assert_num_queries(1):  # the capped count only
        page = paginator.get_page(999)
        assert page.past_end and list(page.object_list) == []


def test_investor_counts_in_one_grouped_query(clerk, django_assert_num_queries):
    set_business_date(DAY)
    book = Book(clerk)
    book.grow(3)
    investors = list(m.Investor.objects.order_by("legal_name"))
    with django_assert_num_queries(1):
        rows = with_counts(investors)
    hub = next(i for i in rows if i.pk == book.hub.pk)
    other = next(i for i in rows if i.pk != book.hub.pk)
    assert (hub.n_debentures, hub.n_preferred, hub.n_warrants, hub.n_conversions, hub.n_exercises) == (1, 1, 1, 3, 3)
    assert (other.n_conversions, other.n_exercises) == (0, 0)
    assert with_counts([]) == []


# --- instrument choice by search ---------------------------------------------------------------


def test_search_endpoint_suggests_by_number_and_name_a_page_at_a_time(clerk_client, clerk):
    set_business_date(DAY)
    Book(clerk).grow(30)
    r = clerk_client.get("/instruments/search/?q=d-1")
    body = r.json()
    # natural order: D-1, then D-10..D-19
    assert [s["value"] for s in body["results"]] == ["D-1", *[f"D-{i}" for i in range(10, 20)]]
    assert "Fictional Fund 00001 (test)" in body["results"][0]["label"] and "$100,000.00 outstanding" in body["results"][0]["label"]
    # by holder's name: the debenture and the Series J holding
    values = [s["value"] for s in clerk_client.get("/instruments/search/?q=Fund 00007").json()["results"]]
    assert values == ["D-7", "J-7"]
    # pages of 20: 30 debentures + 30 holdings
    first = clerk_client.get("/instruments/search/").json()
    assert len(first["results"]) == 20 and first["has_more"]
    last = clerk_client.get("/instruments/search/?page=3").json()
    assert len(last["results"]) == 20 and not last["has_more"] and last["results"][-1]["value"] == "J-29"
    assert clerk_client.get("/instruments/search/?page=4").json() == {"results": [], "page": 4, "page_size": 20, "has_more": False}
    warrants = clerk_client.get("/instruments/search/?kind=warrant&q=W-2").json()["results"]
    assert warrants[0] == {"value": "W-2", "label": "Warrant W-2 -- Fictional Fund 00002 (test) -- 10 shares left"}


def test_search_endpoint_leaves_out_what_cannot_be_converted_unless_asked(clerk_client, clerk):
    set_business_date(DAY)
    Book(clerk).grow(3)
    m.Debenture.objects.filter(number="D-1").update(principal_outstanding=0, status="converted")
    assert [s["value"] for s in clerk_client.get("/instruments/search/?q=D-").json()["results"]] == ["D-0", "D-2"]
    every = clerk_client.get("/instruments/search/?q=D-&all=1").json()["results"]
    assert [s["value"] for s in every] == ["D-0", "D-1", "D-2"] and "(converted)" in every[1]["label"]


@pytest.mark.parametrize("query", ["?kind=everything", "?page=0", "?page=x", "?page=501", "?q=" + "x" * 61])
def test_search_endpoint_refuses_bad_input_with_the_limit(clerk_client, query):
    r = clerk_client.get("/instruments/search/" + query)
    assert r.status_code == 400 and r.json()["error"]


def test_search_endpoint_least_privilege(client, clerk, deal_admin, no_role_user):
    url = "/instruments/search/?q=D"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(no_role_user)
    assert client.get(url).status_code == 403
    client.force_login(clerk)
    assert client.get(url).status_code == 200
    client.force_login(deal_admin)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405


def test_form_field_takes_the_number_or_the_key_and_refuses_with_the_reason(clerk):
    set_business_date(DAY)
    Book(clerk).grow(3)
    deb = m.Debenture.objects.get(number="D-2")
    for text in ("D-2", " d-2 ", f"debenture:{deb.pk}"):
        found, reason = instrument_resolve(text)
        assert found == deb and reason == ""
    found, reason = instrument_resolve("D-99")
    assert found is None and "No outstanding debenture or Series J certificate is numbered 'D-99'" in reason
    m.Debenture.objects.filter(pk=deb.pk).update(principal_outstanding=0, status="converted")
    assert instrument_resolve("D-2")[0] is None  # nothing left to convert
    assert instrument_resolve("D-2", open_only=False)[0] == deb  # a list filter still finds it
    assert instrument_resolve("W-1")[0] is None  # a warrant is not convertible
    assert instrument_resolve("W-1", kind="warrant")[0].number == "W-1"
    form = ConversionForm(data={"instrument": "D-99", "amount": "1000", "conversion_date": "2000-03-07",
                                "notice_method": "facsimile", "notice_received_date": "2000-03-07",
                                "interest_election": "cash", "idempotency_key": "k"})
    assert not form.is_valid() and "numbered 'D-99'" in form.errors["instrument"][0]


def test_conversion_form_shows_the_number_for_a_link_key(clerk_client, clerk):
    set_business_date(DAY)
    Book(clerk).grow(3)
    deb = m.Debenture.objects.get(number="D-1")
    html = clerk_client.get(f"/conversions/new/?instrument=debenture:{deb.pk}").content.decode()
    assert 'value="D-1"' in html and 'data-instrument-search="/instruments/search/?kind=convertible"' in html
    assert "<select name=\"instrument\"" not in html


@pytest.mark.slow
def test_forms_stay_small_at_10000_instruments(client, clerk, deal_admin):
    """(b): 1,000 investors, 10,000 debentures, 10,000 Series J holdings (and 10,000 warrants)."""
    set_business_date(DAY)
    book = Book(clerk)
    book.grow(1000)
    investors = list(m.Investor.objects.all())
    more = range(1000, 10000)
    m.Debenture.objects.bulk_create(
        [m.Debenture(financing=book.deb_fin, investor=investors[i % 1000], number=f"D-{i}", principal=Decimal("100000"),
                     principal_outstanding=Decimal("100000"), dated_date=DAY, issue_date=DAY, closing_date=DAY,
                     maturity_date=datetime.date(2003, 3, 31)) for i in more]
    )
    m.PreferredHolding.objects.bulk_create(
        [m.PreferredHolding(financing=book.pref_fin, investor=investors[i % 1000], certificate_number=f"J-{i}", shares=1,
                            liquidation_preference=Decimal("1000"), liquidation_preference_outstanding=Decimal("1000"),
                            purchase_price=Decimal("1000"), closing_date=DAY) for i in more]
    )
    m.Warrant.objects.bulk_create(
        [m.Warrant(financing=book.pref_fin, investor=investors[i % 1000], number=f"W-{i}", shares=10, shares_remaining=10,
                   exercise_price=Decimal("2"), issue_date=DAY, expiry_date=datetime.date(2005, 3, 31)) for i in more]
    )
    sizes = {}
    for user, url in [(clerk, "/conversions/new/"), (clerk, "/conversions/"), (clerk, "/exercises/new/"),
                      (clerk, "/exercises/"), (deal_admin, "/redemptions/new/"),
                      *((deal_admin, url) for url in FORM_PAGES)]:
        client.force_login(user)
        r = client.get(url)
        assert r.status_code == 200
        sizes[url] = len(r.content)
    assert all(size <= 100_000 for size in sizes.values()), sizes
    assert sizes["/conversions/new/"] <= 20_000, sizes  # nothing in it grows with the book


def test_search_narrows_by_ids_and_stays_complete_when_broad(clerk_client, clerk, monkeypatch):
    from deals.selectors import search

    set_business_date(DAY)
    book = Book(clerk)
    book.grow(30)
    hub_rows = m.Conversion.objects.filter(investor=book.hub).count()
    assert hub_rows == 30
    by_name = clerk_client.get("/conversions/?q=Fund 00000").context["page"].paginator.count
    by_ref = clerk_client.get("/conversions/?q=fax-7").context["page"].paginator.count  # FAX-7 (case ignored)
    monkeypatch.setattr(search, "MAX_IDS", 2)  # "Fund" matches 30 investors: past the cap, a subquery
    broad = clerk_client.get("/conversions/?q=Fund").context["page"].paginator.count
    assert (by_name, by_ref, broad) == (30, 1, 30)


def test_investor_filter_by_name_replaces_the_select(clerk_client, clerk):
    set_business_date(DAY)
    book = Book(clerk)
    book.grow(3)
    for url in ("/conversions/", "/exercises/", "/deadlines/", "/notices/"):
        html = clerk_client.get(url).content.decode()
        assert '<select name="investor"' not in html, url
        assert "/instruments/search/?kind=investor" in html, url
    name = book.hub.legal_name
    assert clerk_client.get("/conversions/", {"investor": name.upper()}).context["page"].paginator.count == 3
    assert clerk_client.get("/conversions/", {"investor": str(book.hub.pk)}).context["page"].paginator.count == 3  # links, API
    r = clerk_client.get("/conversions/", {"investor": "Nobody LLC"})
    assert "No investor is named &#x27;Nobody LLC&#x27;" in r.content.decode()
    names = [s["value"] for s in clerk_client.get("/instruments/search/?kind=investor&q=fund 0000").json()["results"]]
    assert names == ["Fictional Fund 00000 (test)", "Fictional Fund 00001 (test)", "Fictional Fund 00002 (test)"]


@pytest.mark.slow
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate is PostgreSQL's")
def test_unfiltered_count_past_the_limit_is_the_planners_estimate_on_postgresql(clerk, django_assert_num_queries):
    set_business_date(DAY)
    book = Book(clerk)
    book.grow(10)
    template = m.Conversion.objects.first()
    rows = []
    for _ in range(10_050):
        template.pk, template.idempotency_key = None, uuid.uuid4().hex
        rows.append(m.Conversion(**{f.attname: getattr(template, f.attname) for f in m.Conversion._meta.concrete_fields}))
    m.Conversion.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE deals_conversion")
    paginator = ListPaginator(m.Conversion.objects.order_by("-conversion_date", "-id"), 25, exact_limit=10_000)
    with django_assert_num_queries(1):  # the estimate; the capped count is not run
        assert 10_000 < paginator.count <= 10_100
    assert paginator.count_is_estimate and not paginator.count_is_floor
    # filtered: exact up to the limit, then "more than"
    filtered = ListPaginator(m.Conversion.objects.filter(amount__gt=0).order_by("-conversion_date", "-id"), 25, exact_limit=10_000)
    assert filtered.count == 10_001 and filtered.count_is_floor


@pytest.mark.parametrize(
    ("url", "model", "term"),
    [
        ("/admin/deals/conversion/", m.Conversion, "FAX-1"),
        ("/admin/deals/warrantexercise/", m.WarrantExercise, "#id"),  # the demo book's exercises share one warrant
        ("/admin/deals/obligation/", m.Obligation, "FAX"),
    ],
)
def test_admin_search_finds_what_the_page_search_finds(client, deal_admin, url, model, term):
    """The admin lists search through deals.selectors.search (SelectorSearchMixin): the same rows
    as the selector's Q, none of the others; an empty term lists every row."""
    from deals.selectors import search

    client.force_login(deal_admin)
    set_business_date(DAY)
    Book(deal_admin).grow(3)
    if term == "#id":
        term = f"#{model.objects.order_by('pk').last().pk}"
    q = {m.Conversion: search.conversion_search, m.WarrantExercise: search.exercise_search,
         m.Obligation: search.obligation_search}[model]
    expected = model.objects.filter(q(term)).count()
    assert 0 < expected < model.objects.count()
    found = client.get(url, {"q": f"  {term} "})
    assert found.status_code == 200 and found.context_data["cl"].result_count == expected
    assert client.get(url, {"q": ""}).context_data["cl"].result_count == model.objects.count()


def test_investor_and_security_fields_replace_the_selects_and_refuse_unknown_input(deal_admin_client, deal_admin):
    """Issue 17 (session 2): transfers, legend removals, closing subscriptions and company notices take the
    investor by name and the transferred security by number; unknown input is refused with the reason."""
    from deals.forms.closing import SubscriptionForm
    from deals.forms.company import OutboundNoticeForm, ShareSaleForm
    from deals.forms.transfers import LegendRemovalForm, TransferForm

    set_business_date(DAY)
    book = Book(deal_admin)
    book.grow(3)
    for url in FORM_PAGES:
        html = deal_admin_client.get(url).content.decode()
        assert "/instruments/search/?kind=" in html, url
        for name in ("investor", "transferee", "source", "debenture"):
            assert f'<select name="{name}"' not in html and f'<select name="n-{name}"' not in html, (url, name)
    assert 'data-instrument-search="/instruments/search/?kind=security"' in deal_admin_client.get("/transfers/new/").content.decode()
    assert "/instruments/search/?kind=investor" in deal_admin_client.get("/transfers/legends/new/").content.decode()
    assert "/instruments/search/?kind=debenture" in deal_admin_client.get("/transfers/sales/prepay/").content.decode()
    found = deal_admin_client.get("/instruments/search/?kind=security&q=Fund 00001").json()["results"]
    assert [s["value"] for s in found] == ["D-1", "J-1", "W-1"]
    assert found[0]["label"].startswith("Debenture D-1 -- Fictional Fund 00001 (test) -- $100,000.00 outstanding")
    assert found[2]["label"] == "Warrant W-1 -- Fictional Fund 00001 (test) -- 10 shares left"
    # the transferred security: a certificate, a warrant or a D-number; by number, case ignored
    for text, number in (("J-1", "J-1"), ("w-2", "W-2"), (" D-0 ", "D-0")):
        assert TransferForm().fields["source"].clean(text).__class__.__name__ in ("PreferredHolding", "Warrant", "Debenture")
        found = TransferForm().fields["source"].clean(text)
        assert getattr(found, "number", None) == number or getattr(found, "certificate_number", None) == number
    form = TransferForm(data={"source": "J-99", "transferee": "Nobody LLC", "transfer_date": "2000-03-07",
                              "notice_to_company_date": "2000-03-07"})
    assert not form.is_valid()
    assert "No outstanding debenture or Series J certificate or warrant is numbered 'J-99'" in form.errors["source"][0]
    assert "No investor is named 'Nobody LLC'" in form.errors["transferee"][0]
    # a name (any case) or a bare id (links, older callers) still works
    name = book.hub.legal_name
    assert SubscriptionForm().fields["investor"].clean(name.upper()) == book.hub
    assert LegendRemovalForm().fields["investor"].clean(str(book.hub.pk)) == book.hub
    assert OutboundNoticeForm().fields["investor"].clean(name) == book.hub
    form = SubscriptionForm(data={"investor": "", "amount": "1", "purchase_price": "1", "denominations": "1"})
    assert not form.is_valid() and "investor" in form.errors
    # a form offering only some investors refuses the others by name and clause
    other = m.Investor.objects.exclude(pk=book.hub.pk).first()
    form = ShareSaleForm(data={"investor": other.legal_name, "sale_date": "2000-03-07", "shares": "1"},
                         investors=m.Investor.objects.filter(pk=book.hub.pk))
    assert not form.is_valid()
    assert form.errors["investor"] == [f"{other.legal_name} is not a Buyer of this financing, so has no Conversion Shares "
                                       "to sell (RRA 2(b)(iii))."]
    form = ShareSaleForm(data={"investor": name, "sale_date": "2000-03-07", "shares": "1"},
                         investors=m.Investor.objects.filter(pk=book.hub.pk))
    assert form.is_valid() and form.cleaned_data["investor"] == book.hub
    # Events of Default (Debenture 10): the Debenture by number, any status; one outside the register refused
    from deals.forms.company import DefaultForm

    data = {"kind": "c", "debenture": "D-1", "occurred_date": "2000-03-07"}
    assert DefaultForm(data=data).is_valid()
    form = DefaultForm(data=data, debentures=m.Debenture.objects.filter(number="D-0"))
    assert not form.is_valid() and form.errors["debenture"] == ["D-1 is not a Debenture this register covers (Debenture 10)."]
    form = DefaultForm(data={**data, "debenture": "D-77"})
    assert not form.is_valid() and "No debenture is numbered 'D-77'" in form.errors["debenture"][0]
