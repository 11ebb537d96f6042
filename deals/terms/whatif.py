"""What-if simulator: a price path and the holders' behaviour, day by day, through the
contract engine only (no database). Each conversion is priced by the same quote functions the
workflows use (``quote_debenture_conversion`` / ``quote_preferred_conversion``), with the cap
(SPA 4(d)(ii), 4(i)), the reserve and authorized shares (SPA 3(c), 4(g)), the cap remedies'
costs (SPA 4(i)(x), (y)) and the Periodic Amounts (RRA 2(b)).

Behaviour ("policy"): ``max`` -- every holder converts the most it may as soon as it may
(Debenture 4(A) tranches; Series J in whole $1,000 shares; warrants exercised in full on the
first day the bid exceeds the exercise price, when ``exercise_warrants``); ``events`` -- only
the listed conversions; ``none`` -- nobody converts (prices, reserve and Periodic Amounts only).
Series J shares over the cap stay Unconverted Shares; the simulator reports what remedy (x)
would issue and remedy (y) would cost for them each day, but applies neither.

Terms belong to a financing (issue 18): an instrument that carries its own ``terms`` (a Series
K holding beside the Series J) is priced, rounded and made eligible under them; the scenario's
``terms`` govern the rest (the SPA's cap, reserve, remedies and the RRA) and the two price
columns.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .cap import cap_limitation_redemption_amount, cap_shares, remedy_x_conversion
from .conversion import (
    ConversionQuote,
    PaymentForm,
    accrued_dividends,
    debenture_conversion_price,
    debenture_eligibility,
    quote_debenture_conversion,
    quote_preferred_conversion,
    series_j_conversion_price,
)
from .errors import InvalidInput, MissingPrices, TermsError
from .params import DealTerms
from .registration import LatenessKind, anticipated_initial_effective_date, periodic_amounts
from .reserve import required_reserve, reserve_check
from .rounding import to_shares
from .warrants import is_expired

ZERO = Decimal(0)


@dataclass(frozen=True)
class DebentureIn:
    key: str
    holder: str
    principal: Decimal
    converted: Decimal
    closing_date: date
    issue_date: date
    interest_paid_through: date | None = None
    effective_date: date | None = None
    dated_date: date | None = None  # "the date hereof" (interest paragraph); default the issue date
    terms: DealTerms | None = None  # its financing's terms (issue 18); None: the scenario's
    financing: int | None = None  # its financing (the SPA 4(g) reserve prices each financing's total once)


@dataclass(frozen=True)
class PreferredIn:
    key: str
    holder: str
    liquidation_preference: Decimal
    converted: Decimal
    closing_date: date
    purchase_price: Decimal
    terms: DealTerms | None = None  # its financing's terms (issue 18); None: the scenario's
    financing: int | None = None  # its financing (the SPA 4(g) reserve prices each financing's total once)


@dataclass(frozen=True)
class WarrantIn:
    key: str
    holder: str
    shares_remaining: int
    exercise_price: Decimal
    expiry_date: date


@dataclass(frozen=True)
class Event:
    day: date
    key: str
    amount: Decimal


@dataclass(frozen=True)
class Scenario:
    terms: DealTerms
    days: tuple[date, ...]
    bids: Mapping[date, Decimal]
    debentures: Sequence[DebentureIn] = ()
    preferred: Sequence[PreferredIn] = ()
    warrants: Sequence[WarrantIn] = ()
    policy: str = "max"  # max | events | none
    events: Sequence[Event] = ()
    exercise_warrants: bool = True
    interest_election: PaymentForm = PaymentForm.CASH
    shares_outstanding_at_signing: int = 0
    issued_shares: int = 0
    authorized_shares: int = 0
    cap_shares_issued: int = 0
    initial_closing_date: date | None = None
    effective_date: date | None = None
    suspensions: Sequence[tuple[date, date]] = ()


@dataclass(frozen=True)
class DayRow:
    day: date
    bid: Decimal
    debenture_price: Decimal | None
    series_j_price: Decimal | None
    shares_today: int
    shares_total: int  # issued under the deal since the start
    issued_outstanding: int  # Common Stock outstanding
    cap_used: int
    cap_room: int
    unconverted: int  # Unconverted Shares (Series J preferred shares), cumulative
    remedy_x_shares: int | None
    remedy_y_cash: Decimal | None
    reserve_required: int | None
    authorized_headroom: int | None  # authorized - issued - required reserve
    periodic_exposure: Decimal
    existing_holders_pct: Decimal
    quotes: tuple[dict, ...] = ()

    def as_dict(self) -> dict:
        return {
            "day": self.day.isoformat(),
            "bid": str(self.bid),
            "debenture_price": None if self.debenture_price is None else str(self.debenture_price),
            "series_j_price": None if self.series_j_price is None else str(self.series_j_price),
            "shares_today": self.shares_today,
            "shares_total": self.shares_total,
            "issued_outstanding": self.issued_outstanding,
            "cap_used": self.cap_used,
            "cap_room": self.cap_room,
            "unconverted": self.unconverted,
            "remedy_x_shares": self.remedy_x_shares,
            "remedy_y_cash": None if self.remedy_y_cash is None else str(self.remedy_y_cash),
            "reserve_required": self.reserve_required,
            "authorized_headroom": self.authorized_headroom,
            "periodic_exposure": str(self.periodic_exposure),
            "existing_holders_pct": str(self.existing_holders_pct),
            "quotes": list(self.quotes),
        }


@dataclass(frozen=True)
class Result:
    rows: tuple[DayRow, ...]
    cap_shares: int
    cap_reached_on: date | None
    reserve_breached_on: date | None
    authorized_breached_on: date | None
    notes: tuple[str, ...] = field(default=())


def _price(fn, terms, bids, day):
    try:
        return fn(terms=terms, prices=bids, conversion_date=day).applied_price
    except MissingPrices:
        return None


def _issuer_reserve(s: Scenario, day: date, *, issued: int, deb_conv: dict, pref_conv: dict, w_left: dict):
    """SPA 3(c), 4(g): the reserve across every outstanding Series J and Debenture (each
    financing's outstanding total at its conversion price on ``day``, rounded once) and every
    unexpired Warrant, in the scenario's state before a conversion -- what the app's quote shows
    (``deals.selectors.cap.reserve_position``), so a single-conversion scenario reproduces it.
    None when no instrument can be priced (the quote keeps the engine's own figure)."""
    groups: dict[tuple, list] = {}
    for debenture, held in ((False, s.preferred), (True, s.debentures)):
        for x in held:
            if (x.issue_date if debenture else x.closing_date) > day:
                continue
            left = (x.principal - deb_conv[x.key]) if debenture else (x.liquidation_preference - pref_conv[x.key])
            key = (debenture, x.financing if x.financing is not None else id(x.terms))
            entry = groups.setdefault(key, [ZERO, x.terms or s.terms])
            entry[0] += left
    conversion_shares = 0
    priced = False
    for (debenture, _), (outstanding, own) in groups.items():
        if not outstanding:
            continue
        price = _price(debenture_conversion_price if debenture else series_j_conversion_price, own, s.bids, day)
        if price:
            priced = True
            conversion_shares += to_shares(outstanding / price, own.share_rounding)
    if not priced:
        return None
    warrants = sum(w_left[w.key] for w in s.warrants if not is_expired(w.expiry_date, day))
    return reserve_check(terms=s.terms, conversion_shares=conversion_shares, warrant_shares=warrants,
                         issued_shares=min(issued, s.authorized_shares), authorized_shares=s.authorized_shares)


def _periodic(s: Scenario, day: date) -> Decimal:
    """RRA 2(b): Periodic Amounts accrued by ``day`` for a late Effective Date and for suspension
    days treated as Restricted Sale Dates (base: the Series J purchase price before effectiveness)."""
    base = sum((p.purchase_price for p in s.preferred), ZERO)
    if base <= 0:
        return ZERO
    total = ZERO
    windows = []
    if s.initial_closing_date is not None:
        windows.append(
            (LatenessKind.REQUIRED_EFFECTIVE_DATE, anticipated_initial_effective_date(s.initial_closing_date, s.terms), s.effective_date)
        )
    windows += [(LatenessKind.RESTRICTED_SALE_DATE, start, end) for start, end in s.suspensions]
    for kind, trigger, cured in windows:
        if day <= trigger:
            continue
        sched = periodic_amounts(
            kind=kind, trigger_date=trigger, base=base, cured_on=cured if cured and cured <= day else None, as_of=day, terms=s.terms
        )
        total += sched.total + (sched.accruing.amount if sched.accruing else ZERO)
    return total


def simulate(s: Scenario) -> Result:
    terms = s.terms
    if not s.days:
        raise InvalidInput("The scenario has no trading days.")
    cap_total = cap_shares(terms, s.shares_outstanding_at_signing)
    deb_conv = {d.key: d.converted for d in s.debentures}
    pref_conv = {p.key: p.converted for p in s.preferred}
    w_left = {w.key: w.shares_remaining for w in s.warrants}
    events = {}
    for e in s.events:
        events.setdefault(e.day, []).append(e)
    issued = s.issued_shares
    cap_used = s.cap_shares_issued
    total = 0
    unconverted = 0
    rows = []
    cap_reached = reserve_breached = authorized_breached = None
    stated = terms.preferred_stated_value
    for day in s.days:
        bid = s.bids.get(day)
        if bid is None:
            raise MissingPrices((day,))
        today = 0
        quotes = []
        todo: list[tuple[str, Decimal]] = []
        if s.policy == "max":
            for d in s.debentures:
                elig = debenture_eligibility(
                    terms=d.terms or terms,
                    principal=d.principal,
                    as_of=day,
                    closing_date=d.closing_date,
                    effective_date=d.effective_date,
                    converted_principal=deb_conv[d.key],
                )
                if elig.convertible_now > 0:
                    todo.append((d.key, elig.convertible_now))
            for p in s.preferred:
                p_stated = (p.terms or terms).preferred_stated_value
                whole = ((p.liquidation_preference - pref_conv[p.key]) // p_stated) * p_stated
                if whole > 0 and day >= p.closing_date:
                    todo.append((p.key, whole))
        elif s.policy == "events":
            todo = [(e.key, e.amount) for e in events.get(day, [])]
        deb_by_key = {d.key: d for d in s.debentures}
        pref_by_key = {p.key: p for p in s.preferred}
        warrant_shares = sum(w_left.values())
        for key, amount in todo:
            instrument = deb_by_key.get(key) or pref_by_key[key]
            own_terms = instrument.terms or terms
            common = dict(
                terms=own_terms,
                amount=amount,
                conversion_date=day,
                prices=s.bids,
                cap_shares_issued=cap_used,
                shares_outstanding_at_signing=s.shares_outstanding_at_signing,
                issued_shares=issued,
                authorized_shares=s.authorized_shares,
                warrant_shares=warrant_shares,
            )
            reserve_before = _issuer_reserve(s, day, issued=issued, deb_conv=deb_conv, pref_conv=pref_conv, w_left=w_left)
            try:
                if key in deb_by_key:
                    d = deb_by_key[key]
                    q: ConversionQuote = quote_debenture_conversion(
                        principal=d.principal,
                        closing_date=d.closing_date,
                        converted_principal=deb_conv[key],
                        dated_date=d.dated_date or d.issue_date,
                        issued_date=d.issue_date,
                        effective_date=d.effective_date,
                        interest_payment=s.interest_election,
                        interest_paid_through=d.interest_paid_through,
                        notice_delivered=day,
                        **common,
                    )
                    deb_conv[key] += amount
                    shares = q.total_shares
                else:
                    p = pref_by_key[key]
                    q = quote_preferred_conversion(
                        liquidation_preference=p.liquidation_preference,
                        closing_date=p.closing_date,
                        converted=pref_conv[key],
                        dividend_payment=s.interest_election,
                        **common,
                    )
                    split = q.unconverted
                    p_stated = own_terms.preferred_stated_value
                    if split is not None and split.unconverted_preferred:
                        shares = split.common_shares
                        pref_conv[key] += p_stated * split.convertible_preferred
                        unconverted += split.unconverted_preferred
                        # the Unconverted Shares leave the holding's convertible balance
                        pref_conv[key] += p_stated * split.unconverted_preferred
                    else:
                        shares = q.total_shares
                        pref_conv[key] += amount
                    cap_used += shares
            except TermsError as err:
                quotes.append({"key": key, "amount": str(amount), "error": str(err)})
                continue
            if reserve_before is not None:  # SPA 4(g): the issuer-wide reserve, as the app's quote shows it
                q = dataclasses.replace(q, reserve=reserve_before)
            issued += shares
            today += shares
            quotes.append({"key": key, "amount": str(amount), "quote": q.as_dict()})
        if s.exercise_warrants and s.policy == "max":
            for w in s.warrants:
                if w_left[w.key] > 0 and bid > w.exercise_price and not is_expired(w.expiry_date, day):
                    n = w_left[w.key]
                    w_left[w.key] = 0
                    issued += n
                    today += n
                    cap_used += n
                    quotes.append({"key": w.key, "exercise": n, "exercise_price": str(w.exercise_price)})
        total += today
        deb_price = _price(debenture_conversion_price, terms, s.bids, day)
        sj_price = _price(series_j_conversion_price, terms, s.bids, day)
        column = {True: deb_price, False: sj_price}
        own_prices: dict[tuple[int, bool], Decimal | None] = {}
        remaining_conv = 0
        for debenture, held in ((True, s.debentures), (False, s.preferred)):
            for x in held:
                own = x.terms or terms
                if own is terms:
                    price = column[debenture]
                else:  # priced under its own financing's terms (issue 18)
                    if (id(own), debenture) not in own_prices:
                        fn = debenture_conversion_price if debenture else series_j_conversion_price
                        own_prices[(id(own), debenture)] = _price(fn, own, s.bids, day)
                    price = own_prices[(id(own), debenture)]
                if price:
                    left = (x.principal - deb_conv[x.key]) if debenture else (x.liquidation_preference - pref_conv[x.key])
                    remaining_conv += to_shares(left / price, own.share_rounding)
        reserve = required_reserve(terms=terms, conversion_shares=remaining_conv, warrant_shares=sum(w_left.values()))
        headroom = s.authorized_shares - issued - reserve
        if headroom < 0 and reserve_breached is None:
            reserve_breached = day
        if issued > s.authorized_shares and authorized_breached is None:
            authorized_breached = day
        room = max(0, cap_total - cap_used)
        if room == 0 and cap_reached is None:
            cap_reached = day
        rx = ry = None
        if unconverted and sj_price:
            first = min(p.closing_date for p in s.preferred)
            div = accrued_dividends(terms=terms, liquidation_preference=stated, issue_date=first, to_date=day).amount
            try:
                rx = remedy_x_conversion(terms=terms, closing_prices=s.bids, notice_date=day, amount=(stated + div) * unconverted).shares
            except TermsError:
                rx = None
            ry = cap_limitation_redemption_amount(
                terms=terms,
                unconverted_preferred=unconverted,
                accrued_dividends_per_share=div,
                conversion_price=sj_price,
                closing_prices={day: bid},
                redemption_date=day,
                payment_date=day,
            ).amount
        existing_pct = (Decimal(s.shares_outstanding_at_signing) * 100 / Decimal(issued)).quantize(Decimal("0.01")) if issued else ZERO
        rows.append(
            DayRow(
                day,
                bid,
                deb_price,
                sj_price,
                today,
                total,
                issued,
                cap_used,
                room,
                unconverted,
                rx,
                ry,
                reserve,
                headroom,
                _periodic(s, day),
                existing_pct,
                tuple(quotes),
            )
        )
    return Result(tuple(rows), cap_total, cap_reached, reserve_breached, authorized_breached)
