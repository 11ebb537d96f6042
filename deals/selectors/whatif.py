"""Load a what-if scenario from the records (read only) and run the engine's simulator.

The inputs are the ones ``conversion_quote`` uses (terms in force, cap shares issued, the
Issuer's share counts, outstanding warrant shares, registration effective dates), so a
single-conversion scenario reproduces the app's own quote exactly."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from deals.models import Debenture, InstrumentStatus, Issuer, PreferredHolding, Warrant
from deals.selectors.conversions import instrument_key
from deals.selectors.prices import prices_between
from deals.selectors.terms import TermsBook
from deals.services.conversions import (
    WorkflowError,
    _effective_date,
    cap_shares_issued,
)
from deals.terms import calendars
from deals.terms.conversion import PaymentForm
from deals.terms.errors import MissingPrices, TermsError
from deals.terms.params import DEBENTURE, PREFERRED, DealTerms, group_of
from deals.terms.rounding import to_price
from deals.terms.whatif import DebentureIn, Event, PreferredIn, Result, Scenario, WarrantIn, simulate

LOOKBACK_TRADING_DAYS = 65  # covers the 60-day remedy (x) window and the 20-day Series J look-back


@dataclass(frozen=True)
class PricePath:
    kind: str  # history | flat | daily | csv
    price: Decimal | None = None
    daily_pct: Decimal | None = None
    csv_rows: dict | None = None


def parse_price_csv(text: str) -> dict[datetime.date, Decimal]:
    """``date,closing_bid`` rows (header optional). WorkflowError naming the first bad row."""
    out = {}
    for n, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or (n == 1 and row[0].strip().lower() == "date"):
            continue
        if len(row) < 2:
            raise WorkflowError(f"Row {n}: expected 'date,closing_bid', got {','.join(row)!r}.", code="csv", field="csv_file")
        try:
            day = datetime.date.fromisoformat(row[0].strip())
            bid = Decimal(row[1].strip())
        except (ValueError, InvalidOperation):
            raise WorkflowError(f"Row {n}: {row[0]!r} is not a date (YYYY-MM-DD) or {row[1]!r} not a price.", code="csv", field="csv_file")
        if not bid.is_finite() or bid <= 0 or bid > Decimal("99999999"):
            raise WorkflowError(f"Row {n}: the closing bid must be a positive price, not {row[1]}.", code="csv", field="csv_file")
        out[day] = to_price(bid)
    if not out:
        raise WorkflowError("The CSV has no price rows.", code="csv", field="csv_file")
    return out


def scenario_days(start: datetime.date, count: int) -> tuple[datetime.date, ...]:
    first = start if calendars.is_trading_day(start) else calendars.add_trading_days(start, 1)
    return tuple([first] + [calendars.add_trading_days(first, i) for i in range(1, count)])


class _ScenarioTerms:
    """The scenario's terms (the columns, the SPA's cap, reserve and remedies, the RRA): the
    first Series J financing's terms in force on the start day with the debenture terms of the
    first debenture issue; and each instrument's own financing's terms in force (issue 18: a
    Series K holding is priced with Series K terms)."""

    def __init__(self, issuer: Issuer, day: datetime.date):
        self.book = TermsBook()
        self.day = day
        mine = [fin for fin in self.book.financings() if fin.issuer_id == issuer.pk]
        self.spa = next((fin for fin in mine if fin.terms_kind == PREFERRED), None)
        deb = next((fin for fin in mine if fin.terms_kind == DEBENTURE), None)
        if self.spa is None and deb is None:
            raise WorkflowError("No financing with deal terms is recorded yet.", code="no_terms")
        base = self.book.in_force(financing=self.spa or deb, day=day).terms
        if self.spa is not None and deb is not None:
            other = self.book.in_force(financing=deb, day=day).terms
            base = base.with_changes(**{n: getattr(other, n) for n in DealTerms.field_names() if group_of(n) == DEBENTURE})
        self.base = base
        self._own: dict[int, DealTerms] = {}

    def of(self, financing_id: int) -> DealTerms | None:
        """The instrument's own terms (None: the Series J financing's, i.e. the scenario's).
        ``TermsUnavailable`` (naming the financing and the day) when none is in force."""
        if self.spa is not None and financing_id == self.spa.pk:
            return None
        if financing_id not in self._own:
            self._own[financing_id] = self.book.in_force(financing=financing_id, day=self.day).terms
        return self._own[financing_id]


def build_scenario(
    *, start: datetime.date, trading_days: int, path: PricePath, policy: str, events=(), exercise_warrants: bool = True,
    interest_election: str = "cash", effective_date: datetime.date | None = None, suspensions=(),
) -> Scenario:
    try:
        days = scenario_days(start, trading_days)
        history_from = calendars.trading_days_before(days[0], LOOKBACK_TRADING_DAYS)[0]
    except TermsError as err:
        raise WorkflowError(f"The scenario's dates fall outside the trading calendars: {err}", code="calendar", field="start")
    issuer = Issuer.objects.order_by("pk").first()
    if issuer is None:
        raise WorkflowError("No Issuer is recorded yet.", code="no_issuer")
    book = _ScenarioTerms(issuer, days[0])
    terms = book.base
    last = days[-1] if path.kind == "history" else days[0] - datetime.timedelta(days=1)
    bids = prices_between(history_from, last)
    if path.kind in ("flat", "daily"):
        level = path.price
        for i, d in enumerate(days):
            bids[d] = to_price(level) if path.kind == "flat" else to_price(level * (1 + path.daily_pct / 100) ** i)
    elif path.kind == "csv":
        for d in days:
            if d in path.csv_rows:
                bids[d] = path.csv_rows[d]
        missing = [d for d in days if d not in bids]
        if missing:
            shown = ", ".join(x.isoformat() for x in missing[:5])
            raise WorkflowError(f"The CSV has no closing bid for {len(missing)} scenario day(s): {shown}.", code="csv", field="csv_file")
    debs = [
        DebentureIn(instrument_key(d), d.investor.legal_name, d.principal, d.principal - d.principal_outstanding, d.closing_date,
                    d.issue_date, d.interest_paid_through, _effective_date(d.financing_id), d.dated_date, book.of(d.financing_id),
                    d.financing_id)
        for d in Debenture.objects.select_related("investor").filter(status=InstrumentStatus.OUTSTANDING).order_by("number")
    ]
    prefs = [
        PreferredIn(instrument_key(p), p.investor.legal_name, p.liquidation_preference,
                    p.liquidation_preference - p.liquidation_preference_outstanding, p.closing_date, p.purchase_price,
                    book.of(p.financing_id), p.financing_id)
        for p in PreferredHolding.objects.select_related("investor").filter(status=InstrumentStatus.OUTSTANDING)
        .order_by("certificate_number")
    ]
    warrants = [
        WarrantIn(f"warrant:{w.pk}", w.investor.legal_name, w.shares_remaining, w.exercise_price, w.expiry_date)
        for w in Warrant.objects.select_related("investor").filter(status=InstrumentStatus.OUTSTANDING).order_by("number")
    ]
    series_j_closing = min((p.closing_date for p in prefs), default=None)
    return Scenario(
        terms=terms, days=days, bids=bids, debentures=debs, preferred=prefs, warrants=warrants, policy=policy,
        events=tuple(events), exercise_warrants=exercise_warrants, interest_election=PaymentForm(interest_election),
        shares_outstanding_at_signing=issuer.shares_outstanding_at_signing, issued_shares=issuer.shares_issued,
        authorized_shares=issuer.authorized_common_shares, cap_shares_issued=cap_shares_issued(),
        initial_closing_date=series_j_closing, effective_date=effective_date, suspensions=tuple(suspensions),
    )


def run_scenario(**kwargs) -> tuple[Scenario, Result]:
    scenario = build_scenario(**kwargs)
    try:
        return scenario, simulate(scenario)
    except MissingPrices as err:
        shown = ", ".join(d.isoformat() for d in err.dates[:5])
        raise WorkflowError(
            f"No closing bid for {shown}: import the prices or choose a flat, daily-% or CSV price path.", code="missing_prices",
            missing_dates=err.dates,
        )
    except TermsError as err:
        raise WorkflowError(str(err), code="terms")


def event_for(instrument, amount: Decimal, day: datetime.date) -> Event:
    return Event(day, instrument_key(instrument), amount)
