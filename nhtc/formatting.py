"""How figures are written -- on pages, in messages and on notices: the one money, price and
share formatter (issue 15 items 18, 21). Plain functions of Decimal/date (or the strings a
computation snapshot stores), tolerant of ``None`` and of values they cannot parse, which
are shown as recorded rather than dropped. Negative amounts carry a true minus sign before
the currency sign: "−$100.00". Templates use them as filters (``{{ x|money }}``,
``nhtc.templatetags_formatting``, a template builtin)."""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

DASH = "\u2014"
MINUS = "\u2212"


def _dec(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):  # never produced by us; snapshots store strings
        value = repr(value)
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _signed(d: Decimal, places: str) -> str:
    q = d.quantize(Decimal(places), rounding=ROUND_HALF_UP)
    return f"{MINUS if q < 0 else ''}${abs(q):,}"


def money(value) -> str:
    """$1,234.56 (cents, half up); negative: −$100.00."""
    d = _dec(value)
    if d is None:
        return DASH if value in (None, "") else str(value)
    return _signed(d, "0.01")


def price(value) -> str:
    """A per-share price with 4 decimal places, the precision the agreements quote ($1.4375)."""
    d = _dec(value)
    if d is None:
        return DASH if value in (None, "") else str(value)
    return _signed(d, "0.0001")


def exact(value) -> str:
    """An exact intermediate figure (e.g. an unrounded average): as stored, thousands separated."""
    d = _dec(value)
    if d is None:
        return DASH if value in (None, "") else str(value)
    return f"{d.normalize():,f}" if d == d.to_integral_value() else f"{d:,}"


def shares(value) -> str:
    """Whole shares with thousands separators; fractional inputs shown as given."""
    d = _dec(value)
    if d is None:
        return DASH if value in (None, "") else str(value)
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d.normalize():,f}"


def percent(value) -> str:
    d = _dec(value)
    if d is None:
        return DASH if value in (None, "") else str(value)
    return f"{d.normalize():f}%"


def as_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def long_date(value) -> str:
    """May 15, 2000."""
    d = as_date(value)
    if d is None:
        return DASH if value in (None, "") else str(value)
    return f"{d:%B} {d.day}, {d.year}"


def short_date(value) -> str:
    """2000-05-15."""
    d = as_date(value)
    if d is None:
        return DASH if value in (None, "") else str(value)
    return d.isoformat()


def yes_no(value) -> str:
    if value is None:
        return DASH
    return "yes" if value else "no"


def humanize_key(key: str) -> str:
    """``discounted_price`` -> ``Discounted price``."""
    text = str(key).replace("_pct", " (%)").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


_FILE_SAFE = re.compile(r"[^A-Za-z0-9.]+")


def file_part(value: str) -> str:
    """A piece of a download file name: letters, digits, dots and single hyphens."""
    return _FILE_SAFE.sub("-", str(value)).strip("-.") or "x"
