"""Issue 15 item 5: the price export neutralises formula cells (OWASP: a leading single quote);
the import refuses control characters and non-ASCII digits with a per-row error."""

import csv
import io
from decimal import Decimal

import pytest

from deals.models import MarketPrice, PriceImport
from deals.services.csv_cells import control_character, safe_cell, unquote_cell
from deals.services.prices import prices_export, prices_import

HEADER = "date,closing_bid,closing_price,source\n"


@pytest.mark.parametrize(("value", "expected"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+1+1", "'+1+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"), ("\rcmd", "'\rcmd"),
    ("Bloomberg", "Bloomberg"), ("a=b", "a=b"), ("", ""), (None, ""),
])
def test_safe_cell_prefixes_formula_starts_with_a_quote(value, expected):
    assert safe_cell(value) == expected
    assert unquote_cell(safe_cell(value)) == ("" if value is None else value)


def test_unquote_leaves_an_ordinary_leading_quote():
    assert unquote_cell("'quoted'") == "'quoted'"


def test_control_character_finds_nul_and_friends():
    assert control_character("ok text") is None
    assert control_character("a\x00b") == "\x00"
    assert control_character("a\x1bb") == "\x1b"
    assert control_character("caf\u00e9") is None


@pytest.mark.django_db
@pytest.mark.parametrize("source", ["=1+2", "+cmd|' /C calc'!A0", "-1", "@SUM(1)"])
def test_export_neutralises_a_formula_source_and_the_import_round_trips(source):
    MarketPrice.objects.create(date="2000-03-01", closing_bid=Decimal("1.8125"), source=source)
    text = prices_export()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][3] == "'" + source  # a spreadsheet shows text, runs nothing
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)
    MarketPrice.objects.all().delete()
    result = prices_import(file_name="p.csv", content=text)
    assert result.ok, result.errors
    assert MarketPrice.objects.get().source == source


@pytest.mark.django_db
@pytest.mark.parametrize(("line", "column", "fragment"), [
    ("2000-03-01,1.8125,,Bloom\x00berg", "source", "U+0000"),
    ("2000-03-01,1.8\x00125,,Bloomberg", "closing_bid", "control character U+0000"),
    ("2000-03-01,1.8125,,\"Bloom\nberg\"", "source", "U+000A"),
    ("2000-03-01,1.8125,,Bloom\x1bberg", "source", "U+001B"),
    ("2000-03-01,\u0661.\u0668,,Bloomberg", "closing_bid", "ARABIC-INDIC DIGIT"),
    ("2000-03-01,1.8125,\uff11.9,Bloomberg", "closing_price", "FULLWIDTH DIGIT ONE"),
    ("\u0662\u0660\u0660\u0660-03-01,1.8125,,Bloomberg", "date", "YYYY-MM-DD"),
])
def test_import_refuses_control_characters_and_foreign_digits_per_row(line, column, fragment):
    result = prices_import(file_name="p.csv", content=HEADER + "2000-03-02,1.7500,,Bloomberg\n" + line + "\n")
    assert not result.ok and not result.applied
    assert [(e.row, e.column) for e in result.errors] == [(3, column)]
    assert fragment in result.errors[0].message
    assert not MarketPrice.objects.exists()
    assert PriceImport.objects.get().status == PriceImport.Status.REJECTED


@pytest.mark.django_db
def test_a_line_the_csv_module_cannot_read_is_an_error_not_a_crash():
    huge = "x" * (csv.field_size_limit() + 10)
    result = prices_import(file_name="p.csv", content=HEADER + f"2000-03-01,1.8,,{huge}\n")
    assert not result.ok and "not readable as CSV" in result.errors[0].message
    assert not MarketPrice.objects.exists()
