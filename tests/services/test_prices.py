"""Market-price CSV import (all or nothing, per-row errors) and export."""

import datetime
import time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from deals.models import MarketPrice, PriceImport
from deals.services.prices import prices_export, prices_import, prices_import_steps
from deals.terms import calendars

pytestmark = pytest.mark.django_db

HEADER = "date,closing_bid,closing_price,source\n"
GOOD = HEADER + ("2000-03-01,1.8125,1.8750,Bloomberg\n2000-03-02,1.7500,,Bloomberg\n2000-03-03,1.6875,1.7000,Bloomberg\n")


def _import(text, **kw):
    return prices_import(file_name="prices.csv", content=text, **kw)


def _errors(text, **kw):
    result = _import(text, **kw)
    assert not result.ok
    return [(e.row, e.column) for e in result.errors], [e.message for e in result.errors]


def test_good_file_is_imported_with_a_record_and_history(deal_admin):
    result = _import(GOOD, user=deal_admin)
    assert result.ok and result.applied
    assert (result.rows_total, result.rows_created, result.rows_updated) == (3, 3, 0)
    p = MarketPrice.objects.get(date=datetime.date(2000, 3, 2))
    assert p.closing_bid == Decimal("1.7500") and p.closing_price is None and p.source == "Bloomberg"
    record = PriceImport.objects.get()
    assert record.status == PriceImport.Status.APPLIED and record.uploaded_by == deal_admin
    assert len(record.sha256) == 64 and p.imported_by == record
    assert p.history.get().history_user == deal_admin


def test_closing_price_column_may_be_left_out_and_bom_is_accepted():
    result = _import("\ufeffdate,closing_bid,source\r\n2000-03-01,1.8125,Nasdaq\r\n".encode())
    assert result.ok and MarketPrice.objects.get().closing_price is None


@pytest.mark.parametrize(
    "row,column,fragment",
    [
        ("03/01/2000,1.8,,X", "date", "YYYY-MM-DD"),
        ("2000-02-30,1.8,,X", "date", "does not exist"),
        ("2000-03-04,1.8,,X", "date", "not an NYSE trading day (weekend)"),
        ("2000-07-04,1.8,,X", "date", "not an NYSE trading day"),
        ("2001-09-11,1.8,,X", "date", "not an NYSE trading day"),
        ("1998-01-02,1.8,,X", "date", "outside the calendars' range"),
        (",1.8,,X", "date", "date is empty"),
        ("2000-03-01,-1.8,,X", "closing_bid", "must be positive"),
        ("2000-03-01,0,,X", "closing_bid", "must be positive"),
        ("2000-03-01,abc,,X", "closing_bid", "not a number"),
        ("2000-03-01,NaN,,X", "closing_bid", "not a number"),
        ("2000-03-01,1.81255,,X", "closing_bid", "more than 4 decimal places"),
        ("2000-03-01,,,X", "closing_bid", "closing_bid is empty"),
        ("2000-03-01,123456789,,X", "closing_bid", "too large"),
        ("2000-03-01,1.8,-2,X", "closing_price", "must be positive"),
        ("2000-03-01,1.8,1.00001,X", "closing_price", "more than 4 decimal places"),
        ("2000-03-01,1.8,,", "source", "source is empty"),
        ("2000-03-01,1.8,X", "", "header has 4 column(s)"),
    ],
)
def test_each_kind_of_bad_row_is_reported_with_row_and_column(row, column, fragment):
    where, messages = _errors(HEADER + "2000-03-02,1.75,,ok\n" + row + "\n")
    assert where == [(3, column)]
    assert fragment in messages[0]


def test_duplicate_dates_name_the_first_row():
    where, messages = _errors(GOOD + "2000-03-01,1.9,,Bloomberg\n")
    assert where == [(5, "date")]
    assert "first on row 2" in messages[0]


@pytest.mark.parametrize(
    "header,fragment",
    [
        ("date,closing_bid,closing_price\n", "missing column(s) source"),
        ("day,closing_bid,source\n", "unknown column(s) 'day'"),
        ("date,closing_bid,source,source\n", "repeated column(s) source"),
    ],
)
def test_bad_header_is_reported_on_row_one(header, fragment):
    where, messages = _errors(header + "2000-03-01,1.8,X\n")
    assert where == [(1, "")]
    assert fragment in messages[0]


def test_empty_file_and_header_only_are_errors():
    assert "empty" in _errors("")[1][0]
    assert "no rows" in _errors(HEADER)[1][0]


def test_non_utf8_file_is_refused_in_plain_words():
    assert "not UTF-8" in _errors("date,closing_bid,source\n2000-03-01,1.8,Bör\n".encode("latin-1"))[1][0]


