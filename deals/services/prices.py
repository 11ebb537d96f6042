"""Market prices: CSV import (all-or-nothing) and export.

The CSV has a header row ``date,closing_bid,closing_price,source``
(``closing_price`` may be left out, as a column or per row). Rows are
checked one by one and every problem is reported with its row number (the
line in the file; the header is row 1), column and a plain message:

- ``date``: ISO ``YYYY-MM-DD``; an NYSE trading day (``deals.terms.calendars``)
  -- the closing bids feed SPA 1(b)(ix), 4(h), 4(i)(x) and Debenture 4(A),
  which only count trading days; once per file.
- ``closing_bid`` / ``closing_price``: positive decimals with at most 4
  decimal places (the agreements quote $1.4375).
- ``source``: not empty (where the figure comes from); a leading quote that
  our export put before a formula-looking value is taken off again.
- every cell: no control characters (NUL, other C0/C1 codes, tabs or line
  breaks inside a cell); numbers and dates in the ASCII digits 0-9 only
  (Python would read Arabic-Indic or full-width digits as numbers).

Dates already stored: a row with the same figures is left alone
("unchanged"); a row with different figures is refused unless the caller
asks to replace (``replace=True``; the admin's "Replace existing prices"
box, ``import_prices --replace``), because conversions already priced from
the stored figure keep their own snapshot and a silent overwrite would
make the price history disagree with them. Trading days between the
file's first and last date with no price in the file nor in the database
are reported as warnings (gaps), not errors.

Replacing the price of a date a recorded conversion's look-back used (issue 12) is
held: nothing is written and ``result.held`` names the dates, until a second deal
admin approves the correction (``deals.services.approvals.price_import_submit``;
``approved=True`` applies it).

Nothing is written unless every row is valid; then new rows are created and
replaced rows updated in one transaction (bulk, with history rows naming the
user), and a ``PriceImport`` records the file, its SHA-256 and the report.
A rejected import is recorded too (status "rejected"); a dry run records
nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from deals.models import MarketPrice, PriceImport
from deals.services.csv_cells import control_character, describe_character, safe_cell, unquote_cell
from deals.terms import calendars
from deals.terms.errors import CalendarRangeError

COLUMNS = ("date", "closing_bid", "closing_price", "source")
REQUIRED = ("date", "closing_bid", "source")
MAX_ERRORS = 1000
PROGRESS_EVERY = 500
_ISO = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")  # ASCII digits only (\d would admit any script's)
_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")
_MAX_INTEGER_DIGITS = 8  # price_field: 12 digits, 4 after the point


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class PriceRow:
    row: int
    date: date
    closing_bid: Decimal
    closing_price: Decimal | None
    source: str


@dataclass(frozen=True)
class ImportProgress:
    """Progress of an import: ``phase`` is "validating" or "writing"."""

    phase: str
    done: int
    total: int

    def as_dict(self) -> dict:
        return {"type": "progress", "phase": self.phase, "done": self.done, "total": self.total}


@dataclass
class PriceImportResult:
    file_name: str
    sha256: str
    dry_run: bool
    rows_total: int = 0
    rows_created: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    first_date: date | None = None
    last_date: date | None = None
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    gaps: list[date] = field(default_factory=list)
    errors_truncated: bool = False
    price_import: PriceImport | None = None
    # dates whose stored price a recorded conversion used: replacing them waits for a second deal
    # admin (issue 12; ``deals.services.approvals.price_import_submit``); nothing written meanwhile
    held: list[date] = field(default_factory=list)
    held_conversions: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def applied(self) -> bool:
        return self.ok and not self.dry_run and not self.held

    def summary(self) -> str:
        if not self.ok:
            more = " (first 1,000 shown)" if self.errors_truncated else ""
            return (
                f"{self.file_name}: {len(self.errors)} error(s){more} in {self.rows_total} row(s); "
                "nothing was imported."
            )
        if self.held and not self.dry_run:
            return (
                f"{self.file_name}: {len(self.held)} date(s) replace prices that recorded conversions used "
                f"({', '.join(d.isoformat() for d in self.held[:5])}{' ...' if len(self.held) > 5 else ''}); "
                "nothing was written -- the correction waits for a second deal admin's approval."
            )
        verb = "would create" if self.dry_run else "created"
        span = f" from {self.first_date.isoformat()} to {self.last_date.isoformat()}" if self.first_date else ""
        return (
            f"{self.file_name}: {self.rows_total} row(s){span}; {verb} {self.rows_created}, "
            f"{'would update' if self.dry_run else 'updated'} {self.rows_updated}, unchanged {self.rows_unchanged}."
            + (f" {len(self.gaps)} trading day(s) without a price (see warnings)." if self.gaps else "")
            + (" Dry run: nothing was written." if self.dry_run else "")
        )

    def as_dict(self) -> dict:
        return {
            "type": "result",
            "ok": self.ok,
            "dry_run": self.dry_run,
            "summary": self.summary(),
            "file_name": self.file_name,
            "sha256": self.sha256,
            "rows_total": self.rows_total,
            "rows_created": self.rows_created,
            "rows_updated": self.rows_updated,
            "rows_unchanged": self.rows_unchanged,
            "first_date": self.first_date.isoformat() if self.first_date else None,
            "last_date": self.last_date.isoformat() if self.last_date else None,
            "errors": [e.as_dict() for e in self.errors],
            "errors_truncated": self.errors_truncated,
            "held": [d.isoformat() for d in self.held],
            "warnings": list(self.warnings),
            "price_import_id": self.price_import.pk if self.price_import else None,
        }


def _price(raw: str, column: str, row: int, errors: list[RowError], *, required: bool) -> Decimal | None:
    raw = raw.strip().lstrip("$")
    if not raw:
        if required:
            errors.append(RowError(row, column, f"{column} is empty; give a price such as 1.4375."))
        return None
    foreign = next((ch for ch in raw if ch.isdigit() and not ch.isascii()), None)
    if foreign is not None:
        errors.append(RowError(row, column, f"{column} {raw!r} uses the digit {foreign!r} ({describe_character(foreign)}); "
                                            "write prices with the digits 0-9, like 1.4375."))
        return None
    if not _NUMBER.match(raw):
        errors.append(RowError(row, column, f"{column} {raw!r} is not a number; write it like 1.4375."))
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        errors.append(RowError(row, column, f"{column} {raw!r} is not a number; write it like 1.4375."))
        return None
    if not value.is_finite():
        errors.append(RowError(row, column, f"{column} {raw!r} is not a number; write it like 1.4375."))
        return None
    if value <= 0:
        errors.append(RowError(row, column, f"{column} must be positive, not {raw}."))
        return None
    if value.as_tuple().exponent < -4:
        errors.append(RowError(row, column, f"{column} {raw} has more than 4 decimal places."))
        return None
    if value.adjusted() >= _MAX_INTEGER_DIGITS:
        errors.append(RowError(row, column, f"{column} {raw} is too large (at most 8 digits before the point)."))
        return None
    return value


def _date(raw: str, row: int, errors: list[RowError], seen: dict[date, int]) -> date | None:
    raw = raw.strip()
    if not raw:
        errors.append(RowError(row, "date", "date is empty; write it as YYYY-MM-DD, e.g. 2000-03-06."))
        return None
    if not _ISO.match(raw):
        errors.append(RowError(row, "date", f"date {raw!r} is not in YYYY-MM-DD form (e.g. 2000-03-06)."))
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        errors.append(RowError(row, "date", f"date {raw} does not exist in the calendar."))
        return None
    try:
        if not calendars.is_trading_day(day):
            why = calendars.trading_closure_reason(day) or "exchange closed"
            errors.append(
                RowError(row, "date", f"{raw} is not an NYSE trading day ({why}); closing bids exist only on trading days.")
            )
            return None
    except CalendarRangeError as exc:
        errors.append(RowError(row, "date", str(exc)))
        return None
    if day in seen:
        errors.append(RowError(row, "date", f"{raw} appears twice in the file (first on row {seen[day]})."))
        return None
    seen[day] = row
    return day


def _decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content
    return content.decode("utf-8-sig")


def _csv_rows(reader, errors: list[RowError]) -> Iterator[list[str]]:
    """The reader's rows; a line the csv module cannot read (a cell over its size limit, a stray
    quote in strict mode) ends the file with an error on that row instead of an exception."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            errors.append(RowError(reader.line_num, "", f"This line is not readable as CSV ({exc}); nothing was imported."))
            return


