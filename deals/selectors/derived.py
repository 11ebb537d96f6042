"""Derived figures shown next to the data in the admin (and anywhere else that
wants them). Each reads the rows it needs in a fixed number of queries and
asks ``deals.terms`` for the number; nothing here stores anything.

Every figure comes back as a small frozen dataclass carrying the clause, the
working and -- when an input is missing (no price for a look-back, no
Closing Date) -- a plain ``problem`` sentence instead of a number.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from deals.models import (
    Debenture,
    Financing,
    Issuer,
    PreferredHolding,
    RegistrationStatement,
    Warrant,
)
from deals.selectors.prices import price_on, prices_between
from deals.selectors.terms import TermsUnavailable, terms_in_force
from deals.services.calendar import business_date
from deals.terms import calendars
from deals.terms.conversion import (
    conversion_shares,
    debenture_conversion_price,
    debenture_eligibility,
    series_j_conversion_price,
)
from deals.terms.errors import TermsError
from deals.terms.registration import is_increased_registered_shares_date, shares_to_register
from deals.terms.reserve import reserve_check
from deals.terms.rounding import to_price
from deals.terms.warrants import WarrantTerms, is_expired, warrant_expiry, warrant_terms

ZERO = Decimal("0")
# Enough calendar days to cover the longest look-back (60 trading days, SPA 4(i)(x)).
_LOOKBACK_CALENDAR_DAYS = 120


@dataclass(frozen=True)
class Figure:
    """A derived value with its clause and working (``lines``), or the reason it is missing."""

    label: str
    clause: str
    value: object = None
    lines: tuple[str, ...] = ()
    problem: str = ""
    warning: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problem


def closing_bids(until: datetime.date, days: int = _LOOKBACK_CALENDAR_DAYS) -> dict[datetime.date, Decimal]:
    """Closing bids for the look-back window ending before ``until`` (one query)."""
    return prices_between(until - datetime.timedelta(days=days), until)


from nhtc.formatting import money as _money  # noqa: E402 -- the one money formatter


def allocable_share(holding: PreferredHolding) -> Figure:
    """Buyer's Allocable Share (SPA 1(b)(iv)): the holder's liquidation preference / the
    total offering ($1,000,000). Needs ``holding.financing`` (select it with the holding)."""
    fin = holding.financing
    share = fin.allocable_share(holding.liquidation_preference)
    return Figure(
        "Buyer's Allocable Share",
        "SPA 1(b)(iv)",
        share,
        (f"{_money(holding.liquidation_preference)} / {_money(fin.total_offering)} = {share * 100:.4f}%",),
    )


def financing_allocation(financing: Financing) -> Figure:
    """How much of the offering is placed (SPA 1(b)(iv); Debenture: $1,300,000 issue)."""
    if financing.is_series_j:
        placed = financing.preferred_holdings.aggregate(s=Sum("liquidation_preference"))["s"] or ZERO
        what = "liquidation preference of Series J holdings"
    else:
        placed = financing.debentures.aggregate(s=Sum("principal"))["s"] or ZERO
        what = "principal of debentures"
    left = financing.total_offering - placed
    lines = [f"{what}: {_money(placed)} of {_money(financing.total_offering)}; unplaced {_money(left)}"]
    problem = ""
    if left < 0:
        problem = f"Placed {_money(placed)} exceeds the offering of {_money(financing.total_offering)} by {_money(-left)}."
    return Figure("Offering placed", "SPA 1(b)(iv)" if financing.is_series_j else "Debenture (preamble)", placed,
                  tuple(lines), problem, warning=left != 0)


def debenture_status(debenture: Debenture, as_of: datetime.date | None = None) -> Figure:
    """Outstanding principal and what is convertible on the business date (Debenture 4(A))."""
    as_of = as_of or business_date()
    try:
        _, terms = terms_in_force(financing=debenture.financing_id, day=as_of)
    except TermsUnavailable as exc:
        return Figure("Outstanding principal", "Debenture 4(A)", debenture.principal_outstanding, (), str(exc))
    effective = (
        RegistrationStatement.objects.filter(financing_id=debenture.financing_id, effective_date__isnull=False)
        .order_by("effective_date")
        .values_list("effective_date", flat=True)
        .first()
    )
    converted = debenture.principal - debenture.principal_outstanding
    lines = [f"Outstanding {_money(debenture.principal_outstanding)} of {_money(debenture.principal)} "
             f"(converted or redeemed {_money(converted)})"]
    try:
        e = debenture_eligibility(
            terms=terms,
            principal=debenture.principal,
            as_of=as_of,
            closing_date=debenture.closing_date,
            effective_date=effective,
            converted_principal=max(ZERO, converted),
        )
    except TermsError as exc:
        return Figure("Outstanding principal", "Debenture 4(A)", debenture.principal_outstanding, tuple(lines), str(exc))
    lines.append(f"Convertible on {as_of.isoformat()}: {_money(e.convertible_now)} ({e.reason})")
    if e.next_date:
        lines.append(f"More from {e.next_date.isoformat()}")
    return Figure("Outstanding principal", "Debenture 4(A)", debenture.principal_outstanding, tuple(lines))


def warrant_status(warrant: Warrant, as_of: datetime.date | None = None) -> Figure:
    """SPA 4(h) expiry (last day of the month of the 5th anniversary of the Closing Date), compared
    with the stored expiry, and whether the warrant has expired on the business date."""
    as_of = as_of or business_date()
    try:
        _, terms = terms_in_force(financing=warrant.financing_id, day=warrant.issue_date)
    except TermsUnavailable as exc:
        return Figure("Warrant expiry", "SPA 4(h)", None, (), str(exc))
    computed = warrant_expiry(warrant.issue_date, terms)
    lines = [f"SPA 4(h): Closing {warrant.issue_date.isoformat()} -> expiry {computed.isoformat()}"]
    warning = False
    if warrant.expiry_date != computed:
        lines.append(f"Stored expiry {warrant.expiry_date.isoformat()} differs from the SPA 4(h) date.")
        warning = True
    state = "expired" if is_expired(warrant.expiry_date, as_of) else "exercisable"
    lines.append(f"On {as_of.isoformat()}: {state}; {warrant.shares_remaining:,} of {warrant.shares:,} shares remain")
    return Figure("Warrant expiry", "SPA 4(h)", computed, tuple(lines), warning=warning)


@dataclass(frozen=True)
class WarrantSizing:
    """SPA 4(h) sizing of a Buyer's warrant issued on ``closing_date``: the engine's figures, or why
    they cannot be computed (``problem``)."""

    expected: WarrantTerms | None
    problem: str = ""


def warrant_sizing(*, financing: Financing, investor_id: int, closing_date: datetime.date) -> WarrantSizing | None:
    """SPA 4(h): the warrant count, exercise price and expiry for the Buyer's Purchase Price (its
    Series J holdings of the financing closing on ``closing_date``) and the closing bid on the
    trading day before the Closing Date, by ``deals.terms.warrants.warrant_terms``. None when the
    financing's terms carry no warrant terms (a debenture issue)."""
    try:
        _, terms = terms_in_force(financing=financing, day=closing_date)
    except TermsUnavailable as exc:
        return WarrantSizing(None, str(exc))
    if terms.warrant_price_pct is None or terms.warrant_coverage_pct is None:
        return None
    price = PreferredHolding.objects.filter(financing=financing, investor_id=investor_id, closing_date=closing_date).aggregate(
        p=Sum("purchase_price")
    )["p"]
    if not price:
        return WarrantSizing(
            None, f"no Series J holding of this Buyer in {financing} closes on {closing_date.isoformat()} (the warrant's "
            "Closing Date), so its Purchase Price is unknown"
        )
    pricing_day = calendars.previous_trading_day(closing_date)
    bid = price_on(pricing_day)
    if bid is None:
        return WarrantSizing(None, f"no closing bid is recorded for {pricing_day.isoformat()} (the trading day before the Closing Date)")
    try:
        return WarrantSizing(warrant_terms(terms=terms, purchase_price=price, closing_date=closing_date, closing_bid=bid))
    except TermsError as exc:
        return WarrantSizing(None, str(exc))


