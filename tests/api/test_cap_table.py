"""Cap table as of three dates against hand-computed figures; past dates rebuilt from the records.

Deal: 7,860,000 shares outstanding at signing, 50,000,000 authorized; closing 2000-01-14.
Closing bids $1.50 every trading day, except $1.00 on 2000-05-15, -16 and -17.
- Debenture 4(A): lesser of $1.4375 and 80% of the 5-day average bid before the date.
- Series J (SPA 1(b)(ix)): lesser of $1.4375 and 80% of the average of the 3 lowest bids of
  the 20 trading days before the date: $0.80 while 05-15..17 are in the window, else $1.20.
Holders: A holds a $100,000 Debenture, B 400 Series J ($400,000), C a 50,000-share warrant.
Events: 06-01 A converts $50,000 (at $1.20 -> 41,667 shares), B converts $100,000 (at $0.80
-> 125,000 shares), C exercises 10,000; 06-20 A converts the other $50,000 (41,667 shares).
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import uuid
from decimal import Decimal

import pytest

from deals.models import Issuer, MarketPrice
from deals.selectors.captable import OTHER_HOLDERS, cap_table_as_of
from deals.services import conversions as conv_svc
from deals.services import exercises as ex_svc
from tests import factories as f
from tests.services.test_conversions import set_business_date

D = Decimal


@pytest.fixture
def deal(db, clerk):
    set_business_date(datetime.date(2000, 6, 30))
    f.price_series(datetime.date(1999, 12, 1), datetime.date(2000, 6, 30), bid=D("1.5000"))
    MarketPrice.objects.filter(date__in=[datetime.date(2000, 5, d) for d in (15, 16, 17)]).update(closing_bid=D("1.0000"))
    a, b, c = (f.InvestorFactory(legal_name=n) for n in ("A Fund", "B Fund", "C Fund"))
    deb = f.DebentureFactory(investor=a)
    pref = f.PreferredHoldingFactory(investor=b, shares=400)
    warrant = f.WarrantFactory(investor=c, shares=50_000, exercise_price=D("1.6500"))

    def convert(instrument, amount, day):
        instrument.refresh_from_db()
        set_business_date(day)  # recorded the day the fax came in (Debenture 4(A) fax-date limit)
        return conv_svc.conversion_submit(
            instrument=instrument, amount=D(amount), conversion_date=day, notice_method="facsimile",
            notice_received_date=day, interest_election="cash", idempotency_key=uuid.uuid4().hex, user=clerk,
        )

    june1, june20 = datetime.date(2000, 6, 1), datetime.date(2000, 6, 20)
    assert convert(deb, "50000", june1).shares_issuable == 41_667
    assert convert(pref, "100000", june1).shares_issuable == 125_000
    ex_svc.exercise_submit(warrant=warrant, shares=10_000, exercise_date=june1, payment_amount=D("16500"), payment_date=june1,
                           idempotency_key=uuid.uuid4().hex, user=clerk)
    assert convert(deb, "50000", june20).shares_issuable == 41_667
    set_business_date(datetime.date(2000, 6, 30))
    return {"A": a.pk, "B": b.pk, "C": c.pk}


def by_name(table):
    return {r.name: r for r in table.rows}


def test_may_31_before_any_conversion(deal):
    t = cap_table_as_of(datetime.date(2000, 5, 31))
    assert t.series_j_price.applied_price == D("0.8000")
    assert t.debenture_price.applied_price == D("1.2000")
    rows = by_name(t)
    assert rows[OTHER_HOLDERS].common == 7_860_000
    assert (rows["A Fund"].debenture_principal, rows["A Fund"].debenture_as_converted) == (D("100000.00"), 83_333)
    assert (rows["B Fund"].series_j_amount, rows["B Fund"].series_j_as_converted) == (D("400000.00"), 500_000)
    assert rows["C Fund"].warrants == 50_000
    assert t.common == 7_860_000
    assert t.fully_diluted == 7_860_000 + 83_333 + 500_000 + 50_000  # 8,493,333
    assert rows["B Fund"].fully_diluted_pct == D("5.89")  # 500,000 / 8,493,333
    assert t.cap.issued_before == 0 and t.cap.cap_shares == 1_572_000
    # reserve: ceil(150% x 583,333) + 50,000 = 875,000 + 50,000
    assert t.reserve.required_shares == 925_000
    assert t.unissued == 50_000_000 - 7_860_000
    assert t.headroom == 42_140_000 - 925_000


def test_june_5_after_the_first_conversions(deal):
    t = cap_table_as_of(datetime.date(2000, 6, 5))
    rows = by_name(t)
    assert (rows["A Fund"].common, rows["B Fund"].common, rows["C Fund"].common) == (41_667, 125_000, 10_000)
    assert t.common == 8_036_667
    assert (rows["A Fund"].debenture_principal, rows["A Fund"].debenture_as_converted) == (D("50000.00"), 41_667)
    assert (rows["B Fund"].series_j_amount, rows["B Fund"].series_j_as_converted) == (D("300000.00"), 375_000)
    assert rows["C Fund"].warrants == 40_000
    assert t.fully_diluted == 8_036_667 + 41_667 + 375_000 + 40_000  # 8,493,334
    assert t.cap.issued_before == 135_000 and t.cap.room == 1_437_000
    assert t.cap_used_pct == D("8.59")
    assert t.reserve.required_shares == 625_001 + 40_000  # ceil(1.5 x 416,667)
    assert t.headroom == 50_000_000 - 8_036_667 - 665_001


def test_june_30_matches_the_live_figures(deal):
    t = cap_table_as_of(datetime.date(2000, 6, 30))
    rows = by_name(t)
    assert t.series_j_price.applied_price == D("1.2000")  # the $1.00 days left the window
    assert rows["A Fund"].common == 83_334 and rows["A Fund"].debenture_principal == 0
    assert rows["B Fund"].series_j_as_converted == 250_000  # $300,000 / $1.20
    assert t.common == 8_078_334
    assert t.fully_diluted == 8_078_334 + 250_000 + 40_000
    # today's rebuild agrees with the figures the workflows maintain
    assert t.common == Issuer.objects.get().shares_issued
    assert t.cap.issued_before == conv_svc.cap_shares_issued()


def test_api_page_and_exports(deal, clerk, clerk_client):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_login(clerk)
    body = api.get("/api/cap-table/?as_of=2000-06-05").json()
    assert body["totals"]["fully_diluted"] == 8_493_334
    assert body["cap"]["issued_before"] == 135_000
    assert api.get("/api/cap-table/?as_of=2000-13-01").json()["field"] == "as_of"

    page = clerk_client.get("/cap-table/?as_of=2000-06-05")
    assert page.status_code == 200
    assert b"8,493,334" in page.content and b"135,000 of 1,572,000" in page.content
    assert clerk_client.get("/cap-table/?as_of=2050-01-01").status_code == 400

    rows = list(csv.reader(io.StringIO(clerk_client.get("/cap-table/export.csv?as_of=2000-06-05").content.decode())))
    assert rows[1][0] == "Holder"
    assert ["A Fund", "41667"] in [r[:2] for r in rows]
    xlsx = clerk_client.get("/cap-table/export.xlsx?as_of=2000-06-05")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert any(r[0] == "Total" and r[8] == 8_493_334 for r in values)


def test_xlsx_holds_the_csvs_cells(deal, clerk_client):
    """The XLSX is the CSV's rows: the same text in the same cells, and each number the same to one
    part in 10^15 (a spreadsheet cell holds a binary double); blanks stay blank."""
    from openpyxl import load_workbook

    csv_rows = list(csv.reader(io.StringIO(clerk_client.get("/cap-table/export.csv?as_of=2000-06-05").content.decode())))
    ws = load_workbook(io.BytesIO(clerk_client.get("/cap-table/export.xlsx?as_of=2000-06-05").content)).active
    xlsx_rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert ws.title == "Cap table" and len(xlsx_rows) == len(csv_rows) > 5
    numbers = 0
    for want_row, got_row in zip(csv_rows, xlsx_rows, strict=True):
        got_row = list(got_row) + [None] * (len(want_row) - len(got_row))
        assert all(v is None for v in got_row[len(want_row):])  # openpyxl pads a row to the widest
        for want, got in zip(want_row, got_row[:len(want_row)], strict=True):
            if want == "":
                assert got is None
            elif isinstance(got, str):
                assert got == want
            else:
                numbers += 1
                assert math.isclose(float(got), float(want), rel_tol=1e-15), (want, got)
    assert numbers > 20


def test_formula_text_is_neutralised_in_exports(deal, clerk_client):
    from deals.models import Investor

    Investor.objects.filter(legal_name="A Fund").update(legal_name='=HYPERLINK("http://x","y")')
    text = clerk_client.get("/cap-table/export.csv?as_of=2000-06-05").content.decode()
    assert "'=HYPERLINK" in text
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(clerk_client.get("/cap-table/export.xlsx?as_of=2000-06-05").content)).active
    names = [row[0].value for row in ws.iter_rows()]
    assert "'=HYPERLINK(\"http://x\",\"y\")" in names


def test_missing_bids_leave_as_converted_out_with_a_note(deal):
    MarketPrice.objects.filter(date=datetime.date(2000, 6, 2)).delete()
    t = cap_table_as_of(datetime.date(2000, 6, 5))
    assert t.debenture_as_converted is None and t.series_j_as_converted is None
    assert any("2000-06-02" in n for n in t.notes)
    assert t.fully_diluted == 8_036_667 + 40_000


def test_query_count_is_flat(deal, django_assert_max_num_queries):
    with django_assert_max_num_queries(16):
        cap_table_as_of(datetime.date(2000, 6, 5))
