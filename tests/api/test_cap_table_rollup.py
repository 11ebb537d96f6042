"""The set-based cap table rollup (issue 17) against the rollup it replaced, figure for figure.

A generated book of a few hundred instruments over four financings -- Series J and a Series K
with their own discounts and look-backs, two debenture financings, terms versions taking effect
mid-way (another discount, the price rounded to 4 dp, shares rounded down), one financing with
no terms in force before May -- with conversions (some by a later holder, revoked, dishonoured,
with SPA 4(i) Unconverted Shares), cap remedies (x) and (y), paid and unpaid redemptions,
warrant exercises (some dishonoured), expired warrants and liquidation preferences that do not
divide evenly by their shares. The old path is ``tests/api/captable_before.py`` (verbatim).
"""

from __future__ import annotations

import datetime
import math
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals import models as m
from deals.selectors.captable import cap_table_as_of
from deals.services.conversions import WorkflowError
from deals.terms import calendars
from tests import factories as f
from tests.api.captable_before import cap_table_as_of_before

D = Decimal
CLOSING = datetime.date(2000, 1, 14)
DAYS = [
    datetime.date(2000, 1, 13),  # before anything was issued
    datetime.date(2000, 2, 15),
    datetime.date(2000, 4, 3),  # Series J v2 takes effect
    datetime.date(2000, 5, 10),  # Debentures B: no terms in force yet
    datetime.date(2000, 5, 16),
    datetime.date(2000, 6, 30),
    datetime.date(2000, 8, 1),  # some warrants expired
]