def reserve_status(issuer: Issuer, as_of: datetime.date | None = None) -> Figure:
    """SPA 4(g) reserve required (150% of the shares issuable on conversion of everything
    outstanding at today's conversion prices + the warrant shares) vs. available
    (authorized - issued, SPA 3(c)). Each financing's outstanding amount is priced under
    that financing's terms in force; the reserve percentage is the SPA's (the first
    Series J financing's terms: SPA 4(g) is its covenant)."""
    as_of = as_of or business_date()
    label, clause = "Reserve required vs available", "SPA 3(c), 4(g)"
    pref = dict(
        PreferredHolding.objects.filter(financing__issuer=issuer).values("financing").annotate(s=Sum("liquidation_preference_outstanding"))
        .values_list("financing", "s")
    )
    deb = dict(
        Debenture.objects.filter(financing__issuer=issuer).values("financing").annotate(s=Sum("principal_outstanding"))
        .values_list("financing", "s")
    )
    wsh = Warrant.objects.filter(financing__issuer=issuer).aggregate(s=Sum("shares_remaining"))["s"] or 0
    financings = {f.pk: f for f in Financing.objects.filter(issuer=issuer).order_by("pk")}
    spa = next((f for f in financings.values() if f.is_series_j), None)
    if spa is None:
        return Figure(label, clause, None, (), "No Series J financing is recorded: SPA 4(g) has no reserve percentage to apply.")
    bids = closing_bids(as_of)
    lines = []
    conv = 0
    try:
        _, terms = terms_in_force(financing=spa, day=as_of)
        for fid, amount in sorted(pref.items()):
            if not amount:
                continue
            _, t = terms_in_force(financing=fid, day=as_of)
            p = series_j_conversion_price(terms=t, prices=bids, conversion_date=as_of)
            n = conversion_shares(amount, p.applied_price, t)
            conv += n
            lines.append(f"{financings[fid]}: {_money(amount)} / ${p.shown_price} = {n:,} shares")
        for fid, amount in sorted(deb.items()):
            if not amount:
                continue
            _, t = terms_in_force(financing=fid, day=as_of)
            p = debenture_conversion_price(terms=t, prices=bids, conversion_date=as_of)
            n = conversion_shares(amount, p.applied_price, t)
            conv += n
            lines.append(f"{financings[fid]}: {_money(amount)} / ${p.shown_price} = {n:,} shares")
        check = reserve_check(
            terms=terms,
            conversion_shares=conv,
            warrant_shares=int(wsh),
            issued_shares=issuer.shares_issued,
            authorized_shares=issuer.authorized_common_shares,
        )
    except TermsUnavailable as exc:
        return Figure(label, clause, None, tuple(lines), str(exc))
    except TermsError as exc:
        return Figure(label, clause, None, tuple(lines), f"Cannot compute on {as_of.isoformat()}: {exc}")
    lines.append(f"{terms.reserve_pct}% x {conv:,} = {check.conversion_reserve:,}; + warrant shares {int(wsh):,}")
    lines.append(f"Required {check.required_shares:,}; available {check.available_shares:,} "
                 f"({issuer.authorized_common_shares:,} authorized - {issuer.shares_issued:,} issued)")
    if not check.sufficient:
        lines.append(f"Shortfall {check.shortfall:,} shares")
    return Figure(label, clause, check.required_shares, tuple(lines),
                  warning=not check.sufficient, extra={"available": check.available_shares})