def _parse(text: str, errors: list[RowError]) -> Iterator[ImportProgress | PriceRow]:
    """Validate every row; yield progress and the valid rows."""
    lines = text.splitlines()
    total = max(0, sum(1 for line in lines[1:] if line.strip()))
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except csv.Error as exc:
        errors.append(RowError(1, "", f"The header line is not readable as CSV ({exc})."))
        return
    except StopIteration:
        errors.append(RowError(1, "", "The file is empty; the first line must be date,closing_bid,closing_price,source."))
        return
    names = [h.strip().lower() for h in header]
    unknown = [n for n in names if n not in COLUMNS]
    missing = [n for n in REQUIRED if n not in names]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if unknown or missing or dupes:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column(s) {', '.join(repr(u) for u in unknown)}")
        if dupes:
            parts.append(f"repeated column(s) {', '.join(dupes)}")
        errors.append(
            RowError(1, "", "Header: " + "; ".join(parts) + ". Expected: date,closing_bid,closing_price,source "
                     "(closing_price optional).")
        )
        return
    index = {n: i for i, n in enumerate(names)}
    seen: dict[date, int] = {}
    done = 0
    last_line = reader.line_num
    for values in _csv_rows(reader, errors):
        row, last_line = last_line + 1, reader.line_num  # the line the record starts on (a quoted cell may span lines)
        if not any(v.strip() for v in values):
            continue
        done += 1
        if done % PROGRESS_EVERY == 0:
            yield ImportProgress("validating", done, total)
        if len(values) != len(names):
            errors.append(
                RowError(row, "", f"row has {len(values)} value(s) but the header has {len(names)} column(s).")
            )
            continue
        n_errors = len(errors)
        bad_cells = [(names[i], v, ch) for i, v in enumerate(values) if (ch := control_character(v)) is not None]
        for column, _value, ch in bad_cells:
            errors.append(RowError(row, column, f"{column} contains the control character {describe_character(ch)}; "
                                                "remove it (only printable text is accepted)."))
        if bad_cells:
            continue
        day = _date(values[index["date"]], row, errors, seen)
        bid = _price(values[index["closing_bid"]], "closing_bid", row, errors, required=True)
        close = _price(values[index["closing_price"]], "closing_price", row, errors, required=False) if (
            "closing_price" in index
        ) else None
        source = unquote_cell(values[index["source"]].strip())
        if not source:
            errors.append(RowError(row, "source", "source is empty; say where the figure comes from (e.g. Bloomberg)."))
        elif len(source) > 200:
            errors.append(RowError(row, "source", f"source is {len(source)} characters long; at most 200."))
        if len(errors) == n_errors:
            yield PriceRow(row, day, bid, close, source)
    yield ImportProgress("validating", done, total)