def _day(rng, start=CLOSING, end=datetime.date(2000, 7, 31)) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def generated_book(user, *, seed: int = 1718, investors: int = 40, debentures: int = 150, preferred: int = 150,
                   warrants: int = 100, conversions: int = 600) -> dict:
    rng = random.Random(seed)
    issuer = f.IssuerFactory()
    series_j = f.SeriesJFinancingFactory(issuer=issuer, name=f"Series J Convertible Preferred ({seed})")
    f.DealTermsVersionFactory(financing=series_j, effective_from=datetime.date(2000, 4, 3), reason="repricing",
                              preferred_discount_pct=D("75"), preferred_lookback_days=15, share_rounding="down")
    series_k = f.SeriesJFinancingFactory(issuer=issuer, name=f"Series K (fictional, {seed})", terms=False)
    f.DealTermsVersionFactory(financing=series_k, effective_from=datetime.date(2000, 1, 3), reason="Series K CoD",
                              preferred_discount_pct=D("70"), preferred_lookback_days=10, preferred_lookback_lowest=2)
    deb_a = f.FinancingFactory(issuer=issuer, name=f"6% Convertible Debentures ({seed})")
    f.DealTermsVersionFactory(financing=deb_a, effective_from=datetime.date(2000, 5, 1), reason="4 dp price",
                              debenture_discount_pct=D("70"), conversion_price_precision="4dp")
    deb_b = f.FinancingFactory(issuer=issuer, name=f"Debentures B (fictional, {seed})", terms=False)
    f.DealTermsVersionFactory(financing=deb_b, effective_from=datetime.date(2000, 5, 15), reason="Debentures B terms",
                              debenture_lookback_days=3, share_rounding="down")
    terms = {fin.pk: m.DealTermsVersion.objects.filter(financing=fin).order_by("version").first()
             for fin in (series_j, series_k, deb_a, deb_b)}
    m.MarketPrice.objects.bulk_create([
        m.MarketPrice(date=d, closing_bid=D(rng.randint(5000, 20000)) / 10000, closing_price=D("1.5000"), source="test")
        for d in calendars.trading_days_between(datetime.date(1999, 11, 1), datetime.date(2000, 8, 31))
    ], ignore_conflicts=True)  # a second book on the same days keeps the first one's bids
    people = [f.InvestorFactory(legal_name=f"Generated Fund {seed}-{i:03d}") for i in range(investors)]
    debs = m.Debenture.objects.bulk_create([
        m.Debenture(financing=rng.choice((deb_a, deb_b)), investor=rng.choice(people), number=f"DX{seed}-{i}",
                    principal=D(100_000 * rng.randint(1, 3)), principal_outstanding=D("1"),
                    issue_date=(day := _day(rng, end=datetime.date(2000, 5, 31))), dated_date=day, closing_date=day,
                    maturity_date=datetime.date(2002, 3, 31))
        for i in range(debentures)
    ])
    holdings = []
    for i in range(preferred):
        shares = rng.randint(1, 40)
        lp = D(shares * 1000) if rng.random() < 0.7 else D(rng.randint(100_000, 5_000_000)) / 100  # uneven stated values
        holdings.append(m.PreferredHolding(
            financing=rng.choice((series_j, series_j, series_k)), investor=rng.choice(people), certificate_number=f"JX{seed}-{i}",
            shares=shares, liquidation_preference=lp, liquidation_preference_outstanding=lp, purchase_price=lp,
            closing_date=_day(rng, end=datetime.date(2000, 5, 31)),
        ))
    holdings = m.PreferredHolding.objects.bulk_create(holdings)
    ws = m.Warrant.objects.bulk_create([
        m.Warrant(financing=series_j, investor=rng.choice(people), number=f"WX{seed}-{i}", shares=(n := rng.randint(100, 50_000)),
                  shares_remaining=n, exercise_price=D("1.6500"), issue_date=_day(rng, end=datetime.date(2000, 5, 31)),
                  expiry_date=rng.choice((datetime.date(2000, 7, 15), datetime.date(2005, 1, 31))))
        for i in range(warrants)
    ])
    convs = []
    for i in range(conversions):
        inst = rng.choice(debs + holdings)
        is_deb = isinstance(inst, m.Debenture)
        start = inst.issue_date if is_deb else inst.closing_date
        day = _day(rng, start=start)
        status = rng.choice(["delivered"] * 8 + ["pending_delivery", "revoked"])
        convs.append(m.Conversion(
            debenture=inst if is_deb else None, preferred=None if is_deb else inst,
            investor=inst.investor if rng.random() < 0.9 else rng.choice(people),  # a later holder converts
            terms_version=terms[inst.financing_id], amount=D(rng.randint(100, 9_000_00)) / 100 if is_deb else D(rng.randint(1, 3) * 1000),
            conversion_date=day, notice_method="facsimile", notice_received_date=day, conversion_price=D("1.2000"),
            shares_for_amount=(n := rng.randint(1, 50_000)), shares_issuable=n,
            unconverted_shares=0 if is_deb or rng.random() < 0.7 else rng.randint(0, 2),
            delivery_date=day + datetime.timedelta(days=3), status=status,
            revoked_date=day + datetime.timedelta(days=rng.randint(0, 40)) if status == "revoked" else None,
            dishonoured_date=day + datetime.timedelta(days=rng.randint(1, 40)) if rng.random() < 0.05 else None,
            snapshot={}, idempotency_key=f"rollup-{seed}-{i}", created_by=user,
        ))
    convs = m.Conversion.objects.bulk_create(convs)
    with_unconverted = [c for c in convs if c.preferred_id and c.unconverted_shares]
    m.CapRemedy.objects.bulk_create([
        m.CapRemedy(conversion=c, remedy=rng.choice("xy"), chosen_date=c.conversion_date + datetime.timedelta(days=rng.randint(0, 30)),
                    unconverted_shares=c.unconverted_shares, snapshot={"shares": rng.randint(1, 3000)}, created_by=user)
        for c in with_unconverted[:15]
    ])
    for i, d in enumerate(rng.sample(debs, min(15, len(debs)))):
        day = _day(rng, start=d.issue_date)
        m.Redemption.objects.create(
            debenture=d, terms_version=terms[d.financing_id], notice_date=day, notice_received_date=day, principal=D("1000"),
            premium_amount=D("1200"), interest_amount=D("0"), total_amount=D("1200"), payment_due_date=day, convert_until=day,
            payment_date=day + datetime.timedelta(days=rng.randint(0, 20)) if i < 10 else None,
            status="paid" if i < 10 else "pending", snapshot={}, idempotency_key=f"rollup-red-{seed}-{i}", created_by=user,
        )
    for i, w in enumerate(rng.sample(ws, min(40, len(ws)))):
        day = _day(rng, start=w.issue_date)
        m.WarrantExercise.objects.create(
            warrant=w, investor=w.investor if i % 7 else rng.choice(people), terms_version=terms[series_j.pk],
            shares=rng.randint(1, w.shares), exercise_date=day, exercise_price=D("1.6500"), aggregate_price=D("1"),
            payment_amount=D("1"), payment_date=day, delivery_date=day, snapshot={}, idempotency_key=f"rollup-ex-{seed}-{i}",
            created_by=user, dishonoured_date=day + datetime.timedelta(days=5) if i % 9 == 0 else None,
        )
    return {"debentures": len(debs), "preferred": len(holdings), "conversions": len(convs)}


