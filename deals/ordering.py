"""Natural order for instrument numbers: D-2 before D-10, J-9 before J-12.

Numbers within a kind share their prefix (``D-``, ``J-``, ``W-``), so ordering by
length first and then by text puts the numeric part in numeric order. One helper
for the database (``natural``) and one for Python lists (``natural_key``)."""

from __future__ import annotations

import re

from django.db.models import F
from django.db.models.functions import Length


def natural(field: str) -> list:
    """``order_by(*natural("number"))``."""
    return [Length(field).asc(), F(field).asc()]


def natural_key(text: str) -> tuple:
    """Sort key splitting digits from the rest: ``sorted(xs, key=lambda x: natural_key(x.number))``."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text or ""))