def test_one_bad_row_means_nothing_is_written_and_a_rejection_is_recorded(deal_admin):
    rows = "".join(
        f"{d.isoformat()},1.8,,Bloomberg\n" for d in calendars.trading_days_between(datetime.date(2000, 1, 3), datetime.date(2000, 6, 30))
    )
    result = _import(HEADER + rows + "2000-07-03,-1,,Bloomberg\n", user=deal_admin)
    assert not result.ok and result.rows_created == 0
    assert MarketPrice.objects.count() == 0
    record = PriceImport.objects.get()
    assert record.status == PriceImport.Status.REJECTED
    assert record.report["errors"][0]["column"] == "closing_bid"


def test_gaps_in_trading_days_are_warnings_not_errors():
    result = _import(HEADER + "2000-03-01,1.8,,X\n2000-03-07,1.8,,X\n")
    assert result.ok
    assert result.gaps == [datetime.date(2000, 3, 2), datetime.date(2000, 3, 3), datetime.date(2000, 3, 6)]
    assert result.warnings == ["No price for 2000-03-02..2000-03-06 (3 trading days): not in the file and not stored."]


def test_days_already_stored_do_not_count_as_gaps():
    _import(HEADER + "2000-03-02,1.8,,X\n")
    result = _import(HEADER + "2000-03-01,1.8,,X\n2000-03-03,1.8,,X\n")
    assert result.gaps == []


def test_existing_identical_rows_are_unchanged_and_different_ones_refused_unless_replace(deal_admin):
    _import(GOOD)
    again = _import(GOOD)
    assert again.ok and (again.rows_created, again.rows_unchanged) == (0, 3)

    changed = GOOD.replace("2000-03-02,1.7500", "2000-03-02,1.7000")
    where, messages = _errors(changed)
    assert where == [(3, "date")]
    assert "already stored with closing bid 1.75" in messages[0] and "replace" in messages[0]
    assert MarketPrice.objects.get(date=datetime.date(2000, 3, 2)).closing_bid == Decimal("1.75")

    replaced = _import(changed, replace=True, user=deal_admin)
    assert replaced.ok and (replaced.rows_updated, replaced.rows_unchanged) == (1, 2)
    p = MarketPrice.objects.get(date=datetime.date(2000, 3, 2))
    assert p.closing_bid == Decimal("1.7")
    assert p.history.first().history_user == deal_admin  # the update is in the history


def test_dry_run_writes_nothing():
    result = _import(GOOD, dry_run=True)
    assert result.ok and result.rows_created == 3 and "Dry run" in result.summary()
    assert MarketPrice.objects.count() == 0 and PriceImport.objects.count() == 0


def test_progress_is_streamed_before_the_result():
    rows = "".join(
        f"{d.isoformat()},1.8,,X\n" for d in calendars.trading_days_between(datetime.date(1999, 1, 4), datetime.date(2002, 12, 31))
    )
    steps = list(prices_import_steps(file_name="big.csv", content=HEADER + rows))
    progress = [s for s in steps[:-1]]
    assert {p.phase for p in progress} == {"validating", "writing"}
    assert steps[-1].ok and steps[-1].rows_created == len(rows.splitlines())


def test_export_then_import_round_trips():
    _import(GOOD)
    text = prices_export()
    assert text.splitlines()[0] == "date,closing_bid,closing_price,source"
    before = list(MarketPrice.objects.order_by("date").values_list("date", "closing_bid", "closing_price", "source"))
    MarketPrice.objects.all().delete()
    assert _import(text).rows_created == 3
    after = list(MarketPrice.objects.order_by("date").values_list("date", "closing_bid", "closing_price", "source"))
    assert after == before


def test_commands_import_and_export(tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text(GOOD)
    call_command("import_prices", str(src))
    assert MarketPrice.objects.count() == 3
    out = tmp_path / "out.csv"
    call_command("export_prices", "--from", "2000-03-02", "-o", str(out))
    assert out.read_text().splitlines()[1:] == ["2000-03-02,1.7500,,Bloomberg", "2000-03-03,1.6875,1.7000,Bloomberg"]


def test_import_command_fails_with_row_errors(tmp_path, capsys):
    src = tmp_path / "bad.csv"
    src.write_text(HEADER + "2000-03-04,1.8,,X\n")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_prices", str(src))
    assert "row 2 [date]" in capsys.readouterr().err


def test_bench_import_of_ten_years_of_prices(deal_admin):
    days = calendars.trading_days_between(datetime.date(1999, 1, 4), datetime.date(2008, 12, 31))
    text = HEADER + "".join(f"{d.isoformat()},1.{i % 9000 + 1000:04d},,bench\n" for i, d in enumerate(days))
    start = time.perf_counter()
    result = _import(text, user=deal_admin)
    elapsed = time.perf_counter() - start
    assert result.ok and result.rows_created == len(days)
    print(f"bench price_import_rows={len(days)} price_import_seconds={elapsed:.2f}")
    assert elapsed < 30