def _table(fn, day):
    try:
        return fn(day).as_dict()
    except WorkflowError as err:
        return {"error": err.message}


@pytest.fixture
def book(db, clerk):
    return generated_book(clerk)


def test_the_rollup_gives_the_old_figures_on_a_generated_book(book):
    seen = {"series_j": 0, "debentures": 0, "unknown": 0, "notes": 0}
    for day in DAYS:
        new, old = _table(cap_table_as_of, day), _table(cap_table_as_of_before, day)
        assert new == old, day
        rows = new["rows"]
        seen["series_j"] += sum(1 for r in rows if r["series_j_as_converted"])
        seen["debentures"] += sum(1 for r in rows if r["debenture_as_converted"])
        seen["unknown"] += sum(1 for r in rows if r["debenture_as_converted"] is None)
        seen["notes"] += len(new["notes"])
    # the book exercised every path: both classes priced, a class left unknown, notes
    assert all(seen.values()), seen
    last = cap_table_as_of(DAYS[-1])
    assert len(last.rows) == 41 and last.common > 7_860_000 and last.warrants > 0
    assert {p.name for p in last.prices} >= {"Series J Convertible Preferred (1718)", "Series K (fictional, 1718)",
                                              "Debentures B (fictional, 1718)"}


def test_a_second_seed_agrees_too(db, clerk):
    generated_book(clerk, seed=99, investors=25, debentures=80, preferred=120, warrants=60, conversions=400)
    for day in (datetime.date(2000, 4, 28), datetime.date(2000, 5, 22), datetime.date(2000, 7, 31)):
        assert _table(cap_table_as_of, day) == _table(cap_table_as_of_before, day), day


def _queries(day) -> int:
    with CaptureQueriesContext(connection) as ctx:
        cap_table_as_of(day)
    return len(ctx)


def test_query_count_is_the_same_for_a_small_and_a_large_book(db, clerk):
    day = datetime.date(2000, 6, 30)
    generated_book(clerk, seed=5, investors=3, debentures=3, preferred=3, warrants=2, conversions=6)
    small = _queries(day)
    generated_book(clerk, seed=6, investors=30, debentures=200, preferred=200, warrants=100, conversions=800)
    assert m.Conversion.objects.count() == 806
    assert _queries(day) == small


def test_page_cells_are_what_the_template_filters_printed(book):
    """The page formats its ~9,000 cells once in the view (``holder_cells``) instead of through
    intcomma / floatformat per cell: the same text, cell for cell."""
    from django.contrib.humanize.templatetags.humanize import intcomma
    from django.template.defaultfilters import floatformat
    from django.utils.formats import localize

    from deals.views.captable import _count, _money, holder_cells

    def count(v):
        return "n/a" if v is None else intcomma(v)

    def money(v):
        return intcomma(floatformat(v, 2))

    table = cap_table_as_of(datetime.date(2000, 6, 30))
    for r, cells in zip(table.rows, holder_cells(table), strict=True):
        assert cells["name"] == r.name
        assert cells["url"] == (f"/investors/{r.holder_id}/" if r.holder_id else "")
        assert [cells[k] for k in ("common", "series_j_as_converted", "debenture_as_converted", "warrants", "fully_diluted")] == [
            count(v) for v in (r.common, r.series_j_as_converted, r.debenture_as_converted, r.warrants, r.fully_diluted)]
        assert (cells["series_j_amount"], cells["debenture_principal"]) == (money(r.series_j_amount), money(r.debenture_principal))
        assert cells["pct"] == localize(r.fully_diluted_pct)  # {{ r.fully_diluted_pct }}
    for v in (0, -1, 999, 1000, -1234567, 10**15, None):
        assert _count(v) == count(v)
    third = D(100000) / 3  # 28 digits, as an uneven stated value leaves them
    for v in (D("0"), D("0.00"), D("-0.004"), D("-0.005"), D("0.005"), D("1234.005"), D("999999.995"), D("-1234567.891"),
              third, -third, D("1E+3"), D("123456789012345678901234.56")):
        assert _money(v) == money(v), v