def _gap_warnings(gaps: list[date]) -> list[str]:
    """Group missing trading days into runs: 'No price for 2000-03-08..2000-03-10 (3 trading days)'."""
    runs: list[list[date]] = []
    for d in gaps:
        if runs and calendars.add_trading_days(runs[-1][-1], 1) == d:
            runs[-1].append(d)
        else:
            runs.append([d])
    out = []
    for run in runs:
        span = run[0].isoformat() if len(run) == 1 else f"{run[0].isoformat()}..{run[-1].isoformat()}"
        out.append(f"No price for {span} ({len(run)} trading day{'s' if len(run) > 1 else ''}): "
                   "not in the file and not stored.")
    return out


def prices_import_steps(
    *,
    file_name: str,
    content: bytes | str,
    user=None,
    dry_run: bool = False,
    replace: bool = False,
    approved: bool = False,
) -> Iterator[ImportProgress | PriceImportResult]:
    """The import as a stream of progress events ending with the result (the admin's upload
    page streams them to its progress bar). See the module docstring for the rules."""
    raw = content.encode() if isinstance(content, str) else content
    result = PriceImportResult(file_name=file_name, sha256=hashlib.sha256(raw).hexdigest(), dry_run=dry_run)
    errors: list[RowError] = []
    rows: list[PriceRow] = []
    try:
        text = _decode(content)
    except UnicodeDecodeError as exc:
        errors.append(RowError(1, "", f"The file is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8."))
        text = ""
    if text:
        for item in _parse(text, errors):
            if isinstance(item, ImportProgress):
                result.rows_total = item.done
                yield item
            else:
                rows.append(item)
    elif not errors:
        errors.append(RowError(1, "", "The file is empty; the first line must be date,closing_bid,closing_price,source."))
    if rows:
        result.first_date = min(r.date for r in rows)
        result.last_date = max(r.date for r in rows)

    if not errors and rows:
        yield ImportProgress("writing", 0, len(rows))
        try:
            with transaction.atomic():
                _write(result, rows, errors, user=user, replace=replace, approved=approved)
                if errors or dry_run or result.held:
                    transaction.set_rollback(True)
        except IntegrityError:
            errors.append(
                RowError(0, "date", "Another import stored prices for some of these dates meanwhile; try again.")
            )
        yield ImportProgress("writing", len(rows), len(rows))
    elif not errors:
        errors.append(RowError(2, "", "The file has a header but no rows."))

    result.errors_truncated = len(errors) > MAX_ERRORS
    result.errors = sorted(errors, key=lambda e: (e.row, COLUMNS.index(e.column) if e.column in COLUMNS else -1))[
        :MAX_ERRORS
    ]
    if result.errors:
        result.rows_created = result.rows_updated = result.rows_unchanged = 0
        if not dry_run:
            result.price_import = PriceImport.objects.create(
                file_name=file_name[:255],
                sha256=result.sha256,
                uploaded_by=user,
                status=PriceImport.Status.REJECTED,
                rows_total=result.rows_total,
                report=_report(result),
            )
    yield result