def registration_status(statement: RegistrationStatement, as_of: datetime.date | None = None) -> Figure:
    """RRA 2(a)(i) shares to register (200% of the conversion shares incl. dividends through the
    5th anniversary at the filing-date conversion price + all warrant shares) vs. registered."""
    fin = statement.financing
    as_of = as_of or business_date()
    filing = statement.filed_date or as_of
    label, clause = "Shares to register", "RRA 2(a)(i)"
    if not fin.is_series_j:
        return Figure(label, clause, None, (), "RRA 2(a)(i) counts Series J conversion and warrant shares; "
                      "this statement belongs to the debenture issue.")
    if not fin.initial_closing_date:
        return Figure(label, clause, None, (), "The financing has no Initial Closing Date yet.")
    try:
        _, terms = terms_in_force(financing=fin, day=filing)
    except TermsUnavailable as exc:
        return Figure(label, clause, None, (), str(exc))
    lp = fin.preferred_holdings.aggregate(s=Sum("liquidation_preference"))["s"] or ZERO
    wsh = fin.warrants.aggregate(s=Sum("shares"))["s"] or 0
    from deals.services.company.registration import registered_shares  # RRA 2(a)(ii): one definition

    amendments = list(statement.amendments.all())
    registered = registered_shares(statement, amendments, as_of)
    added = registered - statement.shares_registered if registered else 0
    if not lp:
        return Figure(label, clause, None, (), "No Series J holdings recorded yet.")
    try:
        price = series_j_conversion_price(terms=terms, prices=closing_bids(filing), conversion_date=filing)
        s = shares_to_register(
            liquidation_preference=lp,
            conversion_price=price.applied_price,
            warrant_shares=int(wsh),
            closing_date=fin.initial_closing_date,
            filing_date=filing,
            terms=terms,
        )
    except TermsError as exc:
        return Figure(label, clause, None, (), f"Cannot compute at {filing.isoformat()}: {exc}")
    when = "filing" if statement.filed_date else f"the business date {as_of.isoformat()} (not filed yet)"
    lines = (
        f"At {when}: conversion price ${to_price(s.conversion_price)} ({s.conversion_price_basis})",
        f"({_money(s.liquidation_preference)} + dividends {_money(s.dividends)} through "
        f"{s.dividends_through.isoformat()}) / ${to_price(s.conversion_price)} = {s.conversion_shares:,}",
        f"{s.multiple_pct}% = {s.multiplied_conversion_shares:,} + warrant shares {s.warrant_shares:,} = {s.total:,}",
        f"Registered {registered:,} (filed statement and amendments filed by {as_of.isoformat()}, effective or not; "
        f"amendments add {added:,})",
    )
    short = is_increased_registered_shares_date(registrable_shares=s.total, registered_shares=registered)
    if short:
        lines += (f"Short by {s.total - registered:,}: an Increased Registered Shares Date (RRA 2(a)(ii)).",)
    return Figure(label, clause, s.total, lines, warning=short, extra={"registered": registered})


def trading_day_note(day: datetime.date) -> str:
    """'' on a trading day, else why the NYSE is closed (for the price admin)."""
    try:
        return "" if calendars.is_trading_day(day) else (calendars.trading_closure_reason(day) or "closed")
    except TermsError as exc:
        return str(exc)
