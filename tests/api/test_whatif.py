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
