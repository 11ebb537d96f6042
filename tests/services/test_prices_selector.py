"""Issue 15 item 21: one place loads prices (deals.selectors.prices); nothing else queries
MarketPrice for a look-back."""

import datetime
import pathlib
import re
from decimal import Decimal

from deals.models import MarketPrice
from deals.selectors.prices import price_on, prices_between, prices_for

ROOT = pathlib.Path(__file__).resolve().parents[2]
D = Decimal


def test_prices_between_for_and_on(db):
    d1, d2, d3 = datetime.date(2000, 6, 1), datetime.date(2000, 6, 2), datetime.date(2000, 6, 5)
    MarketPrice.objects.create(date=d1, closing_bid=D("1.5000"), closing_price=D("1.5500"))
    MarketPrice.objects.create(date=d2, closing_bid=D("1.2500"), closing_price=None)
    assert prices_between(d1, d3) == {d1: D("1.5000"), d2: D("1.2500")}
    assert prices_between(d1, d3, "closing_price") == {d1: D("1.5500")}  # a day without the field is left out
    assert prices_between(d3, d1) == {}
    assert prices_for([d2, d1]) == {d1: D("1.5000"), d2: D("1.2500")}
    assert prices_for([]) == {}
    assert price_on(d2) == D("1.2500") and price_on(d3) is None


def test_no_other_module_queries_prices_for_a_window():
    allowed = {"deals/selectors/prices.py", "deals/services/prices.py", "deals/admin.py", "deals/demo.py", "deals/api/views.py"}
    pattern = re.compile(r"MarketPrice\.objects\.(filter|get)\(")
    offenders = []
    for base in ("deals", "notices"):
        for path in (ROOT / base).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if rel in allowed or "/migrations/" in rel or "/ocf/" in rel:
                continue
            offenders += [f"{rel}:{n}" for n, line in enumerate(path.read_text().splitlines(), 1) if pattern.search(line)]
    assert not offenders, offenders
