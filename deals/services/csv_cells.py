"""CSV cells that are safe to open in a spreadsheet, and the matching check on the way in
(issue 15 item 5; OWASP "CSV Injection").

- ``safe_cell``: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  is prefixed with a single quote, so Excel, LibreOffice and Google Sheets show it as text
  instead of running it as a formula. Numbers and dates we write ourselves are left alone.
- ``unquote_cell``: the import's inverse (a quote we added is taken off again), so an export
  round-trips.
- ``control_character``: the first control character in a cell (NUL, other C0/C1 codes,
  including tab and line breaks inside a cell), or ``None``.
"""

from __future__ import annotations

import unicodedata

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def unquote_cell(text: str) -> str:
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def control_character(text: str) -> str | None:
    for ch in text:
        if unicodedata.category(ch) == "Cc":
            return ch
    return None


def describe_character(ch: str) -> str:
    """``U+0000 (NULL)`` -- how an error message names a character nobody can see."""
    name = unicodedata.name(ch, "") or {"\x00": "NULL", "\t": "TAB", "\r": "CARRIAGE RETURN", "\n": "LINE FEED"}.get(
        ch, "control character")
    return f"U+{ord(ch):04X} ({name})"