def _sheet(data: bytes):
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    cells = [[(c.value, c.data_type) for c in row] for row in ws.iter_rows()]
    return wb.sheetnames, ws.column_dimensions["A"].width, cells


def _same_cells(cells, old_cells) -> bool:
    """Text cells equal with their types; numbers equal to one part in 10^15 (a cell holds a double:
    XlsxWriter writes 16 significant digits where openpyxl wrote a Decimal's 28, so a repeating
    decimal may round differently in the last digits)."""
    if len(cells) != len(old_cells):
        return False
    for row, old_row in zip(cells, old_cells, strict=True):
        if len(row) != len(old_row):
            return False
        for (v, t), (old_v, old_t) in zip(row, old_row, strict=True):
            if t != old_t:
                return False
            if t == "n" and v is not None and old_v is not None:
                if not math.isclose(float(v), float(old_v), rel_tol=1e-15):
                    return False
            elif v != old_v:
                return False
    return True


def test_the_xlsx_export_reads_back_as_openpyxl_wrote_it(book, clerk_client):
    """The XlsxWriter export (issue 17) against openpyxl's of the old path: the same sheet, the same
    text in the same cells with the same types, every number the same to one part in 10^15, column
    A as wide (XlsxWriter stores a width with its padding)."""
    from deals.selectors.captable import cap_table_export_rows
    from tests.api.captable_before import xlsx_before

    m.Investor.objects.filter(legal_name="Generated Fund 1718-003").update(legal_name='=HYPERLINK("http://x","y") ')
    for day in (datetime.date(2000, 5, 10), datetime.date(2000, 6, 30)):
        response = clerk_client.get("/cap-table/export.xlsx", {"as_of": day.isoformat()})
        assert response.status_code == 200
        names, width, cells = _sheet(response.content)
        old_names, old_width, old_cells = _sheet(xlsx_before(cap_table_export_rows(cap_table_as_of(day))))
        assert names == old_names and abs(width - old_width) < 1
        assert _same_cells(cells, old_cells)
        assert len(cells) > 50 and any(v == "'=HYPERLINK(\"http://x\",\"y\") " for (v, _), *_ in cells)
        assert not [v for row in cells for v, t in row if t == "f"]  # never a formula


OLD_LOOP = """{% load humanize %}{% for r in table.rows %}<tr>
        <td>{% if r.holder_id %}<a href="{% url 'investor_detail' r.holder_id %}">{{ r.name }}</a>{% else %}{{ r.name }}{% endif %}</td>
        <td class="num">{{ r.common|intcomma }}</td>
        <td class="num">{{ r.series_j_amount|floatformat:2|intcomma }}</td>
        <td class="num">{% if r.series_j_as_converted is None %}n/a{% else %}{{ r.series_j_as_converted|intcomma }}{% endif %}</td>
        <td class="num">{{ r.debenture_principal|floatformat:2|intcomma }}</td>
        <td class="num">{% if r.debenture_as_converted is None %}n/a{% else %}{{ r.debenture_as_converted|intcomma }}{% endif %}</td>
        <td class="num">{{ r.warrants|intcomma }}</td>
        <td class="num">{{ r.fully_diluted|intcomma }}</td>
        <td class="num" data-testid="pct">{{ r.fully_diluted_pct }}</td>
      </tr>{% endfor %}"""  # templates/deals/captable/page.html's table body before issue 17, verbatim


def test_page_rows_are_the_markup_the_template_loop_wrote(book, clerk_client):
    from django.template import engines

    from deals.views.captable import holder_cells, holder_rows_html

    m.Investor.objects.filter(legal_name="Generated Fund 1718-007").update(legal_name="A & B <\"Fund\"> O'Neil")
    for day in (datetime.date(2000, 5, 10), datetime.date(2000, 6, 30)):
        table = cap_table_as_of(day)
        old = engines["django"].from_string(OLD_LOOP).render({"table": table})
        assert holder_rows_html(holder_cells(table)) == old
        page = clerk_client.get("/cap-table/", {"as_of": day.isoformat()}).content.decode()
        assert f'<tbody>{old}</tbody>' in page
    assert "A &amp; B &lt;&quot;Fund&quot;&gt; O&#x27;Neil</a>" in old