def _write(result: PriceImportResult, rows: list[PriceRow], errors: list[RowError], *, user, replace: bool,
           approved: bool = False) -> None:
    """Inside the transaction: compare with stored rows (locked), then bulk create/update."""
    existing = {
        p.date: p
        for p in MarketPrice.objects.select_for_update().filter(date__range=(result.first_date, result.last_date))
    }
    to_create: list[MarketPrice] = []
    to_update: list[MarketPrice] = []
    for r in rows:
        old = existing.get(r.date)
        if old is None:
            to_create.append(MarketPrice(date=r.date, closing_bid=r.closing_bid, closing_price=r.closing_price,
                                         source=r.source))
            continue
        same = old.closing_bid == r.closing_bid and old.closing_price == r.closing_price and old.source == r.source
        if same:
            result.rows_unchanged += 1
        elif replace:
            old.closing_bid, old.closing_price, old.source = r.closing_bid, r.closing_price, r.source
            to_update.append(old)
        else:
            errors.append(
                RowError(
                    r.row,
                    "date",
                    f"{r.date.isoformat()} is already stored with closing bid {old.closing_bid}"
                    f"{f', closing price {old.closing_price}' if old.closing_price is not None else ''}"
                    f" ({old.source}); the file says {r.closing_bid}"
                    f"{f', {r.closing_price}' if r.closing_price is not None else ''} ({r.source}). "
                    "Tick 'replace existing prices' (or --replace) to overwrite.",
                )
            )
    stored = set(existing)
    in_file = {r.date for r in rows}
    result.gaps = [
        d for d in calendars.trading_days_between(result.first_date, result.last_date) if d not in in_file and d not in stored
    ]
    result.warnings = _gap_warnings(result.gaps)
    result.rows_created, result.rows_updated = len(to_create), len(to_update)
    if errors:
        return
    if to_update and not approved:
        from deals.selectors.conversions import price_dates_used

        used = price_dates_used(p.date for p in to_update)
        if used:
            result.held = sorted(used)
            result.held_conversions = sorted({pk for ids in used.values() for pk in ids})
            return
    record = PriceImport.objects.create(
        file_name=result.file_name[:255],
        sha256=result.sha256,
        uploaded_by=user,
        status=PriceImport.Status.APPLIED,
        rows_total=result.rows_total,
        rows_created=len(to_create),
        rows_updated=len(to_update),
        report={},
    )
    for p in to_create:
        p.imported_by = record
    for p in to_update:
        p.imported_by = record
    reason = f"CSV import {result.file_name[:60]}"
    if to_create:
        bulk_create_with_history(to_create, MarketPrice, batch_size=1000, default_user=user,
                                 default_change_reason=reason)
    if to_update:
        bulk_update_with_history(to_update, MarketPrice, ["closing_bid", "closing_price", "source", "imported_by"],
                                 batch_size=1000, default_user=user, default_change_reason=reason)
    record.report = _report(result)
    record.save(update_fields=["report"])
    result.price_import = record


def _report(result: PriceImportResult) -> dict:
    return {
        "errors": [e.as_dict() for e in result.errors[:MAX_ERRORS]],
        "warnings": result.warnings[:200],
        "gaps": len(result.gaps),
        "rows_unchanged": result.rows_unchanged,
        "first_date": result.first_date.isoformat() if result.first_date else None,
        "last_date": result.last_date.isoformat() if result.last_date else None,
    }


@transaction.atomic
def prices_import(
    *,
    file_name: str,
    content: bytes | str,
    user=None,
    dry_run: bool = False,
    replace: bool = False,
    approved: bool = False,
) -> PriceImportResult:
    """Validate and import a market-price CSV, all or nothing (see the module docstring).
    ``approved``: a second deal admin approved replacing prices recorded conversions used."""
    result = None
    for item in prices_import_steps(file_name=file_name, content=content, user=user, dry_run=dry_run, replace=replace,
                                    approved=approved):
        result = item
    assert isinstance(result, PriceImportResult)
    return result


def prices_export(*, prices: Iterable[MarketPrice] | None = None, start: date | None = None,
                  end: date | None = None) -> str:
    """CSV text in the import format (date,closing_bid,closing_price,source), oldest first. The
    free-text source is written through ``safe_cell`` (a formula-looking cell gets a leading quote)."""
    if prices is None:
        qs = MarketPrice.objects.order_by("date")
        if start:
            qs = qs.filter(date__gte=start)
        if end:
            qs = qs.filter(date__lte=end)
        prices = qs.only("date", "closing_bid", "closing_price", "source").iterator(chunk_size=2000)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for p in prices:
        writer.writerow([p.date.isoformat(), p.closing_bid, "" if p.closing_price is None else p.closing_price,
                         safe_cell(p.source)])
    return out.getvalue()
