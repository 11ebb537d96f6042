"""What-if simulator: the engine only, no database writes; a single conversion reproduces the
app's own quote exactly; the cap day and remedies' costs under a falling price."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals.selectors.whatif import PricePath, event_for, run_scenario
from deals.services import conversions as svc

D = Decimal


def test_single_conversion_reproduces_the_apps_quote(world):
    world.debenture.refresh_from_db()
    expected = svc.conversion_quote(instrument=world.debenture, amount=D("50000.00"), conversion_date=world.day,
                                    notice_method="facsimile", notice_received_date=world.day, interest_election="cash").as_dict()
    _, result = run_scenario(start=world.day, trading_days=1, path=PricePath("history"), policy="events",
                             events=[event_for(world.debenture, D("50000.00"), world.day)])
    assert result.rows[0].quotes[0]["quote"] == expected
    world.preferred.refresh_from_db()
    expected = svc.conversion_quote(instrument=world.preferred, amount=D("100000.00"), conversion_date=world.day,
                                    notice_method="facsimile", notice_received_date=world.day, interest_election="shares").as_dict()
    _, result = run_scenario(start=world.day, trading_days=1, path=PricePath("history"), policy="events", interest_election="shares",
                             events=[event_for(world.preferred, D("100000.00"), world.day)])
    assert result.rows[0].quotes[0]["quote"] == expected


def test_simulation_writes_nothing(world):
    with CaptureQueriesContext(connection) as queries:
        run_scenario(start=world.day, trading_days=60, path=PricePath("daily", price=D("1.50"), daily_pct=D("-2")), policy="max",
                     effective_date=datetime.date(2000, 8, 1), suspensions=[(datetime.date(2000, 8, 10), datetime.date(2000, 8, 20))])
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert statements and set(statements) <= {"SELECT"}, set(statements)


def test_falling_price_reaches_the_cap_and_prices_the_remedies(world):
    from deals.models import Issuer

    # a small company: 20% of 1,000,000 = 200,000 shares of cap room
    Issuer.objects.update(shares_outstanding_at_signing=1_000_000, shares_issued=1_000_000)
    _, result = run_scenario(start=world.day, trading_days=30, path=PricePath("daily", price=D("1.50"), daily_pct=D("-3")),
                             policy="max", exercise_warrants=False)
    first = result.rows[0]
    # Day 1 at $1.20 (80% of $1.50): the Debenture converts its $100,000 -> 83,333 shares (outside the cap);
    # the Series J asks 333,333 but only 200,000 fit: 240 preferred shares convert, 160 are Unconverted Shares.
    assert (first.shares_today, first.cap_used, first.cap_room, first.unconverted) == (283_333, 200_000, 0, 160)
    assert result.cap_reached_on == world.day
    # remedy (y): 160 x V x M / CP = 160 x ($1,000 + $22.85 dividends for 139 days at 6%) x $1.50 / $1.20
    assert first.remedy_y_cash == D("204570.00")
    assert first.remedy_x_shares > 0
    assert result.rows[-1].bid == D("0.6201")  # $1.50 x 0.97^29
    assert first.existing_holders_pct == D("77.92")  # 1,000,000 / 1,283,333


def test_page_runs_and_exports_csv(world, clerk_client):
    from deals.models import Conversion

    data = {"start": "2000-06-01", "trading_days": "40", "path": "daily", "price": "1.50", "daily_pct": "-1", "policy": "max",
            "exercise_warrants": "on", "interest_election": "cash"}
    page = clerk_client.post("/what-if/", data)
    assert page.status_code == 200
    assert b"whatif-chart-data" in page.content and b"data-testid=\"whatif-table\"" in page.content
    csv_text = clerk_client.post("/what-if/", {**data, "csv": "1"}).content.decode()
    lines = csv_text.splitlines()
    assert lines[0].startswith("Day,Closing bid") and len(lines) == 41
    assert Conversion.objects.count() == 0


def test_page_validation_and_csv_path(world, clerk_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = clerk_client.post("/what-if/", {"start": "2000-06-01", "trading_days": "5", "path": "flat", "policy": "single",
                                         "interest_election": "cash"})
    assert r.status_code == 400
    assert b"Enter the starting closing bid" in r.content and b"Choose the instrument that converts." in r.content
    upload = SimpleUploadedFile("p.csv", b"date,closing_bid\n2000-06-01,1.40\n2000-06-02,abc\n")
    r = clerk_client.post("/what-if/", {"start": "2000-06-01", "trading_days": "2", "path": "csv", "policy": "none",
                                         "interest_election": "cash", "csv_file": upload})
    assert r.status_code == 400 and b"Row 3" in r.content
    assert clerk_client.get("/what-if/").status_code == 200
